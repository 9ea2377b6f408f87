"""Redis wake-ups: a post committed in one process reaches viewers of another."""

from __future__ import annotations

import asyncio

import pytest

from hashchat.live.bus import InProcessBus, StoredEvent, encode_sse
from hashchat.live.redis_bus import RedisWakeups
from hashchat.live.redis_client import connect_async

pytestmark = [pytest.mark.anyio, pytest.mark.redis]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_a_publish_in_one_process_wakes_the_viewers_of_another(redis_url: str) -> None:
    rows: list[StoredEvent] = []

    def bus() -> RedisWakeups:
        # The pumps never poll here: only the Redis wake-up can deliver within the test.
        local = InProcessBus(
            lambda chat, after: [e for e in rows if e.chat_id == chat and e.id > after],
            lambda chat: max((e.id for e in rows if e.chat_id == chat), default=0),
            heartbeat_seconds=60,
        )
        return RedisWakeups(
            local, connect_async(redis_url), connect_async(redis_url, listening=True)
        )

    writer, reader = bus(), bus()
    try:  # closed whatever happens: a failed test must not leave Redis connections open
        loop = asyncio.get_running_loop()
        writer.bind(loop)
        reader.bind(loop)
        await asyncio.wait_for(reader.listening.wait(), 5)
        stream = reader.subscribe(9001, after_id=0)
        try:
            waiting = asyncio.create_task(anext(stream))
            await asyncio.sleep(0.1)  # the viewer is in the room before the event commits
            rows.append(StoredEvent(1, 9001, "post", '{"n":1}'))
            writer.publish(9001)
            assert await asyncio.wait_for(waiting, 5) == encode_sse(rows[0])
        finally:
            await stream.aclose()
    finally:
        await writer.aclose()
        await reader.aclose()
