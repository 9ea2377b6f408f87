"""The bridges at work in `hashchat serve`: follow each claimed bridge's network and post our
chats' opening, question and closing posts there.

- Inbound: `BridgeRunner.tick` (a background job) claims the bridges nobody holds (a lease:
  when scaled, one process per bridge; a killed process's bridges are taken over when its lease
  runs out) and keeps one follower thread per claimed bridge. A Mastodon follower reads the
  hashtag's stream for speed and, every tick, catches up with `min_id` paging from the stored
  status id, which alone moves the cursor: a post missed by a dropped stream is read by the
  next catch-up, and one read twice is updated at the door, never added twice. A Bluesky
  follower reads the firehose from the stored sequence number and moves it after filing.
  Failures back off exponentially (rate limits and 5xx included) and show in the health; a
  refused login marks the bridge failed; nothing stops the chat.
- Outbound: the outbox consumer `bridges` (`actions.outbox`) hands each chat event to
  `deliver`: a chat going live gets the opening post, each asked question a reply under it,
  the end a closing reply. Every post is recorded (`bridge_posts`) once, so a retried
  delivery never posts twice.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hashchat.actions import bridges as actions
from hashchat.actions.bridges import BridgeWork
from hashchat.actions.context import AppContext
from hashchat.actions.outbox import OutboxMessage, register_consumer, register_handler, worker_name
from hashchat.actions.runner import Job
from hashchat.bridges import bluesky, mastodon
from hashchat.bridges.errors import BridgeError, LoginRefusedError, NetworkBusyError
from hashchat.domain.ingest import ForeignPost

logger = logging.getLogger(__name__)

CONSUMER = "bridges"
TICK_SECONDS = 2.0
HEALTHY_SECONDS = 30.0
# Held while one of our posts is published and recorded, and while read posts are filed: a
# network's copy of our own question, read back at once, is then known as ours and not filed.
# (Per process: when scaled, a copy read by another process in that instant can still slip in.)
OWN_POSTS = threading.RLock()
BATCH = 500  # streamed items filed together at most
X_POLL_SECONDS = 6.0  # recent search with user keys: 180 requests per 15 minutes
X_CATCH_UP_MARGIN = 60.0  # after a reconnect, search from this long before the newest filed
X_SEARCH_BACKOFF_MAX = 900.0  # a failing catch-up search waits at most this long (15 min window)
MAX_BACKOFF = 300.0


def backoff(failures: int) -> float:
    """Seconds to wait after `failures` failures in a row: 2, 4, 8 … up to five minutes."""
    return float(min(MAX_BACKOFF, 2.0 ** max(1, failures)))


@dataclass
class _Follower:
    """One bridge being followed on this process."""

    work: BridgeWork
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


class BridgeRunner:
    """Claims bridges and follows each on a thread; `tick` is the background job's round."""

    def __init__(self, ctx: AppContext, name: str | None = None) -> None:
        self.ctx = ctx
        self.name = name or worker_name()
        self._followers: dict[int, _Follower] = {}
        self._lock = threading.Lock()
        self._filer = _Filer(ctx)  # what every followed stream delivers, filed together
        self.x_session: Any = None  # tweepy's HTTP session (None: its own)

    def tick(self) -> None:
        """Renew claims, start followers for newly claimed bridges, drop removed ones, and
        post the reminders due on the claimed bridges."""
        claimed = {work.id: work for work in actions.claim_bridges(self.ctx, self.name)}
        for work in claimed.values():
            for reminder in actions.due_reminders(self.ctx, work):
                try:
                    _post_reminder(self.ctx, work, reminder)
                except Exception as error:  # tried again next tick
                    logger.warning("bridge %s: reminder failed: %s", work.id, type(error).__name__)
        with self._lock:
            for bridge_id in list(self._followers):
                if bridge_id not in claimed:
                    self._followers.pop(bridge_id).stop.set()
            for bridge_id, work in claimed.items():
                follower = self._followers.get(bridge_id)
                if follower is None or follower.thread is None or not follower.thread.is_alive():
                    follower = _Follower(work)
                    follower.thread = threading.Thread(
                        target=self._follow,
                        args=(follower,),
                        daemon=True,
                        name=f"bridge-{bridge_id}",
                    )
                    self._followers[bridge_id] = follower
                    follower.thread.start()

    def close(self) -> None:
        """Stop every follower and give the claims back."""
        with self._lock:
            followers = list(self._followers.values())
            self._followers.clear()
        for follower in followers:
            follower.stop.set()
        for follower in followers:
            if follower.thread is not None:
                follower.thread.join(timeout=15)
            actions.release_bridge(self.ctx, follower.work.id, self.name)
        self._filer.close()

    def _follow(self, follower: _Follower) -> None:
        run = {
            "mastodon": self._follow_mastodon,
            "bluesky": self._follow_bluesky,
            "x": self._follow_x,
        }.get(follower.work.network)
        if run is None:
            actions.record_health(
                self.ctx,
                follower.work.id,
                connected=False,
                error=f"reading {follower.work.network} is not built yet",
                login_refused=True,
            )
            return
        failures = 0
        while not follower.stop.is_set():
            started = time.monotonic()
            try:
                run(follower)
                return
            except LoginRefusedError as error:
                actions.record_health(
                    self.ctx,
                    follower.work.id,
                    connected=False,
                    error=error.reason,
                    login_refused=True,
                )
                return
            except Exception as error:  # any failure backs off; the chat goes on
                # A bridge that ran well for a while starts its back-off afresh.
                failures = 1 if time.monotonic() - started > HEALTHY_SECONDS else failures + 1
                wait = backoff(failures)
                reason = error.reason if isinstance(error, BridgeError) else repr(error)
                logger.warning("bridge %s failed: %s", follower.work.id, type(error).__name__)
                actions.record_health(
                    self.ctx, follower.work.id, connected=False, error=reason, backoff_seconds=wait
                )
                follower.stop.wait(wait)

    # -- Mastodon ---------------------------------------------------------------------------

    def _follow_mastodon(self, follower: _Follower) -> None:
        work = follower.work
        account = mastodon.MastodonAccount(
            work.settings["instance"], work.credentials["access_token"]
        )
        cursor = work.cursor

        batcher = _Batcher(self._filer, work.id, retry=False)  # catch-up covers a failed batch

        def on_status(event: str, payload: Any) -> None:
            if event == "delete":
                batcher.add((), [("mastodon", account.domain, str(payload))], None)
            elif mastodon.is_tagged(payload, work.tag):
                batcher.add([mastodon.foreign_post(payload, account.domain)], (), None)

        stream = account.follow(work.tag, on_status)
        reread = 0  # rounds left that read the newest page again (after a reconnect)
        try:
            while not follower.stop.is_set():
                cursor = self._catch_up(work, account, cursor)
                if reread:
                    self._reread_newest(work, account)
                    reread -= 1
                actions.record_health(
                    self.ctx,
                    work.id,
                    connected=stream.is_alive(),
                    rate_limit_remaining=account.rate_limit_remaining,
                )
                if not stream.is_alive():
                    stream = account.follow(work.tag, on_status)
                    # Catch-up reads only newer statuses: an edit made while the stream was
                    # down (or before the new one listens) is read back from the newest page,
                    # now and on the next round.
                    reread = 2
                follower.stop.wait(TICK_SECONDS)
        finally:
            stream.close()
            batcher.close()

    def _catch_up(
        self, work: BridgeWork, account: mastodon.MastodonAccount, cursor: str | None
    ) -> str | None:
        for page in account.since(work.tag, cursor):
            posts = [
                mastodon.foreign_post(s, account.domain)
                for s in page
                if mastodon.is_tagged(s, work.tag)
            ]
            # A new bridge starts at the newest page; an empty timeline starts it at "0", so
            # the next round pages forward from there instead of taking the newest page again
            # (which would skip whatever more than a page arrived in between).
            cursor = str(page[-1]["id"]) if page else (cursor or "0")
            with OWN_POSTS:
                actions.do_file_bridge_posts(self.ctx, work.id, posts, cursor=cursor)
        return cursor

    def _reread_newest(self, work: BridgeWork, account: mastodon.MastodonAccount) -> None:
        """File the hashtag's newest page again, the cursor left where it is: the door updates
        what changed (an edit) and adds nothing twice."""
        for page in account.since(work.tag, None):
            posts = [
                mastodon.foreign_post(s, account.domain)
                for s in page
                if mastodon.is_tagged(s, work.tag)
            ]
            with OWN_POSTS:
                actions.do_file_bridge_posts(self.ctx, work.id, posts)

    # -- Bluesky ----------------------------------------------------------------------------

    def _follow_bluesky(self, follower: _Follower) -> None:
        work = follower.work
        with bluesky.BlueskyAccount(
            work.settings.get("service", "https://bsky.social"),
            work.settings.get("handle", work.account),
            work.credentials["app_password"],
        ) as account:
            handles: dict[str, str] = {}

            def handle_of(did: str) -> str:
                if did not in handles:
                    try:
                        described = account.client.com.atproto.repo.describe_repo({"repo": did})
                        handles[did] = str(described.handle)
                    except Exception:  # an unknown account keeps its DID as its handle
                        handles[did] = did
                return handles[did]

            tag_filter = bluesky.TagFilter(work.tag, handle_of)
            failure: list[BaseException] = []

            batcher = _Batcher(self._filer, work.id, retry=True)  # the cursor moves only after

            def on_frame(frame: Any) -> None:
                item = tag_filter.read(frame)
                if item.posts or item.deleted:
                    deleted = [("bluesky", bluesky.SOURCE, uri) for uri in item.deleted]
                    cursor = str(item.seq) if item.seq is not None else None
                    batcher.add(item.posts, deleted, cursor)

            cursor = int(work.cursor) if work.cursor else None
            firehose = bluesky.Firehose(
                work.settings.get("firehose", bluesky.PUBLIC_FIREHOSE), cursor, on_frame
            ).start()
            try:
                while not follower.stop.is_set():
                    if not firehose.is_alive():
                        failure.append(firehose.error or ConnectionError("the firehose ended"))
                        break
                    actions.record_health(
                        self.ctx,
                        work.id,
                        connected=True,
                        rate_limit_remaining=account.rate_limit_remaining,
                    )
                    follower.stop.wait(TICK_SECONDS)
            finally:
                firehose.close()
                batcher.close()
            if failure:
                raise failure[0]

    # -- X ---------------------------------------------------------------------------------

    def _follow_x(self, follower: _Follower) -> None:
        from hashchat.bridges.x import XAccount, XStream, XStreamForbiddenError, snowflake_before

        work = follower.work
        account = XAccount(work.credentials.values, self.x_session)
        reconnected = threading.Event()
        newest = [work.cursor]  # the newest post id filed (by the stream or by catch-up)
        batcher = _Batcher(self._filer, work.id, retry=True)

        def on_posts(posts: list[ForeignPost]) -> None:
            newest[0] = _newer(newest[0], *(p.external_id for p in posts))
            batcher.add(posts, (), newest[0])

        stream = XStream(account, work.tag, on_posts, reconnected.set)
        try:
            try:
                stream.open()
            except XStreamForbiddenError as error:
                self._poll_x(follower, account, error.reason)
                return
            searched = time.monotonic()  # the last catch-up by search
            polled = False  # searched since the stream was last up
            owed = False  # a catch-up after a (re)connection failed: tried again, later
            retry_at, retry_wait = 0.0, X_POLL_SECONDS
            while not follower.stop.is_set():
                if isinstance(stream.error, XStreamForbiddenError):
                    stream.close()
                    self._poll_x(follower, account, stream.error.reason, newest[0])
                    return
                if not stream.is_alive():
                    raise stream.error or ConnectionError("X's stream ended")
                up = reconnected.is_set() or owed
                now = time.monotonic()
                search_error = None
                if now >= retry_at and (
                    up or (not stream.connected and now - searched >= X_POLL_SECONDS)
                ):
                    # Connected (again): what was posted while it was down, and what was in
                    # flight when it dropped, is read by search from a little before the newest
                    # post filed (or from the newest, when searches read it meanwhile); the door
                    # adds nothing twice. Not connecting (X's back-off, or the app's one stream
                    # connection held by another bridge): read by search meanwhile. A search
                    # that fails never stops the stream: it is tried again with back-off.
                    reconnected.clear()
                    since = newest[0] if polled else snowflake_before(newest[0], X_CATCH_UP_MARGIN)
                    try:
                        caught = self._x_catch_up(work, account, since, newest[0])
                    except NetworkBusyError as error:
                        search_error = f"X's recent search: {error.reason}"
                        logger.warning("bridge %s: %s", work.id, search_error)
                        owed, retry_at = up, now + retry_wait
                        retry_wait = min(X_SEARCH_BACKOFF_MAX, retry_wait * 2)
                    else:
                        newest[0] = _newer(newest[0], *([caught] if caught else []))
                        searched, polled, owed = time.monotonic(), not up, False
                        retry_wait = X_POLL_SECONDS
                note = None
                if polled and stream.error is not None:
                    reason = getattr(stream.error, "reason", repr(stream.error))
                    note = f"{reason}; reading by recent search until it is back"
                if search_error is not None:
                    note = f"{search_error}; the stream goes on, the search is tried again"
                actions.record_health(
                    self.ctx,
                    work.id,
                    connected=stream.connected,
                    rate_limit_remaining=account.rate_limit_remaining,
                    note=note,
                )
                reconnected.wait(TICK_SECONDS)
        finally:
            stream.close()
            batcher.close()

    def _x_catch_up(
        self, work: BridgeWork, account: Any, since: str | None, cursor: str | None
    ) -> str | None:
        """File the hashtag's posts after `since` by recent search; the cursor moves to the
        newest once every page is filed."""
        newest = cursor
        for page in account.since(work.tag, since):
            newest = _newer(newest, *(p.external_id for p in page))
            with OWN_POSTS:
                actions.do_file_bridge_posts(self.ctx, work.id, page)
        if newest != cursor:
            actions.do_file_bridge_posts(self.ctx, work.id, (), cursor=newest)
        return newest

    def _poll_x(
        self, follower: _Follower, account: Any, why: str, cursor: str | None = None
    ) -> None:
        """Recent search every `X_POLL_SECONDS` from `cursor` (the newest post filed; the
        bridge's stored cursor by default): an access level without the stream (`why`, shown in
        the health)."""
        work = follower.work
        note = f"{why}; reading by recent search every {X_POLL_SECONDS:g} s instead"
        logger.warning("bridge %s: %s", work.id, note)
        cursor = _newer(work.cursor, *([cursor] if cursor else []))
        while not follower.stop.is_set():
            cursor = self._x_catch_up(work, account, cursor, cursor)
            actions.record_health(
                self.ctx,
                work.id,
                connected=True,
                rate_limit_remaining=account.rate_limit_remaining,
                note=note,
            )
            follower.stop.wait(X_POLL_SECONDS)


