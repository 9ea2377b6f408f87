"""Rate limits as token buckets behind one interface: in this process, or shared in Redis."""

from __future__ import annotations

import threading
from typing import Protocol

import redis

from hashchat.actions.errors import ActionError
from hashchat.settings import RateLimit


class UnavailableError(ActionError):
    """A service the request needs (Redis) does not answer; the request may be retried."""

    status = 503


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


# One round trip, atomic across processes. Returns {allowed 0/1, tokens left as a string}
# (Lua numbers come back as integers, so the level travels as text). A bucket expires once
# it would be full again: a full bucket carries no information.
_BUCKET_SCRIPT = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local take = ARGV[4] == '1'
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
if not take then
  return {tokens >= 1 and 1 or 0, tostring(tokens)}
end
if tokens < 1 then
  return {0, tostring(tokens)}
end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(math.max(now, at)))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate * 1000) + 1000)
return {1, tostring(tokens)}
"""


class RedisTokenBuckets:
    """Token buckets in Redis, shared by every app process; same arithmetic as TokenBuckets.

    `now` comes from the caller's clock, so processes must share a clock (one machine, or
    NTP). Redis being away is a 503 (`UnavailableError`), never a silent pass: a limit that
    can be skipped by knocking Redis over is no limit.
    """

    def __init__(self, limit: RateLimit, client: redis.Redis, name: str) -> None:
        self._capacity = float(limit.count)
        self._refill_per_second = limit.count / limit.per_seconds
        self._client = client
        self._prefix = f"hashchat:limit:{name}:"
        self._script = client.register_script(_BUCKET_SCRIPT)

    def _run(self, key: str, now: float, take: bool) -> tuple[bool, float]:
        try:
            allowed, tokens = self._script(
                keys=[self._prefix + key],
                args=[self._capacity, self._refill_per_second, repr(now), "1" if take else "0"],
            )
        except redis.RedisError as error:
            raise UnavailableError(
                f"rate limits are unavailable (Redis: {error}); try again in a moment"
            ) from None
        return bool(allowed), float(tokens)

    def allows(self, key: str, now: float) -> bool:
        """True when at least one token is left for `key`."""
        return self._run(key, now, take=False)[0]

    def consume(self, key: str, now: float) -> bool:
        """Take one token from `key`'s bucket if there is one."""
        return self._run(key, now, take=True)[0]

    def retry_after(self, key: str, now: float) -> float:
        """Seconds until `key` has a whole token again."""
        tokens = self._run(key, now, take=False)[1]
        return max(0.0, (1.0 - tokens) / self._refill_per_second)
