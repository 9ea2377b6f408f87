"""For the page tests: a real app on a temporary SQLite file, seeded through the actions, and a
browser-like client with its own cookies. (Helpers live here, not in conftest.py, so that test
files import them by a name no other folder uses.)"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat
from hashchat.actions.context import AppContext
from hashchat.actions.series import do_add_member, do_create_series
from hashchat.actions.views import UserView
from hashchat.settings import Settings
from hashchat.store.migrate import upgrade
from hashchat.web.app import create_app

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    """The app and what was seeded into it."""

    app: FastAPI
    ctx: AppContext
    host: UserView
    cohost: UserView
    reader: UserView
    chat_id: int


def build_world(tmp_path: Path) -> Iterator[World]:
    """Seed the app; yields the world and disposes of its store afterwards."""
    url = f"sqlite:///{tmp_path / 'pages.sqlite3'}"
    upgrade(url)
    app = create_app(Settings(database_url=url, cookie_secure=False, clock=lambda: NOW))
    ctx: AppContext = app.state.ctx
    host = do_register(ctx, "kaizencoach", PASSWORD, "Kaizen <Coach>", "Europe/London")
    cohost = do_register(ctx, "leanlaura", PASSWORD, "Laura", "America/New_York")
    reader = do_register(ctx, "reader", PASSWORD, "Reader", "Asia/Tokyo")
    do_create_series(
        ctx,
        host,
        "KaizenBiz",
        "Kaizen <b>for</b> you",
        "Europe/London",
        "x",
        280,
        "Small <script>alert(1)</script> wins",
    )
    do_add_member(ctx, host, "KaizenBiz", "leanlaura", "cohost")
    chat = do_create_chat(
        ctx,
        host,
        "KaizenBiz",
        "Small wins",
        NOW + timedelta(hours=1),
        60,
        ["What went <well>?", "What next?"],
    )
    yield World(app, ctx, host, cohost, reader, chat.id)
    ctx.store.dispose()


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


class PageClient:
    """A synchronous browser stand-in: its own cookie jar, requests run in-process."""

    def __init__(self, app: FastAPI) -> None:
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
        )

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return asyncio.run(self._client.request(method, path, **kwargs))

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        kwargs.setdefault("follow_redirects", False)
        return self.request("POST", path, **kwargs)


def client_for(world: World, name: str | None = None) -> PageClient:
    """A client with its own cookies, logged in as `name` through the log-in form."""
    client = PageClient(world.app)
    if name is not None:
        token = csrf_of(client.get("/login").text)
        response = client.post(
            "/login",
            data={"name": name, "password": PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 303, response.text
    return client
