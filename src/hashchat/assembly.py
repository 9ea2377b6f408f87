"""Assembling a running hashchat: the context (store, bus, rate limiters), the background jobs
and the HTTP server. A neutral home, so that the CLI and workers build what the web app runs
without importing `hashchat.web` themselves (only `serve` reaches the ASGI app, by name)."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol, runtime_checkable

from hashchat.actions.context import AppContext, RateLimiters
from hashchat.actions.runner import Job, server_jobs
from hashchat.live import redis_client
from hashchat.live.bus import EventBus, InProcessBus
from hashchat.live.nchan import NchanBus
from hashchat.live.nchan_redis import RedisNchanState
from hashchat.live.nchan_state import MemoryNchanState, NchanState
from hashchat.live.redis_bus import RedisWakeups
from hashchat.settings import Settings
from hashchat.store.db import Store, make_engine
from hashchat.store.events import POST_CHANGE_TYPES, events_after, last_event_id
from hashchat.store.identity import database_id

# With Redis wake-ups a watched chat is also re-read this often (lost wake-ups cost latency).
REDIS_POLL_SECONDS = 2.0


@runtime_checkable
class ManagedBus(Protocol):
    """A bus with background work: started on the server's loop, stopped at shutdown."""

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start on `loop`."""

    async def aclose(self) -> None:
        """Stop."""


def build_bus(settings: Settings, store: Store) -> EventBus:
    """The bus the settings ask for: in-process, in-process with Redis wake-ups, or nchan."""

    def read_last(chat_id: int) -> int:
        return last_event_id(store, chat_id)

    if settings.fanout == "nchan":
        assert settings.nchan_publish_url is not None  # Settings.check guarantees it
        state: NchanState = (
            RedisNchanState(
                redis_client.connect_async(settings.redis_url),
                settings.nchan_buffer_length,
                settings.nchan_message_seconds,
                database=database_id(store),
            )
            if settings.redis_url
            else MemoryNchanState(settings.nchan_buffer_length)
        )
        return NchanBus(
            lambda chat_id, after_id: events_after(store, chat_id, after_id),
            read_last,
            settings.nchan_publish_url,
            state,
            buffer_length=settings.nchan_buffer_length,
            message_seconds=settings.nchan_message_seconds,
            interval_seconds=settings.nchan_interval_seconds,
            changes=POST_CHANGE_TYPES,
            replay_limit=settings.sse_replay_limit,
        )
    local = InProcessBus(
        lambda chat_id, after_id: events_after(store, chat_id, after_id),
        read_last,
        queue_size=settings.sse_queue_size,
        heartbeat_seconds=settings.sse_heartbeat_seconds,
        replay_limit=settings.sse_replay_limit,
        poll_seconds=REDIS_POLL_SECONDS if settings.redis_url else None,
    )
    if not settings.redis_url:
        return local
    return RedisWakeups(
        local,
        redis_client.connect_async(settings.redis_url),
        redis_client.connect_async(settings.redis_url, listening=True),
    )


# Options every server that runs this app must be given: X-Forwarded-For and -Proto are the
# app's business (only from HASHCHAT_TRUSTED_PROXIES, see create_app), so uvicorn must not
# believe them itself (by default it does, from 127.0.0.1).
UVICORN_OPTIONS: dict[str, Any] = {"proxy_headers": False}


def build_context(settings: Settings) -> AppContext:
    """Store, bus and rate limiters for `settings` (the database must be migrated)."""
    store = Store(make_engine(settings.database_url))
    limits = (
        RateLimiters.shared(settings, redis_client.connect(settings.redis_url))
        if settings.redis_url
        else RateLimiters.in_process(settings)
    )
    return AppContext(settings, store, build_bus(settings, store), limits)


def background_jobs(ctx: AppContext) -> list[Job]:
    """The one runner's jobs for a serving process: cadence, schedules' top-ups, outbox
    deliveries, and (issue 11) the bridges: our chats' posts go out on the connected networks
    and their posts come in. Imported here, late: the networks' SDKs take seconds to import."""
    from hashchat.bridges.runner import bridge_jobs, register_outbound

    register_outbound(ctx)
    return [*server_jobs(ctx), *bridge_jobs(ctx)]


def serve(ctx: AppContext, host: str, port: int, **options: Any) -> None:
    """Serve the web app on `ctx` until interrupted (`options` go to uvicorn)."""
    import uvicorn

    from hashchat.web.app import create_app

    uvicorn.run(create_app(context=ctx), host=host, port=port, **{**options, **UVICORN_OPTIONS})


__all__ = [
    "REDIS_POLL_SECONDS",
    "UVICORN_OPTIONS",
    "ManagedBus",
    "background_jobs",
    "build_bus",
    "build_context",
    "serve",
]
