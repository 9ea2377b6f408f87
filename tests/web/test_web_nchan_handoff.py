"""The nchan hand-off route parses a resume point exactly as the in-process stream does."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.series import do_create_series
from hashchat.settings import Settings
from hashchat.store.events import last_event_id
from hashchat.store.migrate import upgrade
from hashchat.web.app import create_app

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    url = f"sqlite:///{tmp_path / 'handoff.sqlite3'}"
    upgrade(url)
    settings = Settings(
        database_url=url,
        fanout="nchan",
        nchan_publish_url="http://127.0.0.1:9/pub",  # never reached: every request is refused
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield client


@pytest.mark.parametrize(
    ("headers", "query"),
    [
        ({"Last-Event-ID": "abc"}, ""),
        ({"Last-Event-ID": "١٢".encode()}, ""),  # Arabic-Indic digits: int() would take them
        ({"Last-Event-ID": "+5"}, ""),
        ({}, "?after=-1"),
        ({}, "?after=x"),
        ({}, "?after=99999999999"),
    ],
)
async def test_a_bad_resume_point_is_422(
    client: httpx.AsyncClient, headers: dict[str, str | bytes], query: str
) -> None:
    reply = await client.get(f"/api/v1/chats/1/events{query}", headers=headers)
    assert reply.status_code == 422


async def test_an_unknown_chat_is_404_before_any_hand_off(client: httpx.AsyncClient) -> None:
    reply = await client.get("/api/v1/chats/999/events", headers={"Last-Event-ID": "3"})
    assert reply.status_code == 404
    assert (await client.get("/api/v1/chats/0/events")).status_code == 422


@pytest.mark.redis
async def test_a_plain_reconnect_takes_the_short_way_with_the_routes_answers(
    tmp_path: Path, redis_url: str
) -> None:
    url = f"sqlite:///{tmp_path / 'short.sqlite3'}"
    upgrade(url)
    settings = Settings(
        database_url=url,
        redis_url=redis_url,
        fanout="nchan",
        nchan_publish_url="http://127.0.0.1:9/pub",  # never reached: nothing is published
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    )
    app = create_app(settings)
    ctx = app.state.ctx
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "Short", "Short", "UTC", "plain", 500, "")
    chat = do_create_chat(ctx, host, "Short", "Chat", ctx.now() + timedelta(hours=1), 60, ["Q?"])
    do_start_chat(ctx, host, chat.id)
    newest = last_event_id(ctx.store, chat.id)
    assert newest > 1
    state = ctx.bus._state
    stale = await state._client.keys(f"hashchat:nchan:*{chat.id}:*")
    if stale:  # an earlier run's state of this chat id
        await state._client.delete(*stale)
    async with state.publishing(chat.id) as held:  # one nchan message holds every event
        assert held
        await state.record(chat.id, (1, newest), f"{int(time.time())}:0", 1, 0.0)
    stream = f"/api/v1/chats/{chat.id}/events"
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        answers = [
            await client.get(stream, headers={"Last-Event-ID": str(newest)}) for _ in range(3)
        ]
        # The first visit goes through the route (its middlewares add their headers), the
        # next ones take the short way; the hand-off is the same.
        targets = {reply.headers["X-Accel-Redirect"] for reply in answers}
        assert len(targets) == 1
        assert "msgid=" in targets.pop()
        assert "content-security-policy" in answers[0].headers
        assert "content-security-policy" not in answers[2].headers
        assert (await client.get(f"{stream}?after={newest}")).headers["X-Accel-Redirect"]
        # Whatever is not a plain hand-off is the route's: refusals, answers from the database.
        assert (await client.get(stream, headers={"Last-Event-ID": "x1"})).status_code == 422
        unknown = await client.get("/api/v1/chats/999/events", headers={"Last-Event-ID": "1"})
        assert unknown.status_code == 404
        inside = await client.get(stream, headers={"Last-Event-ID": "1"})
        assert "X-Accel-Redirect" not in inside.headers
        assert inside.text.startswith("id: 2\n")
        assert inside.text.endswith("retry: 50\n\n")
    await ctx.bus.aclose()
    await state._client.aclose()
    ctx.store.dispose()