def _newer(current: str | None, *ids: str) -> str | None:
    """The newest of X post ids (compared as numbers)."""
    for candidate in ids:
        if current is None or int(candidate) > int(current):
            current = candidate
    return current


class _Filer:
    """Files what the streams of every bridge this process follows deliver, from a thread of
    its own: everything waiting at once, all bridges together (`do_file_bridges_posts`: one
    ingest call per chat, whose cost is a pass over the chat, rather than one per bridge), so a
    burst costs one write, not one per post or per network, and no stream's reader waits for
    the database. When a round fails, each bridge's part is tried alone, so one bridge's
    trouble holds no other; a failed part with `retry` (the firehose cursor must not pass posts
    that were not filed) is tried again after a back-off, others are left to the catch-up."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._held: dict[int, tuple[list[_Item], float, float]] = {}  # items, retry at, wait
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def add(self, item: _Item) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True, name="filer")
                self._thread.start()
        self._queue.put(item)

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until what was queued before is filed (or held for a retry)."""
        if self._thread is None:
            return
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout)

    def close(self) -> None:
        """File what is queued, then stop."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)

    def _run(self) -> None:
        ending = False
        while not ending:
            timeout = None
            if self._held:
                timeout = max(0.0, min(at for _, at, _ in self._held.values()) - time.monotonic())
            try:
                first = self._queue.get(timeout=timeout)
            except queue.Empty:
                first = ()
            items: list[_Item] = []
            markers: list[threading.Event] = []
            for got in _drain(first, self._queue):
                if got is None:
                    ending = True
                elif isinstance(got, threading.Event):
                    markers.append(got)
                else:
                    items.append(got)
            now = time.monotonic()
            due = {b for b, (_, at, _) in self._held.items() if at <= now or ending}
            waiting = [item for item in items if item.bridge_id in self._held.keys() - due]
            for item in waiting:  # behind the held ones, not past them
                self._held[item.bridge_id][0].append(item)
            items = [item for item in items if all(item is not w for w in waiting)]
            for bridge_id in due:
                items[:0] = self._held[bridge_id][0]  # before anything newer of the bridge
            self._file(items)
            for marker in markers:
                marker.set()

    def _file(self, items: list[_Item]) -> None:
        by_bridge: dict[int, list[_Item]] = {}
        for item in items:
            by_bridge.setdefault(item.bridge_id, []).append(item)
        if not by_bridge:
            return
        try:
            self._file_bridges(by_bridge)
            for bridge_id in by_bridge:
                self._held.pop(bridge_id, None)
            return
        except Exception as error:  # the database away, or one bridge's trouble
            if len(by_bridge) == 1:
                self._failed(next(iter(by_bridge.items())), error)
                return
        for part in by_bridge.items():
            try:
                self._file_bridges(dict([part]))
                self._held.pop(part[0], None)
            except Exception as error:
                self._failed(part, error)

    def _file_bridges(self, by_bridge: dict[int, list[_Item]]) -> None:
        batches = []
        for bridge_id, items in by_bridge.items():
            cursors = [item.cursor for item in items if item.cursor is not None]
            batches.append(
                actions.BridgeBatch(
                    bridge_id,
                    [post for item in items for post in item.posts],
                    cursors[-1] if cursors else None,
                    [identity for item in items for identity in item.deleted],
                )
            )
        with OWN_POSTS:
            actions.do_file_bridges_posts(self.ctx, batches)

    def _failed(self, part: tuple[int, list[_Item]], error: Exception) -> None:
        bridge_id, items = part
        logger.warning("bridge %s: filing failed: %s", bridge_id, type(error).__name__)
        if not any(item.retry for item in items):
            self._held.pop(bridge_id, None)
            return
        _, _, wait = self._held.get(bridge_id, ([], 0.0, 0.5))
        wait = min(wait * 2, 30.0)
        self._held[bridge_id] = ([i for i in items if i.retry], time.monotonic() + wait, wait)


def _drain(first: Any, waiting: queue.SimpleQueue[Any]) -> Iterator[Any]:
    """`first` (`()`: nothing) and whatever else is waiting, up to `BATCH` posts."""
    if first == ():
        return
    yield first
    posts = len(first.posts) if isinstance(first, _Item) else 0
    while posts < BATCH:
        try:
            more = waiting.get_nowait()
        except queue.Empty:
            return
        yield more
        if more is None:
            return
        if isinstance(more, _Item):
            posts += len(more.posts)


@dataclass(frozen=True, slots=True)
class _Item:
    """What one stream delivered, for the filer."""

    bridge_id: int
    posts: list[ForeignPost]
    deleted: list[tuple[str, str, str]]
    cursor: str | None
    retry: bool


class _Batcher:
    """One bridge's way into the process's filer: `add` queues what its stream delivered,
    `close` waits until that is filed. With `retry` a failed filing is tried again (the
    firehose cursor must not pass posts that were not filed); without, the catch-up covers
    it."""

    def __init__(self, filer: _Filer, bridge_id: int, *, retry: bool) -> None:
        self.filer = filer
        self.bridge_id = bridge_id
        self.retry = retry

    def add(
        self,
        posts: Sequence[ForeignPost],
        deleted: Sequence[tuple[str, str, str]],
        cursor: str | None,
    ) -> None:
        """Queue posts, deletions and the cursor after them."""
        self.filer.add(_Item(self.bridge_id, list(posts), list(deleted), cursor, self.retry))

    def close(self) -> None:
        """Wait until what was queued is filed."""
        self.filer.flush()


# -- outbound ------------------------------------------------------------------------------


def _with_tag(text: str, tag: str) -> str:
    bare = tag.lstrip("#")
    return text if f"#{bare}".casefold() in text.casefold() else f"{text} #{bare}"


# A post made: (its external id, its address, what a reply to it names, the rate-limit budget
# the network's answer left).
Made = tuple[str, str | None, Any, int | None]
Poster = Callable[[BridgeWork, str, Any], Made]


def _post_mastodon(work: BridgeWork, text: str, parent: Any) -> Made:
    account = mastodon.MastodonAccount(work.settings["instance"], work.credentials["access_token"])
    posted = account.post(_with_tag(text, work.tag), in_reply_to=parent)
    return posted.external_id, posted.url, posted.external_id, account.rate_limit_remaining


def _post_bluesky(work: BridgeWork, text: str, parent: Any) -> Made:
    with bluesky.BlueskyAccount(
        work.settings.get("service", "https://bsky.social"),
        work.settings.get("handle", work.account),
        work.credentials["app_password"],
    ) as account:
        posted = account.post(text, work.tag, parent)
    return posted.external_id, posted.url, posted, account.rate_limit_remaining


def _post_x(work: BridgeWork, text: str, parent: Any) -> Made:
    from hashchat.bridges.x import XAccount

    account = XAccount(work.credentials.values, X_SESSION[0])
    external_id = account.post(_with_tag(text, work.tag), in_reply_to=parent)
    url = f"https://x.com/i/status/{external_id}"
    return external_id, url, external_id, account.rate_limit_remaining


X_SESSION: list[Any] = [None]  # the HTTP session outbound X posts go through (None: tweepy's)


def deliver(ctx: AppContext, message: OutboxMessage) -> None:
    """Post what a chat event asks for on every bridge of the chat's series (once each)."""
    if message.chat_id is None:
        return
    data: Mapping[str, Any] = message.data if isinstance(message.data, Mapping) else {}
    plan: list[tuple[str, int, str | None]]
    if message.type == "state" and data.get("state") == "live":
        plan = [("opening", 0, None)]
    elif message.type == "question" and data.get("asked_at"):
        number = int(data["number"])
        plan = [("opening", 0, None), ("question", number, f"Q{number} {data['text']}")]
    elif message.type == "state" and data.get("state") == "late_answers":
        plan = [("opening", 0, None), ("closing", 0, None)]
    else:
        return
    for work in actions.bridged_series_of_chat(ctx, message.chat_id):
        _deliver_to(ctx, work, message.chat_id, plan)


