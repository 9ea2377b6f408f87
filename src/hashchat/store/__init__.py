"""Persistence: SQLAlchemy tables, the engine and sessions, queries, Alembic migrations."""
