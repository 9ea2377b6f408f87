"""The nchan fan-out: nginx + nchan hold the viewers; this process publishes and hands off.

After commit, `publish(chat_id)` wakes a publisher task that reads the chat's new event rows
and POSTs them, as finished SSE frames (`id: <event id>`, `event:`, `data:`), to
`{publish_url}/{chat_id}`, oldest first, under the chat's publishing lock (so two app
processes never interleave a chat's messages). nchan's `http-raw-stream` subscriber sends the
frames to viewers byte for byte, so the SSE ids viewers see are our event ids.

Publications are paced: a chat gets at most one nchan message per `interval_seconds`, and
what was committed meanwhile goes out together (up to `MAX_BATCH` frames per message). A quiet
chat's event goes out at once; in a busy one an event waits at most the interval. Each message
costs nginx a write to every viewer and each viewer a wake-up, whatever it carries, so at
5,000 viewers and 20 posts/s pacing at 0.1 s halves that work (bench/README.md).
The lock is only tried, never waited for: the process that holds it publishes everything
committed before it reads, and the others look again shortly after.

A viewer's request reaches the app first (`handoff`): the app maps its Last-Event-ID to the
nchan message after which it must start (see `nchan_state`), and nginx hands the connection
to nchan (`X-Accel-Redirect`); a viewer further back than nchan's buffer gets `resync`. A
viewer whose last event is not yet published asks for a cut there, so that no message
straddles it (it would have to be `resync`ed), and waits for the publisher, which publishes
at once, pacing or not.
A failed publication (nginx away) is retried until it succeeds; the rows wait in the table.

A viewer whose resume point falls inside a message, or before a post that changed after nchan
got it (`stale` in `nchan_state`), is answered by the app itself: the database's events up to
the end of that message, then `retry:` and the end of the response; its reconnect lands on a
message boundary (docs/decisions.md, "Exact resume in the scaled stack").

A viewer without a resume point is handed off after the chat's newest event N; so that its
first frame carries N, a marker (`marker_frame`: `id: N`, no data) follows that message unless
an event does within the pacing interval (`handoff(..., present=True)`). Every message and
marker carries `retry:` (`STREAM_RETRY_MS`), the only way to reach a viewer nchan serves.

The state names the database it describes (`claim`): before a chat's first message in this
database the publisher empties the chat's nchan channel if another database filled it, and a
cursor past the database's newest event (the database was restored from an older copy) makes
it forget the chat's state and start again; both are logged as warnings.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence

import httpx

from hashchat.live.bus import EventReader, LastIdReader, StoredEvent, encode_sse
from hashchat.live.nchan_state import RESYNC as RESYNC_HANDOFF
from hashchat.live.nchan_state import Handoff, NchanState, decide, event_print, same_event
from hashchat.live.seats import RESYNC

logger = logging.getLogger(__name__)

# nginx's internal subscriber location; the app's X-Accel-Redirect names it + "/{chat_id}".
SUBSCRIBER_PATH = "/_hashchat/nchan/sub"
MAX_BATCH = 50
# How soon to look again when another process holds a chat's publishing lock.
BUSY_RETRY_SECONDS = 0.02
# A message this close to nchan's timeout may be gone by the time the viewer arrives.
EXPIRY_MARGIN_SECONDS = 60.0
# How soon a viewer answered from the database reconnects (the SSE `retry:`, milliseconds).
REPLAY_RETRY_MS = 50
# How soon a viewer whose connection broke reconnects (milliseconds): every nchan message and
# marker carries it, so it reaches viewers that only ever talk to nchan (browsers default to
# 3 s or more); the in-process stream's first frame carries the same.
STREAM_RETRY_MS = 1000
_RETRY_LINE = f"retry: {STREAM_RETRY_MS}\n".encode()


def marker_frame(event_id: int) -> bytes:
    """An SSE frame without data: sets the client's last event id (and its retry) and
    dispatches nothing, so it is harmless to viewers that already have `event_id`."""
    return f": at the present\nid: {event_id}\n".encode() + _RETRY_LINE + b"\n"


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
        interval_seconds: float = 0.0,
        changes: frozenset[str] = frozenset(),
        replay_limit: int = 1000,
    ) -> None:
        self._read_events = read_events
        self._changes = changes  # event types that change a post published before them
        self._replay_limit = replay_limit
        self._read_last_id = read_last_id
        self._publish_url = publish_url.rstrip("/")
        self._state = state
        self._buffer_length = buffer_length
        self._max_age = max(0.0, message_seconds - EXPIRY_MARGIN_SECONDS)
        self._transport = transport
        self._clock = clock
        self._retry_seconds = retry_seconds
        self._catch_up_seconds = catch_up_seconds
        self._interval = interval_seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: set[int] = set()
        self._urgent: set[int] = set()  # a viewer waits: publish now, pacing or not
        self._later: dict[int, tuple[float, asyncio.TimerHandle]] = {}  # chat: (when, timer)
        # chat: loop.time() before which no publication is tried (pacing, known to this process)
        self._not_before: dict[int, float] = {}
        self._failed_until: dict[
            int, float
        ] = {}  # chat: loop.time() of the next try after a failure
        self._cut_requests: set[asyncio.Future[None]] = set()
        self._markers: dict[int, tuple[int, asyncio.Task[None]]] = {}  # chat: (at, task)
        self._closed = False
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
        if loop is None or loop.is_closed() or self._closed:
            return
        with contextlib.suppress(RuntimeError):  # the loop closed between check and call
            loop.call_soon_threadsafe(self._mark, chat_id)

    def resume_point(self, chat_id: int, event_id: int) -> None:
        """Ask for a message boundary at `event_id` now, so that the viewer's hand-off a
        moment later finds one (a cut asked for only then may come after a publisher has
        read past it). Thread-safe; never blocks."""
        loop = self._loop
        if loop is None or loop.is_closed() or self._closed or event_id <= 0:
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._ask_cut, chat_id, event_id)

    def _ask_cut(self, chat_id: int, event_id: int) -> None:
        task = asyncio.ensure_future(self._state.request_cut(chat_id, event_id))
        self._cut_requests.add(task)
        task.add_done_callback(self._cut_done)

    def _cut_done(self, task: asyncio.Future[None]) -> None:
        self._cut_requests.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning("could not ask for a message boundary (%r)", task.exception())

    def _mark(self, chat_id: int, *, urgent: bool = False) -> None:
        self._pending.add(chat_id)
        if urgent:
            self._urgent.add(chat_id)
        self._wake.set()

    def _retry_in(self, chat_id: int, seconds: float) -> None:
        """Publish the chat again in `seconds` (the earlier of two requests wins)."""
        assert self._loop is not None
        when = self._loop.time() + seconds
        scheduled = self._later.get(chat_id)
        if scheduled is not None:
            if scheduled[0] <= when:
                return
            scheduled[1].cancel()
        timer = self._loop.call_at(when, self._due, chat_id)
        self._later[chat_id] = (when, timer)

    def _due(self, chat_id: int) -> None:
        self._later.pop(chat_id, None)
        self._mark(chat_id)

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            chats, self._pending = self._pending, set()
            urgent = self._urgent & chats
            self._urgent -= chats
            results = await asyncio.gather(
                *(self._publish_chat(chat_id, chat_id in urgent) for chat_id in chats),
                return_exceptions=True,
            )
            failed = [r for r in results if isinstance(r, BaseException)]
            if failed:
                logger.warning("publishing to nchan failed (%r); retrying", failed[0])
            now = self._now()
            for chat_id, result in zip(chats, results, strict=True):
                if isinstance(result, BaseException):
                    if chat_id in urgent:
                        self._urgent.add(chat_id)
                    # Urgent marks (a waiting hand-off) must not hammer a failing nchan either.
                    self._failed_until[chat_id] = now + self._retry_seconds
                    self._retry_in(chat_id, self._retry_seconds)
                elif result is not None:
                    self._retry_in(chat_id, result)

    def _now(self) -> float:
        assert self._loop is not None
        return self._loop.time()

    async def _publish_chat(self, chat_id: int, urgent: bool) -> float | None:
        """Publish what the chat has committed; the seconds after which to look again
        (pacing, a failure's back-off, another process publishing), or None when all is out.
        Pacing is counted by the shared state's clock (Redis's), never by this host's."""
        now = self._now()
        failed = self._failed_until.get(chat_id, 0.0) - now
        if failed > 0:
            if urgent:
                self._urgent.add(chat_id)
            return failed
        if not urgent and self._not_before.get(chat_id, 0.0) > now:
            return self._not_before[chat_id] - now  # known without asking the shared state
        async with self._state.publishing(chat_id) as held:
            if not held:
                if urgent:
                    self._urgent.add(chat_id)
                return BUSY_RETRY_SECONDS
            progress = await self._state.progress(chat_id)
            self._not_before[chat_id] = self._now() + progress.paced_for
            if progress.paced_for > 0 and not urgent:
                return progress.paced_for
            cursor = progress.cursor
            if cursor is None:
                await self._claim(chat_id, force=False)
                events = list(await asyncio.to_thread(self._read_events, chat_id, 0))
            else:
                # The cursor's own event too: is it still there, and still the same event?
                events = list(await asyncio.to_thread(self._read_events, chat_id, cursor - 1))
                head = events.pop(0) if events and events[0].id == cursor else None
                if head is None or not same_event(progress.cursor_print, event_print(head)):
                    # Published past the database's end, or its id now names another event:
                    # the database is an older copy of itself.
                    await self._claim(chat_id, force=True)
                    cursor = None
                    events = list(await asyncio.to_thread(self._read_events, chat_id, 0))
            if cursor is None and len(events) > self._buffer_length:
                # First publication of a long chat: nchan keeps only the newest anyway.
                skipped = len(events) - self._buffer_length
                await self._state.start(chat_id, events[skipped - 1].id)
                events = events[skipped:]
            while events:
                # Cuts asked for while the rows were read, or while the previous message went
                # out (a viewer resuming inside what is left), count.
                cuts = (await self._state.progress(chat_id)).cuts
                batch = batches(events, cuts, MAX_BATCH)[0]
                body = _RETRY_LINE + b"".join(encode_sse(event) for event in batch)
                stale = max((e.id for e in batch if e.type in self._changes), default=0)
                message, buffered = await self._post(chat_id, body)
                await self._state.record(
                    chat_id,
                    (batch[0].id, batch[-1].id),
                    message,
                    buffered,
                    self._interval,
                    stale,
                    event_print(batch[-1]),
                )
                self._not_before[chat_id] = self._now() + self._interval
                events = events[len(batch) :]
        self._failed_until.pop(chat_id, None)
        return None

    async def _claim(self, chat_id: int, *, force: bool) -> None:
        """Make the chat's state this database's (see `NchanState.claim`); when state was
        forgotten, empty nchan's channel too (its viewers reconnect and are handed off anew)."""
        previous = await self._state.claim(chat_id, force=force)
        if previous is None:
            return
        if force:
            logger.warning(
                "chat %s was published up to an event the database does not have (restored "
                "from an older copy?); publishing it again from the database",
                chat_id,
            )
        else:
            logger.warning(
                "chat %s's nchan channel was last published for another database (%s); "
                "emptying it and publishing this database's events",
                chat_id,
                previous or "unknown",
            )
        assert self._http is not None
        reply = await self._http.delete(f"{self._publish_url}/{chat_id}")
        if reply.status_code not in (200, 202, 204, 404):
            raise FanoutUnavailableError(f"nchan answered {reply.status_code} to a deletion")

    async def _post(self, chat_id: int, frame: bytes) -> tuple[str, int]:
        assert self._http is not None
        reply = await self._http.post(f"{self._publish_url}/{chat_id}", content=frame)
        if not reply.is_success:
            raise FanoutUnavailableError(f"nchan answered {reply.status_code} to a publication")
        info = reply.json()
        return str(info["last_message_id"]), int(info["messages"])

    async def handoff(self, chat_id: int, after: int, *, present: bool = False) -> Handoff:
        """Where a viewer that has every event <= `after` continues. Waits (a little) for
        the publisher to reach what the viewer may already have seen in the page. One Redis
        round trip and no database query when `after` is published (a reconnect).

        `present`: the viewer named no resume point and `after` is the chat's newest event;
        its first frame must carry that id, so that a reconnect before the next event resumes
        exactly. When nothing follows `after` in nchan yet, a marker (`marker_frame`) is
        published after it, unless an event does so within the pacing interval."""
        if self._closed:
            raise FanoutUnavailableError("the server is shutting down; retry in a moment")
        if self._loop is None:
            self.bind(asyncio.get_running_loop())
        snapshot = await self._state.locate(chat_id, after)
        if after > 0 and (snapshot.cursor is None or snapshot.cursor < after):
            if after > await asyncio.to_thread(self._read_last_id, chat_id):
                return RESYNC_HANDOFF  # events this database never had (it was reset)
            deadline = time.monotonic() + self._catch_up_seconds
            await self._state.request_cut(chat_id, after)
            while True:
                self._mark(chat_id, urgent=True)
                await asyncio.sleep(0.02)
                cursor = await self._state.cursor(chat_id)
                if cursor is not None and cursor >= after:
                    break
                if time.monotonic() > deadline:
                    raise FanoutUnavailableError("live updates are catching up; retry in a moment")
            snapshot = await self._state.locate(chat_id, after)
        handoff = decide(snapshot, after, self._clock(), self._max_age)
        if (
            present
            and after > 0
            and snapshot.cursor == after
            and snapshot.marked != after
            and not handoff.resync
            and handoff.replay_to is None
        ):
            self._want_marker(chat_id, after)
        return handoff

    def _want_marker(self, chat_id: int, at: int) -> None:
        """Publish a marker at `at` after the pacing interval, if `at` is still the newest
        published event then (an event in between carries an id itself: no marker needed).
        One pending marker per chat and cursor, whatever the number of viewers."""
        pending = self._markers.get(chat_id)
        if pending is not None and pending[0] == at and not pending[1].done():
            return
        task = asyncio.ensure_future(self._publish_marker(chat_id, at))
        self._markers[chat_id] = (at, task)
        task.add_done_callback(lambda done: self._marker_done(chat_id, done))

    def _marker_done(self, chat_id: int, task: asyncio.Task[None]) -> None:
        pending = self._markers.get(chat_id)
        if pending is not None and pending[1] is task:
            del self._markers[chat_id]
        if not task.cancelled() and task.exception() is not None:
            logger.warning("could not publish a marker (%r)", task.exception())

    async def _publish_marker(self, chat_id: int, at: int) -> None:
        await asyncio.sleep(self._interval)
        deadline = self._now() + self._catch_up_seconds
        while True:
            async with self._state.publishing(chat_id) as held:
                if held:
                    progress = await self._state.progress(chat_id)
                    if progress.cursor == at and progress.marked != at:
                        message, buffered = await self._post(chat_id, marker_frame(at))
                        await self._state.record_marker(chat_id, at, message, buffered)
                    return
            if self._now() > deadline:
                raise FanoutUnavailableError(f"chat {chat_id}'s publishing lock stayed taken")
            await asyncio.sleep(BUSY_RETRY_SECONDS)

    async def replay(self, chat_id: int, after: int, end: int) -> bytes | None:
        """The answer of a viewer handed `replay_to=end`: its events (after, end] as the
        database has them now, then a short `retry:`; None when they are too many (`resync`)."""
        events = await asyncio.to_thread(self._read_events, chat_id, after)
        wanted = [event for event in events if event.id <= end]
        if len(wanted) > self._replay_limit:
            return None
        frames = b"".join(encode_sse(event) for event in wanted)
        return frames + f"retry: {REPLAY_RETRY_MS}\n\n".encode()

    async def subscribe(self, chat_id: int, after_id: int) -> AsyncIterator[bytes]:
        """Streams are nchan's: a stream asked of the app directly only says `resync`."""
        yield RESYNC

    async def aclose(self) -> None:
        """Stop publishing (on server shutdown); unpublished rows wait for the next start."""
        self._closed = True
        for _, timer in self._later.values():
            timer.cancel()
        self._later.clear()
        for request in self._cut_requests:
            request.cancel()
        markers = [marker for _, marker in self._markers.values()]
        for marker in markers:
            marker.cancel()
        await asyncio.gather(*markers, return_exceptions=True)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None


def batches(
    events: Sequence[StoredEvent], cuts: Sequence[int], limit: int
) -> list[Sequence[StoredEvent]]:
    """`events` in runs of at most `limit`, each ending at every cut it reaches (a cut
    between two events ends the run at the earlier one). `cuts` ascending."""
    runs: list[Sequence[StoredEvent]] = []
    start = 0
    for index, event in enumerate(events):
        following = events[index + 1].id if index + 1 < len(events) else None
        full = index + 1 - start >= limit
        # A cut c ends the run here when event.id <= c < the next event's id.
        at_cut = following is not None and (
            bisect.bisect_left(cuts, event.id) < bisect.bisect_left(cuts, following)
        )
        if full or at_cut or following is None:
            runs.append(events[start : index + 1])
            start = index + 1
    return runs
