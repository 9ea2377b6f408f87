"""The bridge tests' app: a fresh SQLite database, a clock the test moves, people with tokens,
and short calls to the API as one of them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa

from hashchat.actions.accounts import do_create_token, do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.outbox import OutboxWorker
from hashchat.actions.views import UserView
from hashchat.bridges.runner import CONSUMER, deliver, register_outbound
from hashchat.store.models import PostRow, SegmentRow


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


KEY = "a-long-random-test-key-0123456789"


def live_chat(ctx: AppContext, host: UserView) -> int:
    """A running chat of #EduChat with two questions, none asked yet."""
    chat = do_create_chat(
        ctx, host, "EduChat", "Assessment", ctx.now(), 60, ["What do you teach?", "How?"]
    )
    do_start_chat(ctx, host, chat.id)
    return chat.id


def outbound_worker(ctx: AppContext) -> OutboxWorker:
    """An outbox worker serving the `bridges` consumer (our posts going out), run by hand."""
    register_outbound(ctx)
    return OutboxWorker(ctx, {CONSUMER: lambda message: deliver(ctx, message)}, name="test")


def filed_posts(ctx: AppContext, chat_id: int) -> list[PostRow]:
    """The chat's posts from other networks, in the order they were filed."""
    with ctx.store.read() as session:
        rows = session.scalars(
            sa.select(PostRow)
            .where(PostRow.chat_id == chat_id, PostRow.network != "hashchat")
            .order_by(PostRow.id)
        ).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def questions_of(ctx: AppContext, chat_id: int) -> dict[str, set[int]]:
    """External id → the questions its post answers (by its stored segments)."""
    with ctx.store.read() as session:
        found = session.execute(
            sa.select(PostRow.external_id, SegmentRow.question)
            .join(SegmentRow, SegmentRow.post_id == PostRow.id)
            .where(PostRow.chat_id == chat_id)
        ).all()
    answered: dict[str, set[int]] = {}
    for external_id, question in found:
        if question is not None:
            answered.setdefault(str(external_id), set()).add(question)
    return answered


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    """Wait until `condition()` holds; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
