"""The in-process bus: replay then live, no repeats, slow viewers cut off, heartbeats."""

from __future__ import annotations

import asyncio

import pytest
from live_support import Table

from hashchat.live.bus import HEARTBEAT, InProcessBus, encode_sse
from hashchat.live.seats import RESYNC

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_replay_then_live_in_order_without_repeats() -> None:
    table = Table()
    bus = InProcessBus(table.after, table.last, heartbeat_seconds=60)
    first, second = table.add(), table.add()
    stream = bus.subscribe(1, after_id=first.id)
    assert await anext(stream) == encode_sse(second)
    third = table.add()
    table.add(chat_id=2)  # another chat's event never shows up here
    bus.publish(1)
    bus.publish(1)  # a second wake-up must not repeat anything
    assert await asyncio.wait_for(anext(stream), 2) == encode_sse(third)
    fourth = table.add()
    bus.publish(1)
    assert await asyncio.wait_for(anext(stream), 2) == encode_sse(fourth)
    await stream.aclose()
    await bus.aclose()


async def test_a_viewer_that_falls_a_queue_behind_gets_resync_and_is_dropped() -> None:
    table = Table()
    bus = InProcessBus(table.after, table.last, queue_size=2, heartbeat_seconds=60)
    stream = bus.subscribe(1, after_id=0)
    waiting = asyncio.create_task(anext(stream))
    await asyncio.sleep(0.05)
    for _ in range(5):
        table.add()
        bus.publish(1)
        await asyncio.sleep(0.01)  # the viewer does not read meanwhile
    # The first read was already waiting and gets one frame; then resync, and the stream ends.
    assert (await asyncio.wait_for(waiting, 2)).startswith(b"id: 1")
    assert await asyncio.wait_for(anext(stream), 2) == RESYNC
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(anext(stream), 2)
    await bus.aclose()


async def test_an_overflowing_viewer_holds_no_events_and_leaves_the_room() -> None:
    table = Table()
    bus = InProcessBus(table.after, table.last, queue_size=3, heartbeat_seconds=60)
    stalled = bus.subscribe(1, after_id=0)
    reading = bus.subscribe(1, after_id=0)
    first = asyncio.create_task(anext(stalled))
    second = asyncio.create_task(anext(reading))
    await asyncio.sleep(0.05)
    table.add()
    bus.publish(1)
    await asyncio.wait_for(asyncio.gather(first, second), 2)
    room = bus._rooms[1]
    assert len(room.viewers) == 2
    for _ in range(10):  # `stalled` never reads again; `reading` keeps up
        table.add()
        bus.publish(1)
        await asyncio.wait_for(anext(reading), 2)
    assert len(room.viewers) == 1
    assert await asyncio.wait_for(anext(stalled), 2) == RESYNC
    await stalled.aclose()
    await reading.aclose()
    await bus.aclose()


async def test_resuming_further_back_than_the_replay_limit_gets_resync() -> None:
    table = Table()
    bus = InProcessBus(table.after, table.last, replay_limit=3, heartbeat_seconds=60)
    for _ in range(5):
        table.add()
    far = bus.subscribe(1, after_id=1)  # four events to replay: one too many
    assert await asyncio.wait_for(anext(far), 2) == RESYNC
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(anext(far), 2)
    near = bus.subscribe(1, after_id=2)  # three: replayed
    assert await asyncio.wait_for(anext(near), 2) == encode_sse(table.rows[2])
    await near.aclose()
    await bus.aclose()


async def test_polling_finds_events_whose_wake_up_was_lost() -> None:
    table = Table()
    bus = InProcessBus(table.after, table.last, heartbeat_seconds=60, poll_seconds=0.05)
    stream = bus.subscribe(1, after_id=0)
    waiting = asyncio.create_task(anext(stream))
    await asyncio.sleep(0.02)
    event = table.add()  # committed elsewhere; no publish reaches this process
    assert await asyncio.wait_for(waiting, 2) == encode_sse(event)
    await stream.aclose()
    await bus.aclose()


async def test_idle_viewers_get_heartbeats() -> None:
    table = Table()
    bus = InProcessBus(table.after, table.last, heartbeat_seconds=0.05)
    stream = bus.subscribe(1, after_id=0)
    assert await asyncio.wait_for(anext(stream), 2) == HEARTBEAT
    await stream.aclose()
    await bus.aclose()
