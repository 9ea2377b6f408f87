"""The nchan publishing state in Redis: the same answers as the in-process one, pacing by
Redis's clock, and records fenced by the lock."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis
from live_support import DATABASE, nchan_keys, redis_for

from hashchat.live.nchan_redis import RedisNchanState
from hashchat.live.nchan_state import (
    Handoff,
    MemoryNchanState,
    Progress,
    PublishingConflictError,
    decide,
)

pytestmark = pytest.mark.anyio
NOW = 1_800_000_000.0


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.redis
async def test_the_redis_state_agrees_with_the_memory_state(redis_url: str) -> None:
    async with redis_for(redis_url, nchan_keys(77)) as client:
        await agree(client)


async def agree(client: aioredis.Redis) -> None:
    shared, local = RedisNchanState(client, 3, 3600, database=DATABASE), MemoryNchanState(3)
    for state in (shared, local):
        assert await state.cursor(77) is None
        assert await state.progress(77) == Progress(None, 0.0, ())
        await state.request_cut(77, 12)
        await state.request_cut(77, 33)
        async with state.publishing(77) as held:
            assert held
            async with state.publishing(77) as again:
                assert not again  # never waited for: the caller looks again later
            for n in range(1, 6):
                await state.record(77, (n * 10 - 5, n * 10), f"{NOW:.0f}:{n}", min(n, 3), 0.0)
                if n == 2:
                    assert await state.progress(77) == Progress(20, 0.0, (33,))
            with pytest.raises(PublishingConflictError):  # the cursor never moves back
                await state.record(77, (41, 45), f"{NOW:.0f}:9", 3, 0.0)
        assert await state.cursor(77) == 50
        assert (await state.progress(77)).cuts == ()
    for after in (0, 25, 30, 36, 40, 55):
        assert await shared.locate(77, after) == await local.locate(77, after)
    assert (await shared.locate(77, 35)).at_or_before == (30, f"{NOW:.0f}:3")
    assert (await shared.locate(77, 35)).floor == 20
    # Inside message 4 (36..40): the app answers 37..40 itself, the reconnect goes on after 40.
    assert decide(await shared.locate(77, 36), 36, NOW, 600) == Handoff(replay_to=40)
    for state in (shared, local):  # pacing is the store's: 5 s from the record on
        async with state.publishing(77):
            await state.record(77, (51, 52), f"{NOW:.0f}:6", 3, 5.0)
        assert 4.0 < (await state.progress(77)).paced_for <= 5.0
    with pytest.raises(PublishingConflictError):  # the lock is not held any more
        await shared.record(77, (53, 53), f"{NOW:.0f}:7", 3, 0.0)
    assert await shared.cursor(77) == 52
    # A marker after the cursor's message takes a place in the buffer and is never the
    # message to start after: a viewer at the cursor gets it first.
    for state in (shared, local):
        async with state.publishing(77):
            with pytest.raises(PublishingConflictError):  # only at the cursor
                await state.record_marker(77, 51, f"{NOW:.0f}:8", 3)
            await state.record_marker(77, 52, f"{NOW:.0f}:8", 3)
            assert (await state.progress(77)).marked == 52
            await state.record(77, (53, 60), f"{NOW:.0f}:9", 3, 0.0)
    for after in (50, 52, 53, 60):
        assert await shared.locate(77, after) == await local.locate(77, after)
    at_cursor = await shared.locate(77, 52)
    assert at_cursor.at_or_before == (52, f"{NOW:.0f}:6")
    assert at_cursor.marked == 52
    assert at_cursor.floor == 50  # trimmed to 3 messages: 6, the marker, 9
    assert decide(at_cursor, 52, NOW, 600) == Handoff(message=f"{NOW:.0f}:6")
    async with shared.publishing(77):
        await shared.record(77, (61, 61), f"{NOW:.0f}:10", 3, 0.0)  # message 6 leaves
    assert (await shared.locate(77, 52)).floor == 52  # a whole number: the marker's is 52.5
    assert decide(await shared.locate(77, 52), 52, NOW, 600) == Handoff(message=None)
