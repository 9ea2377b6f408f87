"""The real app on a temporary database, a controllable clock, and people with roles.

Every API test runs on SQLite (a temporary file) and on PostgreSQL (`HASHCHAT_TEST_PG`; each
test gets a fresh schema of its own, so tests may run in parallel on one database).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from hashchat.actions.accounts import do_create_token, do_register
from hashchat.actions.context import AppContext
from hashchat.assembly import build_context
from hashchat.settings import RateLimit, Settings
from hashchat.store.migrate import upgrade
from hashchat.web.app import create_app
from pg_support import fresh_pg_schema

BACKENDS = ["sqlite", pytest.param("pg", marks=pytest.mark.pg)]


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 1, 9, 17, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hashchat.sqlite3'}"
        return
    with fresh_pg_schema(request.getfixturevalue("pg_url")) as url:
        yield url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(database_url: str, clock: Clock) -> Settings:
    upgrade(database_url)
    return Settings(
        database_url=database_url,
        clock=clock,
        post_rate=RateLimit(5, 30.0),
        login_failure_rate=RateLimit(3, 300.0),
        sse_heartbeat_seconds=0.2,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    )


@pytest.fixture
def ctx(settings: Settings) -> Iterator[AppContext]:
    context = build_context(settings)
    yield context
    context.store.dispose()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(ctx: AppContext) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(context=ctx))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield client


@dataclass
class Person:
    """A registered person with a bearer token."""

    name: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Api:
    """Short calls to the API as one person or another."""

    def __init__(self, client: httpx.AsyncClient, ctx: AppContext) -> None:
        self.client = client
        self.ctx = ctx

    def person(self, name: str, *, admin: bool = False) -> Person:
        do_register(self.ctx, name, "correct horse battery", timezone="UTC", is_admin=admin)
        return Person(name, do_create_token(self.ctx, name))

    async def call(
        self, who: Person | None, method: str, path: str, **kwargs: Any
    ) -> httpx.Response:
        headers = {**(who.auth if who else {}), **kwargs.pop("headers", {})}
        return await self.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)

    async def ok(self, who: Person | None, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.call(who, method, path, **kwargs)
        assert response.status_code < 300, response.text
        return response.json()

    async def series(self, owner: Person, tag: str = "KaizenBiz", **fields: Any) -> dict[str, Any]:
        body = {"tag": tag, "title": "Kaizen for small business", "timezone": "Europe/London"}
        return dict(await self.ok(owner, "POST", "/series", json={**body, **fields}))

    async def chat(
        self, host: Person, tag: str = "KaizenBiz", questions: int = 3
    ) -> dict[str, Any]:
        body = {
            "title": "Habits that stick",
            "starts_at": self.ctx.now().isoformat(),
            "duration_minutes": 60,
            "questions": [f"Question number {n}?" for n in range(1, questions + 1)],
        }
        return dict(await self.ok(host, "POST", f"/series/{tag}/chats", json=body))

    async def live_chat(self, host: Person, tag: str = "KaizenBiz") -> dict[str, Any]:
        chat = await self.chat(host, tag)
        await self.ok(host, "POST", f"/chats/{chat['id']}/start")
        return dict(await self.ok(None, "GET", f"/chats/{chat['id']}"))


@pytest.fixture
def api(client: httpx.AsyncClient, ctx: AppContext) -> Api:
    return Api(client, ctx)
