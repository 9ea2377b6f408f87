"""What every action needs: settings (with the clock), the store, the bus and the rate limiters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import redis

from hashchat.actions.limits import RateLimiter, RedisTokenBuckets, TokenBuckets
from hashchat.live.bus import EventBus
from hashchat.settings import Settings
from hashchat.store.db import Store


@dataclass(frozen=True, slots=True)
class RateLimiters:
    """One limiter per kind of attempt."""

    posts: RateLimiter
    login_failures: RateLimiter
    registrations: RateLimiter

    @classmethod
    def in_process(cls, settings: Settings) -> RateLimiters:
        """Token buckets in this process, sized from the settings."""
        return cls(
            posts=TokenBuckets(settings.post_rate),
            login_failures=TokenBuckets(settings.login_failure_rate),
            registrations=TokenBuckets(settings.register_rate),
        )

    @classmethod
    def shared(cls, settings: Settings, client: redis.Redis) -> RateLimiters:
        """Token buckets in Redis, shared by every process of the deployment."""
        return cls(
            posts=RedisTokenBuckets(settings.post_rate, client, "posts"),
            login_failures=RedisTokenBuckets(settings.login_failure_rate, client, "logins"),
            registrations=RedisTokenBuckets(settings.register_rate, client, "registrations"),
        )


@dataclass(frozen=True, slots=True)
class AppContext:
    """Passed as the first argument of every action."""

    settings: Settings
    store: Store
    bus: EventBus
    limits: RateLimiters

    def now(self) -> datetime:
        """The current time from the injected clock (UTC, aware)."""
        return self.settings.clock()