def _deliver_to(
    ctx: AppContext, work: BridgeWork, chat_id: int, plan: list[tuple[str, int, str | None]]
) -> None:
    if work.network == "mastodon":
        poster: Poster = _post_mastodon
    elif work.network == "bluesky":
        poster = _post_bluesky
    elif work.network == "x":
        poster = _post_x
    else:
        return
    opening_ref: Any = None
    for kind, number, text in plan:
        done = actions.bridge_post(ctx, work.id, chat_id, kind, number)
        if done is not None:
            if kind == "opening":
                opening_ref = _ref(work, done)
            continue
        words = text or _standard_text(kind, work.tag)
        parent = None
        if kind != "opening" and opening_ref is not None:
            parent = opening_ref if work.network != "bluesky" else (opening_ref, opening_ref)
        with OWN_POSTS:  # recorded before this process files the network's copy of it
            external_id, url, ref, budget = poster(work, words, parent)
            actions.record_bridge_post(ctx, work.id, chat_id, kind, number, external_id, url)
        actions.record_rate_limit(ctx, work.id, budget)
        if kind == "opening":
            opening_ref = ref


def _ref(work: BridgeWork, done: Any) -> Any:
    if work.network in ("mastodon", "x"):
        return done.external_id
    repo, _, rkey = done.external_id.removeprefix("at://").partition(f"/{bluesky.POST_COLLECTION}/")
    with bluesky.BlueskyAccount(
        work.settings.get("service", "https://bsky.social"),
        work.settings.get("handle", work.account),
        work.credentials["app_password"],
    ) as account:
        record = account.client.com.atproto.repo.get_record(
            {"repo": repo, "collection": bluesky.POST_COLLECTION, "rkey": rkey}
        )
    return bluesky.Posted(done.external_id, str(record.cid), done.url)


