"""The application factory: the JSON API, the pages, static files and the live machinery."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

import hashchat
from hashchat.actions import cadence
from hashchat.actions.context import AppContext, RateLimiters
from hashchat.live.bus import InProcessBus
from hashchat.settings import Settings
from hashchat.store.db import Store, make_engine
from hashchat.store.events import events_after, last_event_id
from hashchat.web.api import router as api_router
from hashchat.web.auth import CsrfCookieMiddleware
from hashchat.web.errors import install_error_handlers
from hashchat.web.pages import router as pages_router

STATIC_DIR = Path(__file__).resolve().parent / "static"


def build_context(settings: Settings) -> AppContext:
    """Store, in-process bus and rate limiters for `settings` (the database must be migrated)."""
    store = Store(make_engine(settings.database_url))
    bus = InProcessBus(
        lambda chat_id, after_id: events_after(store, chat_id, after_id),
        lambda chat_id: last_event_id(store, chat_id),
        queue_size=settings.sse_queue_size,
        heartbeat_seconds=settings.sse_heartbeat_seconds,
    )
    return AppContext(settings, store, bus, RateLimiters.in_process(settings))


def create_app(settings: Settings | None = None, *, context: AppContext | None = None) -> FastAPI:
    """The hashchat ASGI app. Migrate the database first (`hashchat.store.migrate.upgrade`).

    On startup the bus binds to the event loop and the cadence runner starts ticking; both
    stop on shutdown. Without a lifespan (e.g. httpx.ASGITransport) the bus binds on the first
    stream and the cadence runs only when `run_due` is called.
    """
    ctx = context or build_context(settings or Settings.from_env())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        bus = ctx.bus
        if isinstance(bus, InProcessBus):
            bus.bind(asyncio.get_running_loop())
        # Long-lived objects made at start-up need no cyclic-GC scans (see bench/README.md).
        gc.freeze()
        runner = asyncio.create_task(cadence.run_forever(ctx))
        try:
            yield
        finally:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
            if isinstance(bus, InProcessBus):
                await bus.aclose()
            ctx.store.dispose()

    app = FastAPI(
        title="hashchat",
        version=hashchat.__version__,
        description="Structured hashtag chats: series, live rooms, late answers and recaps.",
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    app.add_middleware(CsrfCookieMiddleware)
    app.include_router(api_router, prefix="/api/v1")
    app.include_router(pages_router)
    STATIC_DIR.mkdir(exist_ok=True)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
