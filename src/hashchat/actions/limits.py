"""Rate limits as token buckets behind a small interface (a Redis one can replace it later)."""

from __future__ import annotations

import threading
from typing import Protocol

from hashchat.settings import RateLimit


class RateLimiter(Protocol):
    """Counts attempts per key against one RateLimit."""

    def allows(self, key: str, now: float) -> bool:
        """True when an attempt at `now` (seconds) would be allowed; consumes nothing."""

    def consume(self, key: str, now: float) -> bool:
        """Take one token; False (and nothing taken) when the bucket is empty."""

    def retry_after(self, key: str, now: float) -> float:
        """Seconds until the next attempt is allowed (0 when it is allowed now)."""


class TokenBuckets:
    """In-process token buckets: `count` tokens, refilled at count/per_seconds per second."""

    def __init__(self, limit: RateLimit) -> None:
        self._capacity = float(limit.count)
        self._refill_per_second = limit.count / limit.per_seconds
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def _level(self, key: str, now: float) -> float:
        tokens, then = self._buckets.get(key, (self._capacity, now))
        return min(self._capacity, tokens + max(0.0, now - then) * self._refill_per_second)

    def allows(self, key: str, now: float) -> bool:
        """True when at least one token is left for `key`."""
        with self._lock:
            return self._level(key, now) >= 1.0

    def consume(self, key: str, now: float) -> bool:
        """Take one token from `key`'s bucket if there is one."""
        with self._lock:
            level = self._level(key, now)
            if level < 1.0:
                return False
            self._buckets[key] = (level - 1.0, now)
            if len(self._buckets) > 100_000:
                self._forget_full(now)
            return True

    def retry_after(self, key: str, now: float) -> float:
        """Seconds until `key` has a whole token again."""
        with self._lock:
            missing = 1.0 - self._level(key, now)
        return max(0.0, missing / self._refill_per_second)

    def _forget_full(self, now: float) -> None:
        # A full bucket carries no information; dropping it bounds memory under many keys.
        full = [key for key in self._buckets if self._level(key, now) >= self._capacity]
        for key in full:
            del self._buckets[key]
