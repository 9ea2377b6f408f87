"""A viewer's seat in a room of the in-process bus: how the pump hands it each SSE frame.

`QueuedSeat` (`InProcessBus.subscribe`): a bounded queue that the viewer's own task drains.
`WriterSeat` (`InProcessBus.serve`): the pump writes the frame with the viewer's ASGI `send`
itself, stepping the send once by hand; only a send that blocks (flow control) gets a task to
finish it, later frames waiting in a bounded backlog meanwhile. Either way a viewer that falls
a whole queue behind is left with just `resync` and goes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Generator, Mapping
from typing import Any, Protocol

logger = logging.getLogger(__name__)

# No `id:`: the client's Last-Event-ID stays where it was.
RESYNC = b'event: resync\ndata: {"reason":"too far behind; reload the posts from the API"}\n\n'
RESYNC_ITEM = (-1, RESYNC)
# The ASGI callables of one HTTP response (typed loosely: the bus needs no web framework).
AsgiSend = Callable[[dict[str, Any]], Awaitable[None]]
AsgiReceive = Callable[[], Awaitable[Mapping[str, Any]]]


class Seat(Protocol):
    def offer(self, item: tuple[int, bytes]) -> bool:
        """Take one (event id, frame); False when the viewer overflowed and must go."""


class QueuedSeat:
    __slots__ = ("overflowed", "queue")

    def __init__(self, size: int) -> None:
        self.queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue(size)
        self.overflowed = False

    def offer(self, item: tuple[int, bytes]) -> bool:
        """Queue one (event id, frame); False when the viewer overflowed and must go."""
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.overflowed = True
            while not self.queue.empty():  # free what it holds now: it will reload anyway
                self.queue.get_nowait()
            self.queue.put_nowait(RESYNC_ITEM)
            return False
        return True


def body(frame: bytes) -> dict[str, Any]:
    """The ASGI message that sends `frame` and keeps the response open."""
    return {"type": "http.response.body", "body": frame, "more_body": True}


class _Resumed:
    """Awaiting it finishes a send the pump began by hand and that blocked on `pending`."""

    __slots__ = ("_pending", "_steps")

    def __init__(self, steps: Generator[Any, None, Any], pending: Any) -> None:
        self._steps = steps
        self._pending = pending

    def __await__(self) -> Generator[Any, None, None]:
        # Hands what the send yields (a flow-control future) to the awaiting task, and the
        # task's wake-ups (or its cancellation) back to the send.
        pending = self._pending
        while True:
            try:
                yield pending
            except BaseException as error:
                try:
                    pending = self._steps.throw(error)
                except StopIteration:
                    return
                continue
            try:
                pending = self._steps.send(None)
            except StopIteration:
                return


class WriterSeat:
    """A served viewer: the pump writes its frames with its ASGI `send`, no task in between.

    While `busy` (replaying, or finishing a send that blocked) frames wait in `backlog`, at
    most `size` of them; one more and the backlog becomes just `resync` and the viewer goes.
    """

    __slots__ = ("backlog", "busy", "ended", "flusher", "overflowed", "send", "sent", "size")

    def __init__(self, send: AsgiSend, sent: int, size: int) -> None:
        self.send = send
        self.sent = sent  # the newest event id written (or queued to be written)
        self.size = size
        self.backlog: list[tuple[int, bytes]] = []
        self.busy = True  # the replay goes first
        self.overflowed = False
        self.ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.flusher: asyncio.Task[None] | None = None

    def offer(self, item: tuple[int, bytes]) -> bool:
        """Write the frame now, or queue it while busy; False when the viewer must go."""
        if self.busy:
            if len(self.backlog) >= self.size:
                self.overflowed = True
                self.backlog = [RESYNC_ITEM]  # free what it holds now: it will reload anyway
                return False
            self.backlog.append(item)
            return True
        event_id, frame = item
        if event_id != 0 and event_id <= self.sent:
            return True  # already sent by the replay
        self.sent = max(self.sent, event_id)
        steps = self.send(body(frame)).__await__()
        try:
            pending = steps.send(None)
        except StopIteration:
            return True  # the usual case: written to the socket already
        except Exception:
            logger.warning("an event stream failed to write; dropping it", exc_info=True)
            self.end()
            return False
        self.busy = True
        self.flusher = asyncio.create_task(self.flush(_Resumed(steps, pending)))
        return True

    async def flush(self, blocked: _Resumed | None = None) -> None:
        """Finish a blocked send, send what queued up meanwhile, then let the pump write
        directly again; after an overflow send `resync` and end."""
        try:
            if blocked is not None:
                await blocked
            while self.backlog:
                items, self.backlog = self.backlog, []
                fresh = [
                    frame for event_id, frame in items if event_id <= 0 or event_id > self.sent
                ]
                self.sent = max(self.sent, *(event_id for event_id, _ in items))
                if fresh:
                    await self.send(body(b"".join(fresh)))
        except Exception:
            logger.warning("an event stream failed to write; dropping it", exc_info=True)
            self.overflowed = True
        if self.overflowed:
            self.end()
        else:
            self.busy = False

    def end(self) -> None:
        """Tell the viewer's handler that its stream is over."""
        if not self.ended.done():
            self.ended.set_result(None)
