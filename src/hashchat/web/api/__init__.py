"""The JSON API under /api/v1: series, chats, posts, moderation, recaps and the event stream."""

from __future__ import annotations

from fastapi import APIRouter

from hashchat.web.api import chats, events, posts, recap, series

router = APIRouter()
for module in (series, chats, posts, events, recap):
    router.include_router(module.router)
