"""What the nchan publisher remembers per chat, and the hand-off decision built on it.

nchan numbers its messages itself (`<unix time>:<tag>`); our SSE ids are event ids. One nchan
message carries one or more consecutive events (a backlog is published as one message). For
each chat we keep which nchan message carries which events (first and last event id, for the
last `buffer_length` messages: the ones nchan still holds), the newest published event
(`cursor`, and its nchan id) and the `floor`: every event at or below it has left the map
(trimmed or never mapped). A viewer that resumes after event R is handed to nchan "after the
newest message whose events are all <= R"; when the map cannot prove that nchan still holds
every message after R, the viewer gets `resync`.

Two cases are answered by the app from the database instead, up to a message boundary B, with
a short `retry:` at the end, so that the client's automatic reconnect (Last-Event-ID B) is
handed to nchan after B (see docs/decisions.md, "Exact resume in the scaled stack"): R falls
inside a message (nchan can only resend all of it), and R is below the chat's `stale` mark:
the newest published event that changed a post after its `post` event went out (a hide, a
spotlight...), whose old frame nchan still buffers; B is then the end of that event's message.

A marker (an `id:` frame without an event, for viewers that start at the present) is mapped
like a message after the one that ends at the cursor, `marked` at that cursor; a resume point
at the cursor starts before it, so the viewer's first frame is the marker.

Two stores keep this: in this process (one app process, here) or in Redis (several
processes, `nchan_redis`).
Both also provide the per-chat publishing lock that keeps a chat's messages in id order, the
pacing of publications (see `nchan`: how long until the chat's next message may go, counted
by the store's own clock, so that no host's wall clock matters), and "cuts": event ids a
resuming viewer waits for, at which the next message must end so that the viewer is never
inside one.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

from hashchat.live.bus import StoredEvent

# A message id of nchan is "<unix seconds>:<tag>"; the seconds tell its age.
Mapped = tuple[int, str]  # (last event id in the message, nchan message id)


@dataclass(frozen=True, slots=True)
class ChatMap:
    """A snapshot of one chat's publishing state, as `locate` sees it."""

    cursor: int | None  # newest published event; None = nothing published yet
    cursor_message: str | None
    floor: int
    at_or_before: Mapped | None  # the newest message whose events are all <= the resume point
    oldest: Mapped | None  # the oldest mapped message
    # The first event of the message after `at_or_before` (or of the oldest, when there is
    # none): at or below the resume point means the viewer stopped inside that message.
    following_first: int | None = None
    following_last: int | None = None  # ... and its last event
    stale: int = 0  # the newest published event that changed a post (0: none)
    stale_end: int | None = None  # the last event of the message that carries `stale`
    marked: int | None = None  # the cursor at which the newest marker was published


@dataclass(frozen=True, slots=True)
class Handoff:
    """Where a resuming viewer goes: nchan after `message` (None = nchan's oldest message),
    or `resync` (reload from the API), or, with `replay_to`, the database's events up to that
    message boundary first (the viewer reconnects there)."""

    resync: bool = False
    message: str | None = None
    replay_to: int | None = None


RESYNC = Handoff(resync=True)


def message_age(message: str, now: float) -> float:
    """Seconds since nchan stored `message` (from the time part of its id)."""
    seconds, _, _ = message.partition(":")
    try:
        return now - float(seconds)
    except ValueError:
        return float("inf")


def decide(state: ChatMap, after: int, now: float, max_age: float) -> Handoff:
    """The hand-off of a viewer that has every event <= `after` (see the module docstring).
    `max_age`: how old a message may be and still surely be in nchan's buffer."""
    end = after
    if state.following_first is not None and state.following_first <= after:
        # The viewer has part of a message: nchan can only resend all of it.
        end = state.following_last if state.following_last is not None else after
    if state.stale > after and state.stale_end is not None:
        end = max(end, state.stale_end)  # nchan still buffers a post as it was before a change
    if end > after:
        return Handoff(replay_to=end)
    if state.at_or_before is not None:
        event_id, message = state.at_or_before
        # What matters is that the messages after it are still held; they are younger.
        fresh = event_id == state.cursor or message_age(message, now) <= max_age
        return Handoff(message=message) if fresh else RESYNC
    if state.oldest is not None:
        # Nothing mapped at or before `after`: nchan's whole buffer is new to the viewer,
        # provided nothing after `after` left the map and the oldest is still held.
        if after >= state.floor and message_age(state.oldest[1], now) <= max_age:
            return Handoff(message=None)
        return RESYNC
    if state.cursor is None:
        return Handoff(message=None)  # nothing ever published: everything will be new
    if after >= state.cursor:
        # Every published event is <= after; nchan answers an id it no longer holds with
        # its oldest message, which then is newer than the cursor: nothing is repeated.
        return Handoff(message=state.cursor_message)
    return RESYNC


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a chat's publishing stands, as the publisher reads it before a publication."""

    cursor: int | None  # newest published event; None = nothing published yet
    paced_for: float  # seconds until the next message may go (0 = now)
    cuts: tuple[int, ...]  # pending cuts after the cursor, ascending
    marked: int | None = None  # the cursor at which the newest marker was published
    cursor_print: str = ""  # `event_print` of the cursor's event when published ("": unknown)