def _standard_text(kind: str, tag: str) -> str:
    bare = tag.lstrip("#")
    if kind == "opening":
        return f"#{bare} starts now! Questions come as Q1, Q2…; answer with A1, A2… and #{bare}."
    return f"That's a wrap for #{bare}: thank you all! Late answers are still welcome today."


def _post_reminder(ctx: AppContext, work: BridgeWork, reminder: actions.Reminder) -> None:
    posters = {"mastodon": _post_mastodon, "bluesky": _post_bluesky, "x": _post_x}
    poster = posters.get(work.network)
    if poster is None:
        return
    limit = {"x": 280, "bluesky": 300}.get(work.network, 500) - len(work.tag) - 2
    text = reminder.text if len(reminder.text) <= limit else reminder.text[: limit - 1] + "…"
    with OWN_POSTS:
        external_id, url, _, budget = poster(work, text, None)
        actions.record_bridge_post(
            ctx, work.id, reminder.chat_id, "reminder", reminder.minutes, external_id, url
        )
    actions.record_rate_limit(ctx, work.id, budget)


def register_outbound(ctx: AppContext) -> None:
    """Serve the `bridges` and `cross_posts` outbox consumers in this process's runner."""
    from hashchat.bridges.cross_post import register_cross_posts

    register_consumer(ctx, CONSUMER)
    register_handler(CONSUMER, lambda message: deliver(ctx, message))
    register_cross_posts(ctx)  # participants' answers through their own accounts


def bridge_jobs(ctx: AppContext) -> list[Job]:
    """The inbound job: claim and follow bridges."""
    runner = BridgeRunner(ctx)
    return [Job("bridges", TICK_SECONDS, runner.tick, runner.close)]
