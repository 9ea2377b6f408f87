"""Rate limits as token buckets behind one interface: in this process, or shared in Redis."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import redis

from hashchat.actions.errors import ActionError
from hashchat.settings import RateLimit


class UnavailableError(ActionError):
    """A service the request needs (Redis) does not answer; the request may be retried."""

    status = 503


class RateLimiter(Protocol):
    """Counts attempts per key against one RateLimit.

    `take` is the check and the count in one atomic step (one lock here, one script in Redis):
    an attempt that must be slowed down is counted *before* the work it guards, so concurrent
    attempts cannot all pass the check before any of them is counted.
    """

    def take(self, keys: Sequence[str], now: float) -> float:
        """Take one token from each key's bucket, all or none: 0.0 when taken, else the
        seconds until every one of them has a token again (and nothing is taken, so refused
        attempts never lengthen the wait)."""

    def give_back(self, keys: Sequence[str], now: float) -> None:
        """Return the token `take` took from each key (an attempt that turned out not to
        count, such as a right password); never above the bucket's size."""

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

    def _wait(self, level: float) -> float:
        return max(0.0, (1.0 - level) / self._refill_per_second)

    def take(self, keys: Sequence[str], now: float) -> float:
        """Take one token from every key, or none (see RateLimiter.take)."""
        with self._lock:
            levels = [self._level(key, now) for key in keys]
            wait = max((self._wait(level) for level in levels), default=0.0)
            if wait > 0.0:
                return wait
            for key, level in zip(keys, levels, strict=True):
                self._buckets[key] = (level - 1.0, now)
            if len(self._buckets) > 100_000:
                self._forget_full(now)
            return 0.0

    def give_back(self, keys: Sequence[str], now: float) -> None:
        """Return one token to every key (see RateLimiter.give_back)."""
        with self._lock:
            for key in keys:
                self._buckets[key] = (min(self._capacity, self._level(key, now) + 1.0), now)

    def allows(self, key: str, now: float) -> bool:
        """True when at least one token is left for `key`."""
        with self._lock:
            return self._level(key, now) >= 1.0

    def consume(self, key: str, now: float) -> bool:
        """Take one token from `key`'s bucket if there is one."""
        return self.take([key], now) == 0.0

    def retry_after(self, key: str, now: float) -> float:
        """Seconds until `key` has a whole token again."""
        with self._lock:
            return self._wait(self._level(key, now))

    def _forget_full(self, now: float) -> None:
        # A full bucket carries no information; dropping it bounds memory under many keys.
        full = [key for key in self._buckets if self._level(key, now) >= self._capacity]
        for key in full:
            del self._buckets[key]


# One round trip, atomic across processes: mode 'peek' reads, 'take' takes one token from every
# key or none, 'give' returns one to each. Returns {done 0/1, seconds to wait as a string}
# (Lua numbers come back as integers, so the wait travels as text). A bucket expires once it
# would be full again: a full bucket carries no information.
_BUCKET_SCRIPT = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local mode = ARGV[4]
local levels, ats = {}, {}
local wait = 0
for i, key in ipairs(KEYS) do
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(state[1]) or capacity
  local at = tonumber(state[2]) or now
  levels[i] = math.min(capacity, tokens + math.max(0, now - at) * rate)
  ats[i] = math.max(now, at)
  if levels[i] < 1 then
    wait = math.max(wait, (1 - levels[i]) / rate)
  end
end
if mode == 'peek' or (mode == 'take' and wait > 0) then
  return {0, tostring(wait)}
end
for i, key in ipairs(KEYS) do
  local tokens = levels[i] - 1
  if mode == 'give' then
    tokens = math.min(capacity, levels[i] + 1)
  end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(ats[i]))
  redis.call('PEXPIRE', key, math.ceil((capacity - tokens) / rate * 1000) + 1000)
end
return {1, '0'}
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

    def _run(self, keys: Sequence[str], now: float, mode: str) -> tuple[bool, float]:
        try:
            done, wait = self._script(
                keys=[self._prefix + key for key in keys],
                args=[self._capacity, self._refill_per_second, repr(now), mode],
            )
        except redis.RedisError as error:
            raise UnavailableError(
                f"rate limits are unavailable (Redis: {error}); try again in a moment"
            ) from None
        return bool(done), float(wait)

    def take(self, keys: Sequence[str], now: float) -> float:
        """Take one token from every key, or none (see RateLimiter.take)."""
        return self._run(keys, now, "take")[1]

    def give_back(self, keys: Sequence[str], now: float) -> None:
        """Return one token to every key (see RateLimiter.give_back)."""
        self._run(keys, now, "give")

    def allows(self, key: str, now: float) -> bool:
        """True when at least one token is left for `key`."""
        return self._run([key], now, "peek")[1] == 0.0

    def consume(self, key: str, now: float) -> bool:
        """Take one token from `key`'s bucket if there is one."""
        return self.take([key], now) == 0.0

    def retry_after(self, key: str, now: float) -> float:
        """Seconds until `key` has a whole token again."""
        return self._run([key], now, "peek")[1]
