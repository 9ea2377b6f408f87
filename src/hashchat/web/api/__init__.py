"""The JSON API under /api/v1: series, chats, posts, moderation, recaps and the event stream."""

from __future__ import annotations

from fastapi import APIRouter

from hashchat.web.api import (
    blog,
    bridges,
    chats,
    events,
    insights,
    me_networks,
    posts,
    recap,
    series,
)

router = APIRouter()
for module in (series, chats, posts, events, recap, insights, bridges, blog, me_networks):
    router.include_router(module.router)
