"""The application factory: the JSON API, the pages, static files and the live machinery."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.staticfiles import StaticFiles
from redis.exceptions import RedisError
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import hashchat
from hashchat.actions.chats import get_chat
from hashchat.actions.context import AppContext
from hashchat.actions.limits import UnavailableError
from hashchat.actions.resume import stream_start
from hashchat.actions.runner import run_background
from hashchat.assembly import ManagedBus, background_jobs, build_context
from hashchat.live.nchan import SUBSCRIBER_PATH, FanoutUnavailableError, NchanBus
from hashchat.live.seats import RESYNC
from hashchat.settings import Settings
from hashchat.web.api import router as api_router
from hashchat.web.api.events import After, LastEventId, requested_resume
from hashchat.web.api.imports import router as imports_api_router
from hashchat.web.api.schemas import ChatId
from hashchat.web.auth import CsrfCookieMiddleware
from hashchat.web.body_limit import BodyLimitMiddleware
from hashchat.web.deps import Ctx
from hashchat.web.errors import install_error_handlers
from hashchat.web.nchan_handoff import NchanReconnects
from hashchat.web.pages import router as pages_router
from hashchat.web.pages.imports import router as imports_page_router
from hashchat.web.security_headers import SecurityHeadersMiddleware

STATIC_DIR = Path(__file__).resolve().parent / "static"


def install_nchan_handoff(app: FastAPI, bus: NchanBus) -> None:
    """In nchan mode the app answers the stream path only to hand the viewer to nchan:
    nginx follows `X-Accel-Redirect` to its internal subscriber location (see
    deploy/nginx-hashchat.conf.template); a viewer nchan cannot serve gets `resync`, one that
    resumes inside a message or behind a changed post gets the rest from here (`replay`).
    A stream without a resume point starts at the present (`stream_start`).

    A reconnect storm is thousands of these at once, so a reconnect costs no database query:
    chats are never deleted, so a chat found once is remembered (`known`), and the bus answers
    a published resume point from Redis alone."""
    known: set[int] = set()
    # Outermost: a plain reconnect to a known chat skips everything else (web.nchan_handoff).
    app.add_middleware(NchanReconnects, bus=bus, known=known)

    @app.get("/api/v1/chats/{chat_id}/events", include_in_schema=False)
    async def nchan_events(
        chat_id: ChatId, ctx: Ctx, after: After = None, last_event_id: LastEventId = None
    ) -> Response:
        requested = requested_resume(last_event_id, after)  # as the in-process stream parses
        if chat_id not in known:
            await run_in_threadpool(get_chat, ctx, chat_id)  # 404 before any stream
            known.add(chat_id)
        if requested is None:
            resume = await run_in_threadpool(stream_start, ctx, chat_id, None)
        else:
            resume = requested
        try:
            handoff = await bus.handoff(chat_id, resume, present=requested is None)
        except (FanoutUnavailableError, RedisError) as error:
            raise UnavailableError(f"live updates are unavailable ({error})") from None
        if handoff.replay_to is not None:  # answered here, up to a message boundary
            frames = await bus.replay(chat_id, resume, handoff.replay_to)
            return Response(
                RESYNC if frames is None else frames,
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache"},
            )
        if handoff.resync:
            return Response(RESYNC, media_type="text/event-stream")
        target = f"{SUBSCRIBER_PATH}/{chat_id}"
        if handoff.message is not None:
            target += "?msgid=" + quote(handoff.message, safe="")
        return Response(headers={"X-Accel-Redirect": target})


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
        if isinstance(bus, ManagedBus):
            bus.bind(asyncio.get_running_loop())
        # Long-lived objects made at start-up need no cyclic-GC scans (see bench/README.md).
        gc.freeze()
        # One runner for background work (hashchat.assembly.background_jobs).
        background = asyncio.create_task(run_background(background_jobs(ctx)))
        try:
            yield
        finally:
            background.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await background
            if isinstance(bus, ManagedBus):
                await bus.aclose()
            ctx.store.dispose()

    app = FastAPI(
        title="hashchat",
        version=hashchat.__version__,
        description="Structured hashtag chats: series, live rooms, late answers and recaps.",
        lifespan=lifespan,
        # Swagger UI and ReDoc run inline scripts from a CDN, which the pages' CSP forbids;
        # the API is documented by /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    if ctx.settings.trusted_proxies:  # X-Forwarded-* only from the proxies the operator names
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(ctx.settings.trusted_proxies))
    app.add_middleware(CsrfCookieMiddleware)
    # Outside the others: a body over its limit is refused before anything reads it.
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=ctx.settings.max_body_bytes,
        max_upload_bytes=ctx.settings.max_upload_bytes,
    )
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: every response has them
    if isinstance(ctx.bus, NchanBus):
        # Registered before the API so that it answers the stream path in nchan mode.
        install_nchan_handoff(app, ctx.bus)
    app.include_router(api_router, prefix="/api/v1")
    app.include_router(imports_api_router, prefix="/api/v1")  # issue 10: archive uploads
    app.include_router(pages_router)
    app.include_router(imports_page_router)
    STATIC_DIR.mkdir(exist_ok=True)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