def event_print(event: StoredEvent) -> str:
    """What identifies an event beyond its id, kept with the cursor: a database restored to
    just before the cursor reuses the cursor's id for its next event, which only this tells
    apart. A `post` event's data is rewritten when its post changes (hidden, edited), so for
    it only the post's id and creation time count (a hidden post's data has no time)."""
    if event.type == "post":
        try:
            data = json.loads(event.data)
        except ValueError:
            data = None
        if isinstance(data, dict):
            return f"post:{data.get('id')}:{data.get('created_at') or ''}"
    return f"{event.type}:{hashlib.sha256(event.data.encode()).hexdigest()[:16]}"


def same_event(recorded: str, current: str) -> bool:
    """Whether `current` (`event_print` now) may be the event `recorded` was made of ("":
    recorded before prints were kept); a post without its time (hidden since) is its post."""
    if not recorded or recorded == current:
        return True
    if recorded.startswith("post:") and current.startswith("post:"):
        old_post, _, old_time = recorded[5:].partition(":")
        new_post, _, new_time = current[5:].partition(":")
        return old_post == new_post and (not old_time or not new_time)
    return False


class PublishingConflictError(Exception):
    """A publication was not recorded: this publisher lost the chat's lock, or the chat's
    cursor is already past it (another publisher went first)."""


class NchanState(Protocol):
    """Per-chat publishing state, shared by every app process that publishes."""

    def publishing(self, chat_id: int) -> AbstractAsyncContextManager[bool]:
        """Try to take the chat's publishing lock, without waiting: True = held until the
        block ends, False = another publisher holds it."""

    async def cursor(self, chat_id: int) -> int | None:
        """The newest published event of the chat, None when nothing was published."""

    async def progress(self, chat_id: int) -> Progress:
        """Cursor, pacing and pending cuts, read together."""

    async def request_cut(self, chat_id: int, event_id: int) -> None:
        """Ask that a message end at `event_id` (a viewer resumes after it)."""

    async def start(self, chat_id: int, floor: int) -> None:
        """First publication of a chat: events <= `floor` will never be mapped."""

    async def record(
        self,
        chat_id: int,
        events: tuple[int, int],
        message: str,
        buffered: int,
        pace: float,
        stale: int = 0,
        last_print: str = "",
    ) -> None:
        """Events `events` (first, last) are nchan's `message`; nchan holds `buffered`; the
        chat's next message may go in `pace` seconds; `stale`: the newest event of the message
        that changed a post published earlier (0: none); `last_print`: `event_print` of the
        last event, kept with the cursor. Cuts up to the last event are done.
        PublishingConflictError (nothing recorded) when the caller no longer holds the lock
        or the cursor is already at or past `last`."""

    async def record_marker(self, chat_id: int, at: int, message: str, buffered: int) -> None:
        """nchan's `message` is a marker (an `id:` frame, no event) after the message that
        ends at event `at`, the cursor. PublishingConflictError (nothing recorded) when the
        caller no longer holds the lock or the cursor is not `at`."""

    async def claim(self, chat_id: int, *, force: bool = False) -> str | None:
        """Make sure the chat's state is this database's: forget it when another database
        published the chat's channel last (or always, with `force`: this database was
        restored to an older copy). Returns the database whose state was forgotten ("" when
        unknown), None when nothing was. Call while holding the chat's publishing lock."""

    async def locate(self, chat_id: int, after: int) -> ChatMap:
        """The snapshot `decide` needs for a viewer resuming after `after`."""


