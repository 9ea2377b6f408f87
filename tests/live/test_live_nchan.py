"""The nchan publisher and hand-off: order, retries, Last-Event-ID mapping, resync."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest

from hashchat.live.bus import StoredEvent
from hashchat.live.nchan import FanoutUnavailableError, NchanBus
from hashchat.live.nchan_state import (
    RESYNC,
    ChatMap,
    Handoff,
    MemoryNchanState,
    RedisNchanState,
    decide,
)
from hashchat.live.redis_client import connect_async

pytestmark = pytest.mark.anyio
NOW = 1_800_000_000.0


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_decide_maps_a_resume_point_onto_nchans_messages() -> None:
    mapped = ChatMap(
        cursor=9,
        cursor_message=f"{NOW:.0f}:3",
        floor=4,
        at_or_before=(7, f"{NOW:.0f}:1"),
        oldest=(5, f"{NOW:.0f}:0"),
    )
    assert decide(mapped, 7, NOW, 600) == Handoff(message=f"{NOW:.0f}:1")
    nothing_before = ChatMap(9, f"{NOW:.0f}:3", 4, None, (5, f"{NOW:.0f}:0"))
    assert decide(nothing_before, 4, NOW, 600) == Handoff(message=None)  # the whole buffer
    assert decide(nothing_before, 3, NOW, 600) == RESYNC  # event 4 left the buffer
    stale = ChatMap(9, f"{NOW:.0f}:3", 4, (7, f"{NOW - 900:.0f}:1"), (5, f"{NOW:.0f}:0"))
    assert decide(stale, 7, NOW, 600) == RESYNC  # nchan may have dropped what follows it
    idle = ChatMap(9, f"{NOW - 9000:.0f}:3", 9, None, None)  # the map expired
    assert decide(idle, 9, NOW, 600) == Handoff(message=f"{NOW - 9000:.0f}:3")
    assert decide(idle, 8, NOW, 600) == RESYNC
    assert decide(ChatMap(None, None, 0, None, None), 0, NOW, 600) == Handoff(message=None)


class FakeNchan:
    """nchan's publisher as seen over HTTP: numbered messages, a bounded buffer."""

    def __init__(self, buffer: int) -> None:
        self.buffer = buffer
        self.bodies: list[bytes] = []
        self.down = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("refused", request=request)
        self.bodies.append(request.content)
        tag = len(self.bodies) - 1
        info = {
            "messages": min(len(self.bodies), self.buffer),
            "last_message_id": f"{NOW:.0f}:{tag}",
        }
        return httpx.Response(202, content=json.dumps(info).encode())


class Table:
    def __init__(self) -> None:
        self.rows: list[StoredEvent] = []

    def add(self) -> None:
        n = len(self.rows) + 1
        self.rows.append(StoredEvent(n, 1, "post", f'{{"n":{n}}}'))

    def after(self, chat_id: int, after_id: int) -> list[StoredEvent]:
        return [e for e in self.rows if e.id > after_id]

    def last(self, chat_id: int) -> int:
        return self.rows[-1].id if self.rows else 0


def make_bus(table: Table, nchan: FakeNchan, buffer: int) -> NchanBus:
    return NchanBus(
        table.after,
        table.last,
        "http://nchan/pub",
        MemoryNchanState(buffer),
        buffer_length=buffer,
        message_seconds=3600,
        transport=httpx.MockTransport(nchan.handle),
        clock=lambda: NOW,
        retry_seconds=0.01,
    )


def frame_ids(nchan: FakeNchan) -> list[list[int]]:
    return [[int(n) for n in re.findall(rb"^id: (\d+)$", body, re.M)] for body in nchan.bodies]


async def test_events_are_published_in_order_once_and_retried_after_a_failure() -> None:
    table, nchan = Table(), FakeNchan(buffer=5)
    bus = make_bus(table, nchan, 5)
    bus.bind(asyncio.get_running_loop())

    async def commit(count: int) -> None:
        for _ in range(count):
            table.add()
            bus.publish(1)
            await asyncio.sleep(0.02)  # one message each

    await commit(2)
    nchan.down = True
    await commit(2)  # these two wait, then go out together
    nchan.down = False
    await asyncio.sleep(0.1)
    assert frame_ids(nchan) == [[1], [2], [3, 4]]
    assert await bus.handoff(1, 2) == Handoff(message=f"{NOW:.0f}:1")  # after event 2's message
    assert await bus.handoff(1, 0) == Handoff(message=None)  # the buffer holds the whole chat
    assert await bus.handoff(1, 3) == RESYNC  # inside the message of 3 and 4
    await commit(4)
    assert frame_ids(nchan)[3:] == [[5], [6], [7], [8]]
    assert await bus.handoff(1, 1) == RESYNC  # 6 messages, nchan keeps 5
    assert await bus.handoff(1, 2) == Handoff(message=None)  # messages 3..8 are all held
    assert await bus.handoff(1, 6) == Handoff(message=f"{NOW:.0f}:4")
    await bus.aclose()


async def test_handoff_waits_for_the_publisher_then_gives_up_cleanly() -> None:
    table, nchan = Table(), FakeNchan(buffer=5)
    bus = make_bus(table, nchan, 5)
    bus.bind(asyncio.get_running_loop())
    table.add()  # committed, never announced: the hand-off itself makes it published
    assert await bus.handoff(1, 1) == Handoff(message=f"{NOW:.0f}:0")
    nchan.down = True
    table.add()
    bus._catch_up_seconds = 0.1
    with pytest.raises(FanoutUnavailableError):
        await bus.handoff(1, 2)
    await bus.aclose()


@pytest.mark.redis
async def test_the_redis_state_agrees_with_the_memory_state(redis_url: str) -> None:
    client = connect_async(redis_url)
    await client.delete("hashchat:nchan:77:ids", "hashchat:nchan:77:meta")
    shared, local = RedisNchanState(client, 3, 3600), MemoryNchanState(3)
    for state in (shared, local):
        assert await state.cursor(77) is None
        async with state.publishing(77):
            for n in range(1, 6):
                await state.record(77, (n * 10 - 5, n * 10), f"{NOW:.0f}:{n}", min(n, 3))
        assert await state.cursor(77) == 50
    for after in (0, 25, 30, 36, 40, 55):
        assert await shared.locate(77, after) == await local.locate(77, after)
    assert (await shared.locate(77, 35)).at_or_before == (30, f"{NOW:.0f}:3")
    assert (await shared.locate(77, 35)).floor == 20
    assert decide(await shared.locate(77, 36), 36, NOW, 600) == RESYNC  # inside message 4
    await client.delete("hashchat:nchan:77:ids", "hashchat:nchan:77:meta")
    await client.aclose()
