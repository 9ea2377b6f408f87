"""The event bus: actions announce committed events, viewers of a chat receive them in id order.

Events are rows of the `events` table. `publish(chat_id)` only says "there is something new";
one pump per watched chat reads the new rows once, encodes each event's SSE bytes once and
offers the same bytes to every viewer. A viewer that falls a whole queue behind gets a `resync`
event and is dropped (its queue is emptied at once, so a stalled viewer holds no events); so is
one resuming further back than `replay_limit` events. On `resync` the room reloads its posts
from the API.

Two kinds of viewer: `subscribe()` (an async iterator over a bounded queue, one task wake-up
per viewer and event) and `serve()`, which the SSE endpoint uses: its viewers' ASGI `send`s
are registered with the room and the pump writes each frame into them itself, up to
`FAN_OUT_SLICE` viewers per loop iteration. It steps `send(...)` once by hand, which completes
at once unless flow control paused the socket (uvicorn's `send` only awaits `flow.drain()`
then); a send that blocks is finished by a task, the viewer's later frames waiting in its
bounded backlog meanwhile. So an event wakes no per-viewer task, and a POST's loop steps no
longer wait behind a thousand wake-ups (see bench/README.md, "Live room fan-out").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from hashchat.live.seats import (
    RESYNC,
    AsgiReceive,
    AsgiSend,
    QueuedSeat,
    Seat,
    WriterSeat,
    body,
)

logger = logging.getLogger(__name__)

HEARTBEAT = b": heartbeat\n\n"
_HEARTBEAT_ITEM = (0, HEARTBEAT)
# Viewers written per loop iteration: ~2-3 ms of sends, so a POST never waits a whole room.
FAN_OUT_SLICE = 200


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One event row: its id orders the stream and is the SSE `id:`."""

    id: int
    chat_id: int
    type: str
    data: str


def encode_sse(event: StoredEvent) -> bytes:
    """The event as SSE bytes; `data` is one-line JSON, so one `data:` line suffices."""
    return f"id: {event.id}\nevent: {event.type}\ndata: {event.data}\n\n".encode()


class EventBus(Protocol):
    """What actions and the SSE endpoint need from a bus."""

    def publish(self, chat_id: int) -> None:
        """Say that events of `chat_id` were committed. Thread-safe; never blocks."""

    def subscribe(self, chat_id: int, after_id: int) -> AsyncIterator[bytes]:
        """SSE frames of every event of `chat_id` with id > after_id, then live ones."""

    def resume_point(self, chat_id: int, event_id: int) -> None:
        """A page or client was shown the chat up to `event_id`; its stream resumes after it.
        Thread-safe; never blocks."""


# Reads events of a chat with id > after_id, oldest first (runs in a worker thread).
EventReader = Callable[[int, int], Sequence[StoredEvent]]
# Reads the id of a chat's newest event, 0 when it has none.
LastIdReader = Callable[[int], int]