@dataclass
class _MemoryChat:
    cursor: int | None = None
    cursor_message: str | None = None
    floor: int = 0
    # first, last, message; a marker is (cursor + 1, cursor, message): it carries no event
    entries: list[tuple[int, int, str]] = field(default_factory=list)
    stale: int = 0
    marked: int | None = None
    cursor_print: str = ""
    paced_until: float = 0.0  # time.monotonic()
    cuts: set[int] = field(default_factory=set)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class MemoryNchanState:
    """The state in this process: right for one app process publishing."""

    def __init__(self, buffer_length: int) -> None:
        self._buffer_length = buffer_length
        self._chats: dict[int, _MemoryChat] = {}

    def _chat(self, chat_id: int) -> _MemoryChat:
        return self._chats.setdefault(chat_id, _MemoryChat())

    @asynccontextmanager
    async def publishing(self, chat_id: int) -> AsyncIterator[bool]:
        """The chat's asyncio lock, if it is free."""
        lock = self._chat(chat_id).lock
        if lock.locked():
            yield False
            return
        async with lock:
            yield True

    async def cursor(self, chat_id: int) -> int | None:
        """The newest published event."""
        return self._chat(chat_id).cursor

    async def progress(self, chat_id: int) -> Progress:
        """Cursor, last publication, cuts after the cursor."""
        chat = self._chat(chat_id)
        after = chat.cursor or 0
        cuts = tuple(sorted(c for c in chat.cuts if c > after))
        paced_for = max(0.0, chat.paced_until - time.monotonic())
        return Progress(chat.cursor, paced_for, cuts, chat.marked, chat.cursor_print)

    async def request_cut(self, chat_id: int, event_id: int) -> None:
        """Remember the cut until a publication passes it."""
        chat = self._chat(chat_id)
        if event_id > (chat.cursor or 0):
            chat.cuts.add(event_id)

    async def start(self, chat_id: int, floor: int) -> None:
        """Events <= floor are not mapped."""
        chat = self._chat(chat_id)
        chat.floor = max(chat.floor, floor)

    async def claim(self, chat_id: int, *, force: bool = False) -> str | None:
        """This process's state is its database's; `force` forgets it."""
        if not force:
            return None
        chat = self._chat(chat_id)
        self._chats[chat_id] = _MemoryChat(lock=chat.lock)
        return ""

    async def record(
        self,
        chat_id: int,
        events: tuple[int, int],
        message: str,
        buffered: int,
        pace: float,
        stale: int = 0,
        last_print: str = "",
    ) -> None:
        """Map the message, move the cursor, forget what nchan no longer holds."""
        chat = self._chat(chat_id)
        first, last = events
        if chat.cursor is not None and last <= chat.cursor:
            raise PublishingConflictError(
                f"chat {chat_id} is already published up to {chat.cursor}"
            )
        chat.entries.append((first, last, message))
        chat.cursor, chat.cursor_message, chat.cursor_print = last, message, last_print
        chat.stale = max(chat.stale, stale)
        chat.paced_until = time.monotonic() + pace
        chat.cuts = {c for c in chat.cuts if c > last}
        self._trim(chat, buffered)

    async def record_marker(self, chat_id: int, at: int, message: str, buffered: int) -> None:
        """Map the marker (it takes a place in nchan's buffer like any message)."""
        chat = self._chat(chat_id)
        if chat.cursor != at:
            raise PublishingConflictError(f"chat {chat_id} is published up to {chat.cursor}")
        chat.entries.append((at + 1, at, message))
        chat.marked = at
        self._trim(chat, buffered)

    def _trim(self, chat: _MemoryChat, buffered: int) -> None:
        keep = max(1, min(buffered, self._buffer_length))
        if len(chat.entries) > keep:
            gone = chat.entries[: len(chat.entries) - keep]
            chat.floor = max(chat.floor, gone[-1][1])
            del chat.entries[: len(gone)]

    async def locate(self, chat_id: int, after: int) -> ChatMap:
        """The snapshot for `decide`."""
        chat = self._chat(chat_id)
        # A marker at `after` is not the message to start after: the viewer gets it first.
        before = [
            (last, message)
            for first, last, message in chat.entries
            if last < after or (last == after and first <= last)
        ]
        following = [(first, last) for first, last, _ in chat.entries if last > after]
        stale_end = [last for _, last, _ in chat.entries if last >= chat.stale]
        oldest = chat.entries[0] if chat.entries else None
        return ChatMap(
            cursor=chat.cursor,
            cursor_message=chat.cursor_message,
            floor=chat.floor,
            at_or_before=before[-1] if before else None,
            oldest=(oldest[1], oldest[2]) if oldest else None,
            following_first=following[0][0] if following else None,
            following_last=following[0][1] if following else None,
            stale=chat.stale,
            stale_end=stale_end[0] if chat.stale and stale_end else None,
            marked=chat.marked,
        )
