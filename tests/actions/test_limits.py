"""Token buckets, in this process and in Redis: `take` checks and counts in one atomic step,
all keys or none, and a refused attempt takes nothing (so it never lengthens the wait)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import pytest

from hashchat.actions.limits import RateLimiter, RedisTokenBuckets, TokenBuckets
from hashchat.live.redis_client import connect
from hashchat.settings import RateLimit

Make = Callable[[RateLimit], RateLimiter]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def make(request: pytest.FixtureRequest) -> Make:
    if request.param == "memory":
        return TokenBuckets
    client = connect(request.getfixturevalue("redis_url"))
    name = f"test-{uuid.uuid4().hex}"
    return lambda limit: RedisTokenBuckets(limit, client, name)


def test_concurrent_takes_never_exceed_the_bucket(make: Make) -> None:
    limiter = make(RateLimit(10, 300.0))
    start = threading.Barrier(100)
    taken: list[float] = []

    def attempt() -> None:
        start.wait()
        taken.append(limiter.take(["name:victim", "ip:10.0.0.1"], 1000.0))

    threads = [threading.Thread(target=attempt) for _ in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert taken.count(0.0) == 10
    assert all(0 < wait <= 30.0 for wait in taken if wait)


def test_take_is_all_keys_or_none(make: Make) -> None:
    limiter = make(RateLimit(2, 60.0))
    assert limiter.take(["ip:a"], 0.0) == 0.0
    assert limiter.take(["ip:a"], 0.0) == 0.0
    assert limiter.take(["name:x", "ip:a"], 0.0) == pytest.approx(30.0)
    assert limiter.allows("name:x", 0.0)  # the refused attempt took nothing from name:x
    assert limiter.take(["name:x"], 0.0) == 0.0
    assert limiter.take(["name:x"], 0.0) == 0.0


def test_refused_attempts_do_not_lengthen_the_wait_and_give_back_refunds(make: Make) -> None:
    limiter = make(RateLimit(3, 30.0))
    for _ in range(3):
        assert limiter.take(["name:v"], 100.0) == 0.0
    for second in range(1, 10):  # hammering a locked key
        assert limiter.take(["name:v"], 100.0 + second) == pytest.approx(10.0 - second)
    assert limiter.take(["name:v"], 110.0) == 0.0  # one refill period after the last count
    limiter.give_back(["name:v"], 110.0)
    assert limiter.take(["name:v"], 110.0) == 0.0
    for _ in range(5):
        limiter.give_back(["name:v"], 200.0)  # never above the bucket's size
    assert [limiter.consume("name:v", 200.0) for _ in range(4)] == [True, True, True, False]
