"""`hashchat serve` runs its background work in one runner (issue 10): the cadence ticks and
the outbox deliveries of registered consumers happen while it runs and stop with it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from hashchat.actions import outbox
from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.series import do_create_series
from hashchat.assembly import build_context
from hashchat.settings import Settings
from hashchat.store.events import events_after
from hashchat.store.migrate import upgrade
from hashchat.web.app import create_app


def test_the_server_runs_the_cadence_and_the_outbox_and_stops_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    upgrade(url)
    ctx = build_context(
        Settings(
            database_url=url, argon2_time_cost=1, argon2_memory_kib=1024, cadence_tick_seconds=0.05
        )
    )
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, ["Q?"])
    delivered: list[str] = []
    monkeypatch.setattr(outbox, "HANDLERS", {})
    outbox.register_consumer(ctx, "test-consumer")
    outbox.register_handler("test-consumer", lambda message: delivered.append(message.type))
    monkeypatch.setattr("hashchat.actions.runner.HANDLERS", outbox.HANDLERS)
    app = create_app(context=ctx)

    async def serve() -> None:
        async with app.router.lifespan_context(app):
            await asyncio.to_thread(do_start_chat, ctx, host, chat.id)
            deadline = time.monotonic() + 10
            while "state" not in delivered and time.monotonic() < deadline:
                await asyncio.sleep(0.05)

    asyncio.run(serve())
    assert "state" in delivered  # the chat going live reached the consumer
    assert [e.type for e in events_after(ctx.store, chat.id, 0)][:1] == ["state"]
