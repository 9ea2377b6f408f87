"""HTML pages of hashchat (home and accounts, series, room, host console, recap)."""

from __future__ import annotations

from fastapi import APIRouter

from hashchat.web.pages import accounts, host, recap, room, series

router = APIRouter(include_in_schema=False)
for module in (accounts, series, room, host, recap):
    router.include_router(module.router)
