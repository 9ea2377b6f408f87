"""Rate limits in Redis: the same buckets as in-process, shared, and a 503 when Redis is away."""

from __future__ import annotations

import uuid

import pytest

from hashchat.actions.limits import RedisTokenBuckets, TokenBuckets, UnavailableError
from hashchat.live.redis_client import connect
from hashchat.settings import RateLimit

pytestmark = pytest.mark.redis


def test_redis_buckets_count_like_in_process_buckets(redis_url: str) -> None:
    limit = RateLimit(3, 30.0)
    shared = RedisTokenBuckets(limit, connect(redis_url), f"test-{uuid.uuid4().hex}")
    local = TokenBuckets(limit)
    for now in (0.0, 0.1, 0.2, 0.3, 5.0, 10.5, 10.6, 25.0):  # off exact refill instants
        assert shared.consume("alice:1", 1000 + now) == local.consume("alice:1", 1000 + now)
        assert shared.allows("alice:1", 1000 + now) == local.allows("alice:1", 1000 + now)
        assert shared.retry_after("alice:1", 1000 + now) == pytest.approx(
            local.retry_after("alice:1", 1000 + now)
        )


def test_two_processes_share_one_bucket(redis_url: str) -> None:
    name = f"test-{uuid.uuid4().hex}"
    first = RedisTokenBuckets(RateLimit(2, 60.0), connect(redis_url), name)
    second = RedisTokenBuckets(RateLimit(2, 60.0), connect(redis_url), name)
    assert first.consume("bob:1", 100.0)
    assert second.consume("bob:1", 100.0)
    assert not first.consume("bob:1", 100.0)
    assert second.retry_after("bob:1", 100.0) == pytest.approx(30.0)


def test_an_absent_redis_is_a_503_naming_redis() -> None:
    nowhere = RedisTokenBuckets(RateLimit(2, 60.0), connect("redis://127.0.0.1:1/0"), "x")
    with pytest.raises(UnavailableError, match="Redis") as raised:
        nowhere.consume("carol:1", 1.0)
    assert raised.value.status == 503
