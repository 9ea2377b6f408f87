"""InProcessBus.serve: the pump writes into each viewer's ASGI `send`; stalled sockets drain,
overflow into `resync` and leave; order holds across bursts; a disconnect removes the viewer."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from live_support import Table

from hashchat.live import bus as bus_module
from hashchat.live.bus import HEARTBEAT, InProcessBus
from hashchat.live.seats import RESYNC

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Client:
    """One viewer's response as uvicorn serves it: `send` writes at once unless the socket is
    paused by flow control, then it waits until writable (as `await flow.drain()` does)."""

    def __init__(self) -> None:
        self.received = b""
        self.writable = asyncio.Event()
        self.writable.set()
        self.gone = asyncio.Event()
        self.sent_after_leaving = 0
        self._asked = False

    async def send(self, message: Mapping[str, Any]) -> None:
        if not self.writable.is_set():
            await self.writable.wait()
        assert message["type"] == "http.response.body"
        assert message["more_body"] is True  # the caller of `serve` ends the response
        self.sent_after_leaving += self.gone.is_set()
        self.received += message["body"]

    async def receive(self) -> Mapping[str, Any]:
        if not self._asked:  # a GET's (empty) request body comes first
            self._asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.gone.wait()
        return {"type": "http.disconnect"}

    def ids(self) -> list[int]:
        return [int(n) for n in re.findall(rb"^id: (\d+)$", self.received, re.MULTILINE)]

    def watch(self, bus: InProcessBus, after_id: int = 0) -> asyncio.Task[None]:
        return asyncio.create_task(bus.serve(1, after_id, self.send, self.receive))


async def until(condition: Callable[[], bool], seconds: float = 2.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.005)


def post(bus: InProcessBus, table: Table, count: int = 1) -> None:
    for _ in range(count):
        table.add()
    bus.publish(1)


def seat_of(bus: InProcessBus, client: Client) -> Any:
    return next((seat for seat in bus._rooms[1].viewers if seat.send == client.send), None)


async def test_a_stalled_socket_drains_then_gets_resync_and_leaves_while_others_read() -> None:
    table = Table()
    bus = InProcessBus(table.after, table.last, queue_size=3, heartbeat_seconds=60)
    stalled, reading = Client(), Client()
    stalled_task, reading_task = stalled.watch(bus), reading.watch(bus)
    await until(lambda: 1 in bus._rooms and len(bus._rooms[1].viewers) == 2)
    await until(lambda: not any(seat.busy for seat in bus._rooms[1].viewers))
    post(bus, table)
    await until(lambda: stalled.ids() == [1] and reading.ids() == [1])

    stalled.writable.clear()  # its socket buffer is full: sends block from now on
    post(bus, table)
    await until(lambda: reading.ids() == [1, 2])
    assert seat_of(bus, stalled).busy  # draining: event 2 is half sent, later ones queue
    for _ in range(4):  # three fit its backlog; the fourth overflows it
        post(bus, table)
        await until(lambda: reading.ids()[-1] == table.rows[-1].id)
    assert seat_of(bus, stalled) is None
    assert len(bus._rooms[1].viewers) == 1
    assert not stalled_task.done()  # its socket is still blocked

    stalled.writable.set()  # the client reads again: it gets event 2, then resync, and ends
    await asyncio.wait_for(stalled_task, 2)
    assert stalled.ids() == [1, 2]
    assert stalled.received.endswith(RESYNC)
    post(bus, table)
    await until(lambda: reading.ids() == list(range(1, 8)))
    reading.gone.set()
    await asyncio.wait_for(reading_task, 2)
    await bus.aclose()


async def test_frames_arrive_in_order_without_repeats_across_bursts_and_draining() -> None:
    table = Table()
    bus = InProcessBus(table.after, table.last, queue_size=100, heartbeat_seconds=60)
    first = Client()
    first_task = first.watch(bus)
    await until(lambda: 1 in bus._rooms and not seat_of(bus, first).busy)
    for _ in range(2):  # committed, but the pump has not read them yet
        table.add()
    late = Client()  # replays events 1-2 itself; the pump then offers them again
    late_task = late.watch(bus)
    await until(lambda: late.ids() == [1, 2])
    bus.publish(1)
    post(bus, table, 3)  # a burst read in one go
    await until(lambda: first.ids()[-1:] == [5] and late.ids()[-1:] == [5])

    late.writable.clear()
    for _ in range(4):  # one send blocks; the rest queue behind it
        post(bus, table)
        await asyncio.sleep(0.01)
    post(bus, table, 3)
    late.writable.set()
    post(bus, table)
    expected = list(range(1, 14))
    await until(lambda: first.ids() == expected and late.ids() == expected)
    await until(lambda: not seat_of(bus, late).busy)  # written directly again
    post(bus, table)
    await until(lambda: late.ids() == [*expected, 14])
    first.gone.set()
    late.gone.set()
    await asyncio.wait_for(asyncio.gather(first_task, late_task), 2)
    await bus.aclose()


async def test_a_disconnect_removes_the_viewer_even_while_draining() -> None:
    table = Table()
    bus = InProcessBus(table.after, table.last, heartbeat_seconds=60)
    staying, leaving, stuck = Client(), Client(), Client()
    tasks = [client.watch(bus) for client in (staying, leaving, stuck)]
    await until(lambda: 1 in bus._rooms and len(bus._rooms[1].viewers) == 3)
    leaving.gone.set()
    await asyncio.wait_for(tasks[1], 2)
    assert seat_of(bus, leaving) is None
    await until(lambda: not seat_of(bus, stuck).busy)
    stuck.writable.clear()
    post(bus, table)
    await until(lambda: staying.ids() == [1] and seat_of(bus, stuck).busy)
    stuck.gone.set()  # leaves with a send still blocked: the drain is cancelled
    await asyncio.wait_for(tasks[2], 2)
    assert len(bus._rooms[1].viewers) == 1
    staying.gone.set()
    await asyncio.wait_for(tasks[0], 2)
    assert bus._rooms == {}  # the last viewer closed the room and its pump


async def test_served_viewers_get_heartbeats_and_resync_when_too_far_back() -> None:
    table = Table()
    bus = InProcessBus(table.after, table.last, heartbeat_seconds=0.05, replay_limit=2)
    for _ in range(3):
        table.add()
    idle, far = Client(), Client()
    idle_task = idle.watch(bus, after_id=3)
    await until(lambda: HEARTBEAT in idle.received)
    await asyncio.wait_for(far.watch(bus, after_id=0), 2)  # three to replay: one too many
    assert far.received == RESYNC
    idle.gone.set()
    await asyncio.wait_for(idle_task, 2)
    await bus.aclose()


async def test_a_fan_out_in_slices_keeps_order_for_every_viewer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bus_module, "FAN_OUT_SLICE", 1)  # yield to the loop after every viewer
    table = Table()
    bus = InProcessBus(table.after, table.last, heartbeat_seconds=0.01)
    clients = [Client() for _ in range(4)]
    tasks = [client.watch(bus) for client in clients]
    await until(lambda: 1 in bus._rooms and len(bus._rooms[1].viewers) == 4)
    for _ in range(3):
        post(bus, table, 4)
        await asyncio.sleep(0.005)
    for client in clients:
        await until(lambda client=client: client.ids() == list(range(1, 13)))
    for client in clients:
        client.gone.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 2)
    assert bus._rooms == {}


class LeavingSeat:
    """A viewer whose turn comes while all the others leave (between two slices)."""

    def __init__(self, room: Any) -> None:
        self.room = room
        self.offered = 0

    def offer(self, item: tuple[int, bytes]) -> bool:
        self.offered += 1
        self.room.viewers.intersection_update({self})
        return True


async def test_a_viewer_that_left_during_a_sliced_fan_out_is_not_written_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bus_module, "FAN_OUT_SLICE", 1)
    room = bus_module._Room(0)
    seats = [LeavingSeat(room) for _ in range(4)]
    room.viewers.update(seats)
    await InProcessBus._offer_all(room, (1, b"id: 1\n\n"))
    assert sum(seat.offered for seat in seats) == 1
