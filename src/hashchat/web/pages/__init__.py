"""HTML pages of hashchat (series, room, host console, recap)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
