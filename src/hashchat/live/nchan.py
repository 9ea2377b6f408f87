"""The nchan fan-out: nginx + nchan hold the viewers; this process publishes and hands off.

After commit, `publish(chat_id)` wakes a publisher task that reads the chat's new event rows
and POSTs them, as finished SSE frames (`id: <event id>`, `event:`, `data:`), to
`{publish_url}/{chat_id}`, oldest first, under the chat's publishing lock (so two app
processes never interleave a chat's messages). A backlog goes out as one nchan message of up
to `MAX_BATCH` frames: a publication waits for nchan to hand the message to every viewer,
so one message per event would cap a big room at a few dozen events per second. nchan's
`http-raw-stream` subscriber sends the frames to viewers byte for byte, so the SSE ids
viewers see are our event ids.

A viewer's request reaches the app first (`handoff`): the app maps its Last-Event-ID to the
nchan message after which it must start (see `nchan_state`), and nginx hands the connection
to nchan (`X-Accel-Redirect`); a viewer further back than nchan's buffer gets `resync`.
A failed publication (nginx away) is retried until it succeeds; the rows wait in the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable

import httpx

from hashchat.live.bus import RESYNC, EventReader, LastIdReader, encode_sse
from hashchat.live.nchan_state import Handoff, NchanState, decide

logger = logging.getLogger(__name__)

# nginx's internal subscriber location; the app's X-Accel-Redirect names it + "/{chat_id}".
SUBSCRIBER_PATH = "/_hashchat/nchan/sub"
MAX_BATCH = 50
# A message this close to nchan's timeout may be gone by the time the viewer arrives.
EXPIRY_MARGIN_SECONDS = 60.0


class FanoutUnavailableError(Exception):
    """The publisher cannot catch up with the database right now (nginx or Redis away)."""


class NchanBus:
    """An EventBus whose streams are served by nchan; see the module docstring."""

    def __init__(
        self,
        read_events: EventReader,
        read_last_id: LastIdReader,
        publish_url: str,
        state: NchanState,
        *,
        buffer_length: int,
        message_seconds: float,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        retry_seconds: float = 0.5,
        catch_up_seconds: float = 3.0,
    ) -> None:
        self._read_events = read_events
        self._read_last_id = read_last_id
        self._publish_url = publish_url.rstrip("/")
        self._state = state
        self._buffer_length = buffer_length
        self._max_age = max(0.0, message_seconds - EXPIRY_MARGIN_SECONDS)
        self._transport = transport
        self._clock = clock
        self._retry_seconds = retry_seconds
        self._catch_up_seconds = catch_up_seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: set[int] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._http: httpx.AsyncClient | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start publishing on the server's event loop (call from inside it)."""
        if self._task is not None:
            return
        self._loop = loop
        self._http = httpx.AsyncClient(
            transport=self._transport,
            timeout=httpx.Timeout(2.0),
            headers={"Accept": "application/json"},
        )
        self._task = loop.create_task(self._run())

    def publish(self, chat_id: int) -> None:
        """Schedule publication of the chat's new events. Thread-safe; never blocks."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed between check and call
            loop.call_soon_threadsafe(self._mark, chat_id)

    def _mark(self, chat_id: int) -> None:
        self._pending.add(chat_id)
        self._wake.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            chats, self._pending = self._pending, set()
            results = await asyncio.gather(
                *(self._publish_chat(chat_id) for chat_id in chats), return_exceptions=True
            )
            failed = {
                chat_id
                for chat_id, result in zip(chats, results, strict=True)
                if isinstance(result, Exception)
            }
            if failed:
                first = next(r for r in results if isinstance(r, Exception))
                logger.warning("publishing to nchan failed (%r); retrying", first)
                await asyncio.sleep(self._retry_seconds)
                self._pending |= failed
                self._wake.set()

    async def _publish_chat(self, chat_id: int) -> None:
        async with self._state.publishing(chat_id):
            cursor = await self._state.cursor(chat_id)
            events = await asyncio.to_thread(self._read_events, chat_id, cursor or 0)
            if cursor is None and len(events) > self._buffer_length:
                # First publication of a long chat: nchan keeps only the newest anyway.
                skipped = len(events) - self._buffer_length
                await self._state.start(chat_id, events[skipped - 1].id)
                events = events[skipped:]
            for start in range(0, len(events), MAX_BATCH):
                batch = events[start : start + MAX_BATCH]
                body = b"".join(encode_sse(event) for event in batch)
                message, buffered = await self._post(chat_id, body)
                await self._state.record(chat_id, (batch[0].id, batch[-1].id), message, buffered)

    async def _post(self, chat_id: int, frame: bytes) -> tuple[str, int]:
        assert self._http is not None
        reply = await self._http.post(f"{self._publish_url}/{chat_id}", content=frame)
        if not reply.is_success:
            raise FanoutUnavailableError(f"nchan answered {reply.status_code} to a publication")
        info = reply.json()
        return str(info["last_message_id"]), int(info["messages"])

    async def handoff(self, chat_id: int, after: int) -> Handoff:
        """Where a viewer that has every event <= `after` continues. Waits (a little) for
        the publisher to reach what the viewer may already have seen in the page."""
        if self._loop is None:
            self.bind(asyncio.get_running_loop())
        target = min(after, await asyncio.to_thread(self._read_last_id, chat_id))
        deadline = time.monotonic() + self._catch_up_seconds
        while target > 0:
            cursor = await self._state.cursor(chat_id)
            if cursor is not None and cursor >= target:
                break
            self._mark(chat_id)
            if time.monotonic() > deadline:
                raise FanoutUnavailableError("live updates are catching up; retry in a moment")
            await asyncio.sleep(0.02)
        snapshot = await self._state.locate(chat_id, after)
        return decide(snapshot, after, self._clock(), self._max_age)

    async def subscribe(self, chat_id: int, after_id: int) -> AsyncIterator[bytes]:
        """Streams are nchan's: a stream asked of the app directly only says `resync`."""
        yield RESYNC

    async def aclose(self) -> None:
        """Stop publishing (on server shutdown); unpublished rows wait for the next start."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None
