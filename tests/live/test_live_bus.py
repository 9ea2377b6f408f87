"""The in-process bus: replay then live, no repeats, slow viewers cut off, heartbeats."""

from __future__ import annotations

import asyncio

import pytest

from hashchat.live.bus import HEARTBEAT, InProcessBus, StoredEvent, encode_sse

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Table:
    """A stand-in for the events table."""

    def __init__(self) -> None:
        self.rows: list[StoredEvent] = []

    def add(self, chat_id: int = 1) -> StoredEvent:
        event = StoredEvent(len(self.rows) + 1, chat_id, "post", f'{{"n":{len(self.rows) + 1}}}')
        self.rows.append(event)
        return event

    def after(self, chat_id: int, after_id: int) -> list[StoredEvent]:
        return [e for e in self.rows if e.chat_id == chat_id and e.id > after_id]

    def last(self, chat_id: int) -> int:
        return max((e.id for e in self.rows if e.chat_id == chat_id), default=0)


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


async def test_a_viewer_that_falls_a_queue_behind_is_disconnected() -> None:
    table = Table()
    bus = InProcessBus(table.after, table.last, queue_size=2, heartbeat_seconds=60)
    stream = bus.subscribe(1, after_id=0)
    waiting = asyncio.create_task(anext(stream))
    await asyncio.sleep(0.05)
    for _ in range(5):
        table.add()
        bus.publish(1)
        await asyncio.sleep(0.01)  # the viewer does not read meanwhile
    # The first read was already waiting and gets one frame; then the stream ends.
    assert (await asyncio.wait_for(waiting, 2)).startswith(b"id: 1")
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(anext(stream), 2)
    await bus.aclose()


async def test_idle_viewers_get_heartbeats() -> None:
    table = Table()
    bus = InProcessBus(table.after, table.last, heartbeat_seconds=0.05)
    stream = bus.subscribe(1, after_id=0)
    assert await asyncio.wait_for(anext(stream), 2) == HEARTBEAT
    await stream.aclose()
    await bus.aclose()
