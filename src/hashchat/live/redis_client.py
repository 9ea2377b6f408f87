"""Redis clients that fail fast: a request waits at most about a second for an absent Redis."""

from __future__ import annotations

import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.retry import Retry

# Short enough that a request answers 503 quickly while Redis restarts; long enough for a
# loaded loopback Redis.
TIMEOUT_SECONDS = 1.0


def connect(url: str) -> redis.Redis:
    """A thread-safe pooled client for `url` (used from request worker threads)."""
    return redis.Redis.from_url(
        url,
        socket_timeout=TIMEOUT_SECONDS,
        socket_connect_timeout=TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 1),
        health_check_interval=30,
    )


def connect_async(url: str, *, listening: bool = False) -> aioredis.Redis:
    """An asyncio client for `url` (used by the bus inside the event loop); a `listening`
    one (pub/sub) may wait for messages as long as it likes."""
    return aioredis.Redis.from_url(
        url,
        socket_timeout=None if listening else TIMEOUT_SECONDS,
        socket_connect_timeout=TIMEOUT_SECONDS,
        retry=AsyncRetry(NoBackoff(), 1),
        health_check_interval=30,
    )
