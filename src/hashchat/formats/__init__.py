"""Importers and exporters of chats and calendars."""