async def _disconnected(receive: AsgiReceive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


class _Room:
    def __init__(self, last_id: int) -> None:
        self.viewers: set[Seat] = set()
        self.last_id = last_id
        self.wake = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []


class InProcessBus:
    """An EventBus for one process: one pump and one heartbeat task per watched chat."""

    def __init__(
        self,
        read_events: EventReader,
        read_last_id: LastIdReader,
        *,
        queue_size: int = 1000,
        heartbeat_seconds: float = 15.0,
        replay_limit: int = 1000,
        poll_seconds: float | None = None,
    ) -> None:
        self._read_events = read_events
        self._read_last_id = read_last_id
        self._queue_size = queue_size
        self._heartbeat_seconds = heartbeat_seconds
        self._replay_limit = replay_limit
        # Set when wake-ups may be lost (they travel through Redis): a watched chat is also
        # re-read this often, so a lost wake-up delays events instead of losing them.
        self._poll_seconds = poll_seconds
        self._rooms: dict[int, _Room] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Attach to the server's event loop; publishes from other threads hop onto it."""
        self._loop = loop

    def publish(self, chat_id: int) -> None:
        """Wake the chat's pump, if anyone watches it (else the rows simply wait in the table)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed between check and call
            loop.call_soon_threadsafe(self._wake, chat_id)

    def resume_point(self, chat_id: int, event_id: int) -> None:
        """Nothing to prepare: this bus resumes a stream after any event."""

    def wake(self, chat_id: int) -> None:
        """Wake the chat's pump; call on the bus's event loop."""
        self._wake(chat_id)

    def wake_all(self) -> None:
        """Wake every watched chat's pump; call on the bus's event loop."""
        for room in self._rooms.values():
            room.wake.set()

    def _wake(self, chat_id: int) -> None:
        room = self._rooms.get(chat_id)
        if room is not None:
            room.wake.set()

    async def subscribe(self, chat_id: int, after_id: int) -> AsyncIterator[bytes]:
        """Replay rows after `after_id`, then live frames; ids never repeat nor skip a row.
        Ends with `resync` when the replay would exceed `replay_limit` or the viewer falls a
        whole queue behind."""
        if self._loop is None:
            self.bind(asyncio.get_running_loop())
        room = await self._room(chat_id)
        viewer = QueuedSeat(self._queue_size)
        room.viewers.add(viewer)  # before the replay query: whatever commits later is queued
        try:
            sent = after_id
            replay = await asyncio.to_thread(self._read_events, chat_id, after_id)
            if len(replay) > self._replay_limit:
                yield RESYNC
                return
            for event in replay:
                yield encode_sse(event)
                sent = event.id
            queue = viewer.queue
            while True:
                event_id, frame = await queue.get()
                if viewer.overflowed:
                    yield RESYNC
                    return
                if queue.empty():  # the usual case: one frame, sent as it is (no copy)
                    if event_id == 0 or event_id > sent:
                        sent = max(sent, event_id)
                        yield frame
                    continue
                frames = [(event_id, frame)]
                while not queue.empty():
                    frames.append(queue.get_nowait())
                fresh = [frame for event_id, frame in frames if event_id == 0 or event_id > sent]
                sent = max(sent, *(event_id for event_id, _ in frames))
                if fresh:
                    yield b"".join(fresh)
        finally:
            room.viewers.discard(viewer)
            if not room.viewers:
                self._close_room(chat_id, room)

    async def serve(
        self, chat_id: int, after_id: int, send: AsgiSend, receive: AsgiReceive
    ) -> None:
        """Write the frames of `chat_id` after `after_id`, then live ones, to an open ASGI
        response (its start already sent) until the client leaves or the viewer is dropped
        (after `resync`). The caller ends the response. Same order, resume and `resync`
        rules as `subscribe`."""
        if self._loop is None:
            self.bind(asyncio.get_running_loop())
        room = await self._room(chat_id)
        writer = WriterSeat(send, after_id, self._queue_size)
        room.viewers.add(writer)  # before the replay query: whatever commits later is queued
        leaving = asyncio.ensure_future(_disconnected(receive))
        try:
            replay = await asyncio.to_thread(self._read_events, chat_id, after_id)
            if len(replay) > self._replay_limit:
                await send(body(RESYNC))
                return
            if replay:
                writer.sent = max(writer.sent, replay[-1].id)
                await send(body(b"".join(encode_sse(event) for event in replay)))
            await writer.flush()
            await asyncio.wait((leaving, writer.ended), return_when=asyncio.FIRST_COMPLETED)
        finally:
            leaving.cancel()
            if writer.flusher is not None:
                writer.flusher.cancel()
            room.viewers.discard(writer)
            if not room.viewers:
                self._close_room(chat_id, room)

    async def _room(self, chat_id: int) -> _Room:
        room = self._rooms.get(chat_id)
        if room is not None:
            return room
        last_id = await asyncio.to_thread(self._read_last_id, chat_id)
        room = self._rooms.get(chat_id)  # another viewer may have opened it meanwhile
        if room is None:
            room = _Room(last_id)
            self._rooms[chat_id] = room
            room.tasks = [
                asyncio.create_task(self._pump(chat_id, room)),
                asyncio.create_task(self._heartbeat(room)),
            ]
        return room

    def _close_room(self, chat_id: int, room: _Room) -> None:
        if self._rooms.get(chat_id) is room:
            del self._rooms[chat_id]
        for task in room.tasks:
            task.cancel()

    async def _pump(self, chat_id: int, room: _Room) -> None:
        while True:
            if self._poll_seconds is None:
                await room.wake.wait()
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(room.wake.wait(), self._poll_seconds)
            room.wake.clear()
            try:
                events = await asyncio.to_thread(self._read_events, chat_id, room.last_id)
            except Exception:  # the database is away: keep the viewers, retry on the next wake
                logger.warning("chat %s: reading new events failed", chat_id, exc_info=True)
                await asyncio.sleep(1.0)
                room.wake.set()
                continue
            for event in events:
                room.last_id = event.id
                await self._offer_all(room, (event.id, encode_sse(event)))

    async def _heartbeat(self, room: _Room) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_seconds)
            await self._offer_all(room, _HEARTBEAT_ITEM)

    @staticmethod
    async def _offer_all(room: _Room, item: tuple[int, bytes]) -> None:
        # One shared (id, frame) tuple for all viewers: a queued event costs a pointer each.
        # Between slices other work (a POST's next step) gets the loop; a viewer that left
        # meanwhile is skipped, one that came meanwhile has the event from its replay.
        viewers = list(room.viewers)
        for start in range(0, len(viewers), FAN_OUT_SLICE):
            if start:
                await asyncio.sleep(0)
            for viewer in viewers[start : start + FAN_OUT_SLICE]:
                if viewer in room.viewers and not viewer.offer(item):
                    room.viewers.discard(viewer)

    async def aclose(self) -> None:
        """Stop every pump (on server shutdown)."""
        rooms = list(self._rooms.items())
        self._rooms.clear()
        for _chat_id, room in rooms:
            for task in room.tasks:
                task.cancel()
            for task in room.tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
