"""The bridge tests' app: a fresh SQLite database, a clock the test moves, people with tokens,
and short calls to the API as one of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from hashchat.actions.accounts import do_create_token, do_register
from hashchat.actions.context import AppContext


@dataclass
class Clock:
    """A clock the test moves by hand (or lets run: `follow_wall`)."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    follow_wall: bool = True
    skew: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return (datetime.now(UTC) if self.follow_wall else self.now) + self.skew

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Person:
    """A registered person with a bearer token."""

    name: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Api:
    """Calls to the API as one person or another."""

    def __init__(self, client: httpx.AsyncClient, ctx: AppContext) -> None:
        self.client = client
        self.ctx = ctx

    def person(self, name: str) -> Person:
        do_register(self.ctx, name, "correct horse battery", timezone="UTC")
        return Person(name, do_create_token(self.ctx, name))

    async def call(
        self, who: Person | None, method: str, path: str, **kwargs: Any
    ) -> httpx.Response:
        headers = {**(who.auth if who else {}), **kwargs.pop("headers", {})}
        return await self.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)

    async def ok(self, who: Person | None, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.call(who, method, path, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    async def series(self, owner: Person, tag: str) -> None:
        body = {"tag": tag, "title": "A chat about teaching", "timezone": "Europe/London"}
        await self.ok(owner, "POST", "/series", json=body)
