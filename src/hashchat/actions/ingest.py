"""The ingest door: posts from elsewhere (archives, bridges, our own exports) enter a chat here.

`do_ingest_posts` files `ForeignPost`s (`domain.ingest`) into one chat, in one transaction:

- identity is `(network, source, external_id)`: a post seen again is updated (an edit, a
  deletion, a moderation state carried by our own export), never added twice; one whose
  identity already lives in another chat is skipped;
- a foreign author is a handle on a network, stored on the post (`author_handle`, `network`)
  with no local account; a handle linked to a local user (`linked_handles`, made by `as_user`)
  makes her posts hers, and a host's posts a host's;
- a deleted post is hidden, never removed; a post hidden here stays hidden;
- reply links are mapped through external ids in the same network and source: a reply whose
  parent is not there yet keeps the parent's external id (`reply_to_external_id`) and is linked
  when the parent arrives, by any later ingest into the chat;
- reposts are kept as such (`is_repost`) and never count as participation;
- attribution and `late` come from the one recap pipeline (`domain.recap.transcript_of_posts`,
  as `actions.segments` does for typed posts), run once per call over the posts the call can
  change (`_affected`: the posts it added or changed and their replies, transitively) with
  their ancestors, or over the whole chat when those are most of it (an import): a bridge's
  few posts cost the same in a chat of 600 posts or 20,000;
- no login or rate limit (those are for people typing), and no text rule: the text is stored
  as it came (only NUL, which PostgreSQL cannot store, becomes U+FFFD);
- imported history reaches live viewers as one `resync` event per call (the room reloads),
  not one event per post; imported posts never enter the outbox.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions.access import load_chat, load_series, load_user, require
from hashchat.actions.chats import MAX_DURATION_MINUTES, MAX_QUESTIONS, MAX_TOPIC_CHARACTERS
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ConflictError, InvalidInputError
from hashchat.actions.permissions import HOSTS, Mutation
from hashchat.actions.segments import (
    StoredSegment,
    bridged_question_posts,
    chat_questions,
    chat_window,
    segment_counts,
)
from hashchat.actions.validation import check_aware, check_text
from hashchat.actions.views import UserView
from hashchat.domain.chat import ChatState, Post
from hashchat.domain.events import HideEvent, ResyncEvent
from hashchat.domain.ingest import ForeignChat, ForeignPost, Network
from hashchat.domain.recap import Entry, transcript_of_posts
from hashchat.store.events import add_typed_event
from hashchat.store.locks import lock_chat_events
from hashchat.store.models import (
    ChatRow,
    LinkedHandle,
    Membership,
    PostRow,
    QuestionRow,
    SegmentRow,
    User,
    UTCDateTime,
)

_json_string: Callable[[str], str] = encode_basestring_ascii  # json.dumps' own, for one string
_POSTS: sa.Table = PostRow.__table__  # type: ignore[assignment]
_SEGMENTS: sa.Table = SegmentRow.__table__  # type: ignore[assignment]
BATCH = 2_000  # identities looked up in one query
# At most this many posts added or changed by one call in a running chat go out one event each
# (a bridge's latest posts); more is history, and open rooms reload once (`resync`).
LIVE_EVENTS = 50
_MAX = {"external_id": 200, "author_handle": 200, "display_name": 200, "url": 500, "source": 300}


class IngestError(InvalidInputError):
    """A post the door cannot file (an over-long identity or handle); names the record."""

    def __init__(self, external_id: str, problem: str) -> None:
        super().__init__(f"{external_id}: {problem}")
        self.external_id = external_id
        self.problem = problem


@dataclass(slots=True)
class IngestCounts:
    """What one ingest did: posts added, updated (edited, deleted, moved state), unchanged
    (seen before, same), skipped (their identity belongs to another chat)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    # Identities added and ids updated, kept while few enough to go out one event each.
    added_identities: list[tuple[str, str, str]] = field(default_factory=list, repr=False)
    updated_ids: list[int] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, int]:
        """The four counts, as the import command prints them."""
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


@dataclass(frozen=True, slots=True)
class _Author:
    user_id: int | None
    is_host: bool


def handle_key(handle: str) -> str:
    """How handles are compared: case-insensitively (X, Mastodon and Bluesky handles are)."""
    return handle.casefold()


def link_handle(session: Session, user: User, network: str, handle: str, now: datetime) -> None:
    """Record that `handle` on `network` is `user`'s (idempotent); 409 when it is another's."""
    key = handle_key(handle)
    current = session.scalar(
        sa.select(LinkedHandle).where(LinkedHandle.network == network, LinkedHandle.handle == key)
    )
    if current is None:
        session.add(LinkedHandle(network=network, handle=key, user_id=user.id, created_at=now))
        session.flush()
    elif current.user_id != user.id:
        raise ConflictError(f"{handle} on {network} is linked to another account")


def do_link_handle(ctx: AppContext, user_name: str, network: str, handle: str) -> None:
    """Link a handle on a network to a local user (what `--as` does before importing)."""
    with ctx.store.write() as session:
        link_handle(session, load_user(session, user_name), network, handle, ctx.now())


def _clean(text: str) -> str:
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


def _check(post: ForeignPost) -> None:
    if (
        len(post.external_id) <= 200
        and len(post.author_handle) <= 200
        and len(post.display_name) <= 200
        and (post.url is None or len(post.url) <= 500)
        and len(post.source) <= 300
        and post.external_id[:1].strip()
        and post.source[:1].strip()
        and post.created_at.tzinfo is not None
    ):
        return  # the usual case, checked at once (below: which rule a post breaks)
    for name, limit in _MAX.items():
        value = getattr(post, name)
        if value is not None and len(value) > limit:
            raise IngestError(post.external_id[:80], f"{name} is longer than {limit} characters")
    if not post.external_id.strip():
        raise IngestError("(no id)", "the post has no external id")
    if not post.source.strip():
        raise IngestError(post.external_id, "the post names no source (site or instance)")
    if post.created_at.tzinfo is None:
        raise IngestError(post.external_id, "created_at has no time zone")


def _check_parent(post: ForeignPost, parent: str | None) -> str | None:
    if parent is not None and len(parent) > _MAX["external_id"]:
        raise IngestError(post.external_id, "the parent's identity is too long")
    return parent


class _Authors:
    """Who each handle is: a linked local user (a host or not), or nobody here."""

    def __init__(self, session: Session, chat: ChatRow) -> None:
        self._session = session
        self._hosts = frozenset(
            session.scalars(
                sa.select(Membership.user_id).where(
                    Membership.series_id == chat.series_id,
                    Membership.role.in_([role.value for role in HOSTS]),
                )
            )
        )
        self._links: dict[tuple[str, str], int] = {
            (row.network, row.handle): row.user_id
            for row in session.execute(
                sa.select(LinkedHandle.network, LinkedHandle.handle, LinkedHandle.user_id)
            )
        }

        self._known: dict[tuple[str, str], _Author] = {}  # a chat has far fewer authors than posts

    def link(self, network: str, handle: str, user_id: int) -> None:
        self._links[(network, handle_key(handle))] = user_id
        self._known.clear()

    def of(self, post: ForeignPost) -> _Author:
        asked = (_VALUE[post.network], post.author_handle)
        known = self._known.get(asked)
        if known is None:
            user_id = self._links.get((asked[0], handle_key(asked[1])))
            known = _Author(user_id, user_id is not None and user_id in self._hosts)
            self._known[asked] = known
        return known


Identity = tuple[str, str, str]  # (network, source, external id)
_VALUE = {network: network.value for network in Network}  # `.value` is a descriptor call
_SEP = "\x1f"  # joins a parent's (network, source, id) when it is not the reply's own origin


def pending_parent(post: ForeignPost) -> str | None:
    """What `reply_to_external_id` keeps for `post`: the parent's external id when it has the
    post's own network and source, else its whole identity joined by U+001F."""
    if post.reply_to is None:
        return None
    if post.reply_to_network is None and post.reply_to_source is None:
        return post.reply_to  # the usual reply, in the post's own network and source
    identity = post.parent_identity()
    if identity is None:
        return None
    if identity[:2] == (_VALUE[post.network], post.source):
        return identity[2]
    return _SEP.join(identity)


_NO_SEGMENTS = segment_counts(())  # a hidden post's: none


def _row_values(chat_id: int, post: ForeignPost, author: _Author) -> dict[str, Any]:
    return {
        "chat_id": chat_id,
        "author_id": author.user_id,
        "author_handle": post.author_handle,
        "display_name": post.display_name or post.author_handle,
        "network": _VALUE[post.network],
        "source": post.source,
        "external_id": post.external_id,
        "external_url": post.url,
        "text": _clean(post.text),
        "created_at": post.created_at,
        "reply_to_post_id": None,
        "reply_to_external_id": _check_parent(post, pending_parent(post)),
        "question": None,
        "part": None,
        "inferred": False,
        "late": False,
        "segments": [],
        **_NO_SEGMENTS,
        "is_host": author.is_host if post.by_host is None else post.by_host,
        "hidden": post.deleted or post.hidden,
        "spotlight": post.spotlight,
        "is_repost": post.repost_of is not None,
        "edited_at": post.edited_at,
    }


# Columns a later ingest may change; `hidden` and `spotlight` only ever turn on (a post hidden
# here stays hidden when its source re-sends it).
_UPDATABLE = (
    "author_id",
    "author_handle",
    "display_name",
    "external_url",
    "text",
    "created_at",
    "reply_to_external_id",
    "is_host",
    "is_repost",
    "edited_at",
)


def _changes(stored: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    changes = {name: wanted[name] for name in _UPDATABLE if stored[name] != wanted[name]}
    if "reply_to_external_id" in changes:
        changes["reply_to_post_id"] = None  # relinked below
    for flag in ("hidden", "spotlight"):
        if wanted[flag] and not stored[flag]:
            changes[flag] = True
    return changes


def do_ingest_posts(
    ctx: AppContext,
    source: str,
    chat_id: int,
    posts: Iterable[ForeignPost],
    *,
    as_user: str | None = None,
    as_handle: str | None = None,
    actor: UserView | None = None,
) -> IngestCounts:
    """File `posts` into chat `chat_id`, all or nothing, and return the counts.

    `source` names where this batch comes from (a file, a bridge) in the `resync` event.
    `as_user` (a local user's name) with `as_handle` (her handle in these posts) links that
    handle to her first: the archive is hers, so her posts count as hers (a host's as a
    host's). `actor`, when given (the web upload), must be a host of the series.
    Raises `IngestError` (422, naming the record) for a post it cannot file; nothing of the
    call is then stored.
    """
    if (as_user is None) != (as_handle is None):
        raise InvalidInputError("as_user and as_handle go together")
    fresh_statistics(ctx)
    with ctx.store.write() as session:
        chat = load_chat(session, chat_id)
        if actor is not None:
            require(session, chat.series_id, actor, Mutation.CREATE_CHAT)
        counts = _ingest_into(session, ctx, chat, source, posts, as_user, as_handle)
    _note_added(ctx, counts)
    if counts.added or counts.updated:
        ctx.bus.publish(chat_id)
    return counts


def do_import_chat(
    ctx: AppContext,
    source: str,
    record: ForeignChat,
    posts: Iterable[ForeignPost],
    *,
    actor: UserView | None = None,
) -> tuple[int, IngestCounts]:
    """Recreate a chat from our own export's header (see `do_restore_chat`) and file its posts,
    in one transaction: a bad post leaves no chat behind. Returns (chat id, counts)."""
    fresh_statistics(ctx)
    with ctx.store.write() as session:
        chat, _ = _restore_chat(session, ctx, record, actor)
        counts = _ingest_into(session, ctx, chat, source, posts, None, None)
        chat_id = chat.id
    _note_added(ctx, counts)
    if counts.added or counts.updated:
        ctx.bus.publish(chat_id)
    return chat_id, counts


# Posts this process added through the door since it last asked PostgreSQL how much of `posts`
# changed since its analysis, per engine: the question costs a round trip on a connection of
# its own (~0.8 ms), once per chat of an import. Asked again once the process has added as many
# posts as the smallest change that makes an analysis worth it.
_CHECK_AFTER = 1_000
_ADDED_SINCE_CHECK: weakref.WeakKeyDictionary[sa.Engine, int] = weakref.WeakKeyDictionary()


def _note_added(ctx: AppContext, counts: IngestCounts) -> None:
    engine = ctx.store.engine
    if counts.added and engine.dialect.name == "postgresql":
        _ADDED_SINCE_CHECK[engine] = _ADDED_SINCE_CHECK.get(engine, 0) + counts.added


def fresh_statistics(ctx: AppContext) -> None:
    """On PostgreSQL, analyse `posts` when much of it changed since its last analysis.

    A large import fills the table faster than autovacuum analyses it; with statistics that
    say the table is (nearly) empty the planner looks identities up through the first two
    columns of their index only and filters the third, reading every post of the source for
    each batch (quadratic). Run in its own autocommit connection, so its lock is held for the
    analysis only, never for an import's transaction. Asked once, then again only after this
    process has added 1,000 posts (`_ADDED_SINCE_CHECK`): a re-import asks once, not per chat.
    """
    engine = ctx.store.engine
    if engine.dialect.name != "postgresql":
        return
    if _ADDED_SINCE_CHECK.get(engine, _CHECK_AFTER) < _CHECK_AFTER:
        return  # this process added too few posts since it last asked (a re-import adds none)
    _ADDED_SINCE_CHECK[engine] = 0
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        row = connection.execute(
            sa.text(
                "SELECT s.n_mod_since_analyze, c.reltuples FROM pg_stat_user_tables s "
                "JOIN pg_class c ON c.oid = s.relid WHERE s.relid = 'posts'::regclass"
            )
        ).first()
        if row is None:
            return
        changed, tuples = int(row[0] or 0), max(float(row[1] or 0), 0.0)
        if changed > max(1_000.0, 0.2 * tuples):
            connection.execute(sa.text("ANALYZE posts"))


def _ingest_into(
    session: Session,
    ctx: AppContext,
    chat: ChatRow,
    source: str,
    posts: Iterable[ForeignPost],
    as_user: str | None,
    as_handle: str | None,
) -> IngestCounts:
    """The door's work in the caller's transaction: read the call's posts (the last copy of an
    identity wins), read the chat's stored posts once, then write only what is new or changed,
    with the attribution the recap pipeline gives the whole chat, in bulk."""
    now = ctx.now()
    own_source = ctx.settings.base_url
    counts = IngestCounts()
    authors = _Authors(session, chat)
    linked_user = load_user(session, as_user) if as_user is not None else None
    as_key = None if as_handle is None else handle_key(as_handle)
    linked_networks: set[str] = set()
    latest: dict[Identity, ForeignPost] = {}
    read = 0
    for post in posts:
        read += 1
        _check(post)
        network = _VALUE[post.network]
        if (
            linked_user is not None
            and as_handle is not None
            and network not in linked_networks
            and handle_key(post.author_handle) == as_key
        ):
            link_handle(session, linked_user, network, as_handle, now)
            authors.link(network, as_handle, linked_user.id)
            linked_networks.add(network)
        latest[(network, post.source, post.external_id)] = post  # the last wins
    counts.unchanged += read - len(latest)  # the same identity twice in one call
    if not latest:
        return counts
    _hold_chat(session, chat.id)
    raw_rows = _chat_raw_rows(session, chat.id)
    if raw_rows and _nothing_changes(session, raw_rows, latest, authors, own_source, counts):
        return counts  # a re-import: every post stored as it is, nothing to write
    stored_rows = _as_dicts(raw_rows, _is_sqlite(session))
    by_identity = _by_identity(stored_rows, own_source)
    missing = [identity for identity in latest if identity not in by_identity]
    elsewhere = _stored_elsewhere(session, missing, own_source) if missing else set()
    new_rows: list[dict[str, Any]] = []
    changed: dict[int, dict[str, Any]] = {}  # stored post id → its changed columns
    chat_id = chat.id  # an ORM attribute: read once, not per post
    for identity, post in latest.items():
        wanted = _row_values(chat_id, post, authors.of(post))
        stored = by_identity.get(identity)
        if stored is None:
            if identity in elsewhere:
                counts.skipped += 1
            else:
                new_rows.append(wanted)
            continue
        changes = _changes(stored, wanted)
        if not stored["source"]:  # typed here: only its moderation state can come back
            changes = {k: v for k, v in changes.items() if k in ("hidden", "spotlight")}
        if changes:
            stored.update(changes)
            changed[stored["id"]] = changes
            counts.updated += 1
            if len(counts.updated_ids) <= LIVE_EVENTS:
                counts.updated_ids.append(stored["id"])
        else:
            counts.unchanged += 1
    if not new_rows and not changed:
        return counts
    for row, post_id in zip(new_rows, _new_post_ids(session, chat.id, len(new_rows)), strict=True):
        row["id"] = post_id
    counts.added += len(new_rows)
    if len(counts.added_identities) <= LIVE_EVENTS:
        counts.added_identities.extend(
            (row["network"], row["source"], row["external_id"])
            for row in new_rows[: LIVE_EVENTS + 1]
        )
    stored_ids = {row["id"] for row in stored_rows}
    rows = stored_rows + new_rows
    for row in _link_replies(rows, own_source):
        if row["id"] in stored_ids:
            changed.setdefault(row["id"], {})["reply_to_post_id"] = row["reply_to_post_id"]
    _write(session, chat, rows, new_rows, changed)
    live = chat.state in (ChatState.LIVE.value, ChatState.LATE_ANSWERS.value)
    if live and counts.added + counts.updated <= LIVE_EVENTS:
        _live_events(session, chat, counts)
    else:
        resync = ResyncEvent(chat.id, "ingest", source, counts.added, counts.updated)
        add_typed_event(session, chat.id, resync, now, outbox=False)  # history stays in
    return counts


def _hold_chat(session: Session, chat_id: int) -> None:
    """On PostgreSQL, take the chat's event lock before its posts are read, so they are the
    posts written over (another ingest into the chat waits for the commit). On SQLite the
    process's writes already take turns (`Store.write`); the database's write lock is taken
    before the new posts' ids are drawn (`_new_post_ids`), and a call that changes nothing
    writes nothing (a re-import commits no transaction per chat)."""
    if not _is_sqlite(session):
        lock_chat_events(session, chat_id)


# What is read of each stored post of the chat: where it belongs, what a later ingest may
# change, and what the recap pipeline reads.
_READ = (
    "id",
    "chat_id",
    "network",
    "source",
    "external_id",
    "reply_to_post_id",
    *_UPDATABLE,
    "hidden",
    "spotlight",
)


def _chat_raw_rows(session: Session, chat_id: int) -> list[tuple[Any, ...]]:
    """Every stored post of the chat as the driver gives it, columns as `_READ` (one query, by
    the chat index). Read through the driver: SQLAlchemy's per-value result processing was most
    of the cost of a re-import."""
    mark = "?" if _is_sqlite(session) else "%s"
    # Only our own column names are formatted in; the chat id is a parameter.
    sql = f"SELECT {', '.join(_READ)} FROM posts WHERE chat_id = {mark}"  # noqa: S608
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql, (chat_id,))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _as_dicts(raw_rows: Sequence[tuple[Any, ...]], sqlite: bool) -> list[dict[str, Any]]:
    """The chat's stored posts as mutable column dicts: SQLite's times (text) and booleans
    (0/1) turned into what SQLAlchemy would give here; psycopg's values are already those."""
    rows = [dict(zip(_READ, row, strict=True)) for row in raw_rows]
    if sqlite:
        for row in rows:
            row["created_at"] = _from_sqlite_time(row["created_at"])
            row["edited_at"] = _from_sqlite_time(row["edited_at"])
            for flag in _FLAGS:
                row[flag] = bool(row[flag])
    return rows


# Where `_READ` puts what `_nothing_changes` compares: the updatable columns, then the flags.
_ID, _NETWORK, _SOURCE, _EXTERNAL_ID = 0, 2, 3, 4
_FIRST_UPDATABLE = _READ.index(_UPDATABLE[0])
_AFTER_UPDATABLE = _FIRST_UPDATABLE + len(_UPDATABLE)
_HIDDEN, _SPOTLIGHT = _READ.index("hidden"), _READ.index("spotlight")


def _same(value: datetime | None) -> datetime | None:
    return value


def _nothing_changes(
    session: Session,
    raw_rows: Sequence[tuple[Any, ...]],
    latest: dict[Identity, ForeignPost],
    authors: _Authors,
    own_source: str,
    counts: IngestCounts,
) -> bool:
    """A re-import's shortcut: True, with the call counted, when every post of the call is
    stored in the chat as `_row_values` would write it (by `_changes`: no updatable column
    differs, no flag turns on), or is stored in another chat (skipped). Each post's values are
    put in the driver's own form (SQLite's time text) and compared with the stored row as read,
    without the column dicts of the writing path. Any difference or new post answers False,
    counting nothing: the writing path then decides (a shortcut never decides a change)."""
    time = _sqlite_time if _is_sqlite(session) else _same
    stored: dict[Identity, tuple[Any, ...]] = {}
    for raw in raw_rows:
        if raw[_SOURCE] and raw[_EXTERNAL_ID] is not None:
            stored[(raw[_NETWORK], raw[_SOURCE], raw[_EXTERNAL_ID])] = raw
    for raw in raw_rows:
        if not raw[_SOURCE]:  # typed here: the identity our export gives it
            stored[(Network.HASHCHAT.value, own_source, str(raw[_ID]))] = raw
    missing: list[Identity] = []
    for identity, post in latest.items():
        found = stored.get(identity)
        if found is None:
            missing.append(identity)
            continue
        raw = found
        if ((post.deleted or post.hidden) and not raw[_HIDDEN]) or (
            post.spotlight and not raw[_SPOTLIGHT]
        ):
            return False
        if not raw[_SOURCE]:
            continue  # typed here: only its moderation state can come back
        parent = pending_parent(post)
        if parent is not None and len(parent) > _MAX["external_id"]:
            return False  # the writing path names the record
        author = authors.of(post)
        wanted = (
            author.user_id,
            post.author_handle,
            post.display_name or post.author_handle,
            post.url,
            _clean(post.text),
            time(post.created_at),
            parent,
            author.is_host if post.by_host is None else post.by_host,
            post.repost_of is not None,
            time(post.edited_at),
        )
        if wanted != raw[_FIRST_UPDATABLE:_AFTER_UPDATABLE]:
            return False
    if missing and len(_stored_elsewhere(session, missing, own_source)) < len(missing):
        return False
    counts.unchanged += len(latest) - len(missing)
    counts.skipped += len(missing)
    return True


_FLAGS = ("is_host", "is_repost", "hidden", "spotlight")


def _from_sqlite_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _by_identity(rows: Sequence[dict[str, Any]], own_source: str) -> dict[Identity, dict[str, Any]]:
    """The chat's posts by identity: a foreign post's own, a post typed here by the identity
    our export gives it (this server's network and source, its id)."""
    found: dict[Identity, dict[str, Any]] = {}
    for row in rows:
        if row["source"] and row["external_id"] is not None:
            found[(row["network"], row["source"], row["external_id"])] = row
    for row in rows:
        if not row["source"]:
            found[(Network.HASHCHAT.value, own_source, str(row["id"]))] = row
    return found


def _stored_elsewhere(
    session: Session, identities: Sequence[Identity], own_source: str
) -> set[Identity]:
    """Which of `identities` (none of them in the chat) are stored, so in another chat."""
    by_origin: dict[tuple[str, str], list[str]] = {}
    for network, origin, external_id in identities:
        by_origin.setdefault((network, origin), []).append(external_id)
    found: set[Identity] = set()
    connection = session.connection()
    postgres = not _is_sqlite(session)
    for (network, origin), ids in by_origin.items():
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            if postgres:  # one array parameter: a thousand-value IN costs more to plan than run
                rows = connection.exec_driver_sql(
                    "SELECT external_id FROM posts WHERE network = %s AND source = %s "
                    "AND external_id = ANY(%s)",
                    (network, origin, chunk),
                )
            else:  # through the driver: no statement to build for each chunk's length
                marks = ", ".join("?" * len(chunk))
                # Only the parameters' marks are formatted in; every value is a parameter.
                sql = f"SELECT external_id FROM posts WHERE network = ? AND source = ? AND external_id IN ({marks})"  # noqa: E501, S608
                rows = connection.exec_driver_sql(sql, (network, origin, *chunk))
            found.update((network, origin, external_id) for (external_id,) in rows)
        if (network, origin) == (Network.HASHCHAT.value, own_source):
            # Our own export read back here: its posts typed here are these rows.
            local = [int(i) for i in ids if i.isascii() and i.isdigit() and len(i) < 10]
            for start in range(0, len(local), BATCH):
                found.update(
                    (network, origin, str(post_id))
                    for post_id in connection.execute(
                        sa.select(_POSTS.c.id).where(
                            _POSTS.c.id.in_(local[start : start + BATCH]), _POSTS.c.source == ""
                        )
                    ).scalars()
                )
    return found


def _new_post_ids(session: Session, chat_id: int, count: int) -> list[int]:
    """Ids for `count` new posts, increasing, drawn before they are inserted so that their
    links and attribution are written with them (no second pass over the rows). SQLite: after
    the largest (the chat is held: no other writer); PostgreSQL: from the table's sequence."""
    if count == 0:
        return []
    connection = session.connection()
    if _is_sqlite(session):
        # The write lock first, by a write that changes nothing: no other process can insert
        # a post between reading the largest id and inserting after it.
        connection.exec_driver_sql("UPDATE chats SET title = title WHERE id = ?", (chat_id,))
        last = int(
            connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM posts").scalar_one()
        )
        return list(range(last + 1, last + 1 + count))
    drawn = connection.execute(
        sa.text(
            "SELECT nextval(pg_get_serial_sequence('posts', 'id')) FROM generate_series(1, :n)"
        ),
        {"n": count},
    ).scalars()
    return sorted(int(post_id) for post_id in drawn)


def _link_replies(rows: Sequence[dict[str, Any]], own_source: str) -> list[dict[str, Any]]:
    """Link every reply of the chat whose parent is now in the chat (by external id in the
    reply's own network and source, or by the whole identity joined by U+001F for a parent
    elsewhere, our own posts by their id); sets `reply_to_post_id` in the rows and returns
    the rows it linked."""
    pending = [
        row
        for row in rows
        if row["reply_to_external_id"] is not None and row["reply_to_post_id"] is None
    ]
    if not pending:
        return []
    parents: dict[Identity, int] = {}
    for row in rows:
        if row["external_id"] is not None:
            parents[(row["network"], row["source"], row["external_id"])] = row["id"]
    local = {str(row["id"]): row["id"] for row in rows if not row["source"]}
    linked = []
    for row in pending:
        wanted = row["reply_to_external_id"]
        if _SEP in wanted:
            identity = tuple(wanted.split(_SEP, 2))
            parent = None
            if len(identity) == 3:
                parent = parents.get(identity)
                if identity[:2] == (Network.HASHCHAT.value, own_source):
                    parent = local.get(identity[2], parent)
        elif row["source"]:
            parent = parents.get((row["network"], row["source"], wanted))
        else:
            parent = None
        if parent is not None:
            row["reply_to_post_id"] = parent
            linked.append(row)
    return linked


def _domain_post(row: dict[str, Any]) -> Post:
    parent = row["reply_to_post_id"]
    return Post(
        id=str(row["id"]),
        author=row["author_handle"],
        text=row["text"],
        created_at=row["created_at"],
        network=row["network"],
        reply_to=None if parent is None else str(parent),
        external_id=row["external_id"],
        url=row["external_url"],
        is_repost=row["is_repost"],
        by_host=row["is_host"],
    )


def _stored(entry: Entry) -> StoredSegment:
    a = entry.attribution
    # `_value_`: the member's own attribute; `.value` is a descriptor call (~1 s a million).
    return (entry.kind._value_, a.question, a.part, a.text, a.inferred, a.late)


def _segments_of_chat(
    session: Session, chat: ChatRow, rows: Sequence[dict[str, Any]]
) -> dict[int, list[StoredSegment]]:
    """Each post's segments by the one recap pipeline over the whole chat (as it will be
    stored), as `actions.segments` does for typed posts."""
    number_of = bridged_question_posts(session, chat.id)
    replies = {
        str(row["id"]): number_of[key]
        for row in rows
        if number_of
        and row["reply_to_post_id"] is None
        and (key := (row["network"], row["reply_to_external_id"])) in number_of
    }
    transcript = transcript_of_posts(
        [_domain_post(row) for row in rows],
        chat_questions(session, chat.id),
        chat_window(chat),
        frozenset(str(row["id"]) for row in rows if row["hidden"]),
        replies,  # bridged replies to our question posts
    )
    wanted: dict[int, list[StoredSegment]] = {}
    for entry in transcript.segments:
        wanted.setdefault(int(entry.post.id), []).append(_stored(entry))
    return wanted


def _stored_segments(
    session: Session, chat_id: int, post_ids: Sequence[int] | None = None
) -> dict[int, list[StoredSegment]]:
    """The stored segments of the chat's posts (of `post_ids` only, when given), by post."""
    stored: dict[int, list[StoredSegment]] = {}
    query = sa.select(
        _SEGMENTS.c.post_id,
        _SEGMENTS.c.kind,
        _SEGMENTS.c.question,
        _SEGMENTS.c.part,
        _SEGMENTS.c.text,
        _SEGMENTS.c.inferred,
        _SEGMENTS.c.late,
    ).order_by(_SEGMENTS.c.post_id, _SEGMENTS.c.position)
    if post_ids is None:
        queries = [query.where(_SEGMENTS.c.chat_id == chat_id)]
    else:
        queries = [
            query.where(_SEGMENTS.c.post_id.in_(post_ids[start : start + 500]))
            for start in range(0, len(post_ids), 500)
        ]
    connection = session.connection()
    for chunk in queries:
        for segment in connection.execute(chunk):
            stored.setdefault(segment.post_id, []).append(tuple(segment[1:]))
    return stored


# A call re-attributes only the posts it can change (`_affected`) when they and their ancestors
# are at most this share of the chat; otherwise (an import) the whole chat, in one pass.
LOCAL_SHARE = 0.5


def _affected(rows: Sequence[dict[str, Any]], touched: set[int]) -> set[int]:
    """The posts whose segments a call can change: those it added or changed (`touched`,
    reply links and hiding included) and all their replies, transitively. A post's segments
    depend only on itself, its ancestors (reply links to earlier, visible posts), the chat's
    questions and live hour and the bridged replies to our questions
    (`domain.attribution`, `domain.recap.transcript`), never on its replies or other posts."""
    replies: dict[int, list[int]] = {}
    for row in rows:
        parent = row["reply_to_post_id"]
        if parent is not None:
            replies.setdefault(parent, []).append(row["id"])
    affected = set(touched)
    todo = list(touched)
    while todo:
        for reply in replies.get(todo.pop(), ()):
            if reply not in affected:
                affected.add(reply)
                todo.append(reply)
    return affected


def _with_ancestors(by_id: dict[int, dict[str, Any]], affected: set[int]) -> set[int]:
    """`affected` and every post up their reply chains (what their segments are made from)."""
    context = set(affected)
    for post_id in affected:
        parent = by_id[post_id]["reply_to_post_id"]
        while parent is not None and parent not in context and parent in by_id:
            context.add(parent)
            parent = by_id[parent]["reply_to_post_id"]
    return context


def _attribution_columns(segments: Sequence[StoredSegment]) -> dict[str, Any]:
    """A post's own attribution columns, from its segments (what its views and events say)."""
    _, question, part, _, inferred, _ = segments[0]
    return {
        "question": question,
        "part": part,
        "inferred": inferred,
        "late": any(segment[5] for segment in segments),
        "segments": [
            {"question": q, "part": p, "text": t, "inferred": i, "late": la}
            for _, q, p, t, i, la in segments
        ],
        **segment_counts(segments),
    }


def _write(
    session: Session,
    chat: ChatRow,
    rows: Sequence[dict[str, Any]],
    new_rows: list[dict[str, Any]],
    changed: dict[int, dict[str, Any]],
) -> None:
    """Write the call's new posts (with their links and attribution), the stored posts'
    changes, and the segments of every post whose segments changed."""
    new_ids = {row["id"] for row in new_rows}
    affected = _affected(rows, new_ids | changed.keys())
    by_id = {row["id"]: row for row in rows}
    context = _with_ancestors(by_id, affected)
    if len(context) <= LOCAL_SHARE * len(rows):
        # Only what the call can change, from its ancestors: the cost follows the call.
        wanted = _segments_of_chat(session, chat, [row for row in rows if row["id"] in context])
        candidates = [by_id[post_id] for post_id in sorted(affected - new_ids)]
        previous = _stored_segments(session, chat.id, [row["id"] for row in candidates])
    else:
        wanted = _segments_of_chat(session, chat, rows)
        candidates = [row for row in rows if row["id"] not in new_ids]
        previous = _stored_segments(session, chat.id) if candidates else {}
    resegmented = [
        row for row in candidates if previous.get(row["id"], []) != wanted.get(row["id"], [])
    ]
    later_parents: list[dict[str, Any]] = []  # links to a new post inserted after the reply
    for row in new_rows:
        segments = wanted.get(row["id"])
        if segments:  # a hidden post has none: it keeps the defaults; nothing shows it
            row.update(_attribution_columns(segments))
        parent = row["reply_to_post_id"]
        if parent is not None and parent in new_ids and parent > row["id"]:
            later_parents.append({"b_id": row["id"], "parent": parent})
            row["reply_to_post_id"] = None
    if new_rows:
        insert_rows(session, _POSTS, new_rows)
    for post_id, changes in changed.items():
        session.connection().execute(
            sa.update(_POSTS).where(_POSTS.c.id == post_id).values(**changes)
        )
    if later_parents:
        session.connection().execute(
            sa.update(_POSTS)
            .where(_POSTS.c.id == sa.bindparam("b_id"))
            .values(reply_to_post_id=sa.bindparam("parent")),
            later_parents,
        )
    ids = [row["id"] for row in resegmented]
    for start in range(0, len(ids), 500):
        session.connection().execute(
            sa.delete(_SEGMENTS).where(_SEGMENTS.c.post_id.in_(ids[start : start + 500]))
        )
    chat_id = chat.id  # an ORM attribute: read once, not per segment
    segment_rows = [
        {
            "chat_id": chat_id,
            "post_id": row["id"],
            "position": position,
            "kind": kind,
            "question": question,
            "part": part,
            "text": text,
            "inferred": inferred,
            "late": late,
        }
        for row in (*new_rows, *resegmented)
        for position, (kind, question, part, text, inferred, late) in enumerate(
            wanted.get(row["id"], ())
        )
    ]
    if segment_rows:
        insert_rows(session, _SEGMENTS, segment_rows)
    post_updates = [
        {"b_id": row["id"], **_attribution_columns(segments)}
        for row in resegmented
        if (segments := wanted.get(row["id"]))
    ]
    if post_updates and _is_sqlite(session):
        _sqlite_executemany(
            session,
            _POSTS,
            "UPDATE posts SET question = ?, part = ?, inferred = ?, late = ?, segments = ?, "
            "answer_segments = ?, late_answer_segments = ?, reply_segments = ?, "
            "question_segments = ? WHERE id = ?",
            (
                "question",
                "part",
                "inferred",
                "late",
                "segments",
                "answer_segments",
                "late_answer_segments",
                "reply_segments",
                "question_segments",
                "b_id",
            ),
            post_updates,
        )
    elif post_updates:
        session.connection().execute(
            sa.update(_POSTS)
            .where(_POSTS.c.id == sa.bindparam("b_id"))
            .values(
                question=sa.bindparam("question"),
                part=sa.bindparam("part"),
                inferred=sa.bindparam("inferred"),
                late=sa.bindparam("late"),
                segments=sa.bindparam("segments", type_=sa.JSON),
                answer_segments=sa.bindparam("answer_segments"),
                late_answer_segments=sa.bindparam("late_answer_segments"),
                reply_segments=sa.bindparam("reply_segments"),
                question_segments=sa.bindparam("question_segments"),
            ),
            post_updates,
        )
    typed = [row["id"] for row in resegmented if not row["source"]]
    if typed:
        from hashchat.actions.posts import refresh_post_event  # posts imports segments

        for post in session.scalars(sa.select(PostRow).where(PostRow.id.in_(typed))):
            refresh_post_event(session, post)


def _live_events(session: Session, chat: ChatRow, counts: IngestCounts) -> None:
    """A bridge's few new posts in a running chat go out one `post` event each, as typed posts
    do (written at the post's time, like theirs); a post deleted at its source gets a `hide`
    event, an edited one its `post` event rewritten. Never to the outbox."""
    from hashchat.actions.posts import post_event, refresh_post_event  # posts imports us

    added: list[PostRow] = []
    by_origin: dict[tuple[str, str], list[str]] = {}
    for network, origin, external_id in counts.added_identities:
        by_origin.setdefault((network, origin), []).append(external_id)
    for (network, origin), ids in by_origin.items():
        added.extend(
            session.scalars(
                sa.select(PostRow).where(
                    PostRow.chat_id == chat.id,
                    PostRow.network == network,
                    PostRow.source == origin,
                    PostRow.external_id.in_(ids),
                )
            )
        )
    for row in sorted(added, key=lambda r: (r.created_at, r.id)):
        add_typed_event(session, chat.id, post_event(row), row.created_at, outbox=False)
    for row in session.scalars(sa.select(PostRow).where(PostRow.id.in_(counts.updated_ids))):
        current = refresh_post_event(session, row)
        if current.hidden:
            hide = HideEvent(post_id=current.id, chat_id=chat.id)
            add_typed_event(session, chat.id, hide, current.created_at, outbox=False)


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _sqlite_value(column: sa.Column[Any] | None) -> Callable[[Any], Any] | None:
    """How SQLAlchemy's SQLite dialect stores a value of `column` (None: as it is)."""
    kind = None if column is None else column.type
    if isinstance(kind, UTCDateTime):
        return _sqlite_time
    if isinstance(kind, sa.JSON):
        return json_text
    return None  # booleans too: the driver stores True and False as 1 and 0, as SQLAlchemy does


def _sqlite_time(value: datetime | None) -> str | None:
    """SQLAlchemy's storage text for DATETIME on SQLite (`%Y-%m-%d %H:%M:%S.%f`, in UTC)."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:-6]  # without "+00:00"


_SEGMENT_KEYS = ("question", "part", "text", "inferred", "late")


def json_text(value: Any) -> str | None:
    """`json.dumps(value)`; a post's segments (the bulk of an import's JSON) are written by
    hand, the same text in a third of the time."""
    if value is None:
        return None
    if not isinstance(value, list):
        return json.dumps(value)
    parts = []
    for segment in value:
        if not isinstance(segment, dict) or tuple(segment) != _SEGMENT_KEYS:
            return json.dumps(value)
        question, part, text = segment["question"], segment["part"], segment["text"]
        inferred, late = segment["inferred"], segment["late"]
        if not (
            (question is None or type(question) is int)
            and (part is None or type(part) is str)
            and type(text) is str
            and type(inferred) is bool
            and type(late) is bool
        ):
            return json.dumps(value)
        parts.append(
            f'{{"question": {"null" if question is None else question}, '
            f'"part": {"null" if part is None else _json_string(part)}, '
            f'"text": {_json_string(text)}, "inferred": {"true" if inferred else "false"}, '
            f'"late": {"true" if late else "false"}}}'
        )
    return "[" + ", ".join(parts) + "]"


def _sqlite_executemany(
    session: Session,
    table: sa.Table,
    sql: str,
    keys: Sequence[str],
    rows: Sequence[dict[str, Any]],
) -> None:
    converters = [
        (index, convert)
        for index, key in enumerate(keys)
        if (convert := _sqlite_value(table.c.get("id" if key == "b_id" else key))) is not None
    ]
    pick = itemgetter(*keys)
    values: list[tuple[Any, ...]] = (
        list(map(pick, rows)) if len(keys) > 1 else [(row[keys[0]],) for row in rows]
    )
    if converters and values:  # by column: two transpositions in C rather than a list per row
        columns: list[Sequence[Any]] = list(zip(*values, strict=True))
        for index, convert in converters:
            columns[index] = list(map(convert, columns[index]))
        values = list(zip(*columns, strict=True))
    session.connection().exec_driver_sql(sql, values)


def bulk_insert(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows with one executemany. On SQLite the values are converted here the way
    SQLAlchemy's types would (times as its text format, booleans as 0/1, JSON as text) and
    handed to the driver directly: SQLAlchemy's per-row parameter processing was half of the
    time of a large import. Elsewhere a Core executemany."""
    if not rows:
        return
    if not _is_sqlite(session):
        session.connection().execute(table.insert(), list(rows))
        return
    keys = list(rows[0])
    if not set(keys) <= set(table.c.keys()):
        raise ValueError(f"not columns of {table.name}: {sorted(set(keys) - set(table.c.keys()))}")
    names = ", ".join(keys)
    marks = ", ".join("?" for _ in keys)
    # Only our own table's and columns' names are formatted in; every value is a parameter.
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608
    _sqlite_executemany(session, table, sql, keys, rows)


def insert_rows(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows (all with the same keys): on SQLite `bulk_insert`; on PostgreSQL one
    `COPY … FROM STDIN` (psycopg's `cursor.copy`), several times faster than an executemany
    of INSERTs for a chat's thousands of posts; elsewhere a Core executemany."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        bulk_insert(session, table, rows)
        return
    keys = list(rows[0])
    if not set(keys) <= set(table.c.keys()):
        raise ValueError(f"not columns of {table.name}: {sorted(set(keys) - set(table.c.keys()))}")
    as_json = {index for index, key in enumerate(keys) if isinstance(table.c[key].type, sa.JSON)}
    pick = itemgetter(*keys)
    driver = session.connection().connection.driver_connection
    assert driver is not None
    # Only our own table's and columns' names are formatted in; every value is copied as data.
    copy_sql = f"COPY {table.name} ({', '.join(keys)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for row in rows:
            values = list(pick(row))
            for index in as_json:
                values[index] = json_text(values[index])
            copy.write_row(values)


def do_restore_chat(
    ctx: AppContext, record: ForeignChat, *, actor: UserView | None = None
) -> tuple[int, bool]:
    """Recreate a chat from our own export's header (`formats.chat_jsonl`) in its series, with
    its plan, times, state and questions as they were; returns (chat id, created).

    The same chat is found again rather than made twice: on the server that exported it (the
    header's source is this server's `base_url`) by its id, elsewhere by series, start and
    title. 404 when the series does not exist here; 422 for values no chat can have.
    """
    with ctx.store.write() as session:
        chat, created = _restore_chat(session, ctx, record, actor)
        return chat.id, created


def _restore_chat(
    session: Session, ctx: AppContext, record: ForeignChat, actor: UserView | None
) -> tuple[ChatRow, bool]:
    title = check_text(record.title, "title", 200)
    check_aware(record.starts_at, "starts_at")
    if not 1 <= record.duration_minutes <= MAX_DURATION_MINUTES:
        raise InvalidInputError(f"duration_minutes must be between 1 and {MAX_DURATION_MINUTES}")
    try:
        state = ChatState(record.state)
    except ValueError:
        raise InvalidInputError(f"state {record.state!r} is not a chat state") from None
    numbers = [q.number for q in record.questions]
    if len(set(numbers)) != len(numbers) or any(not 1 <= n <= MAX_QUESTIONS for n in numbers):
        raise InvalidInputError(f"question numbers must be distinct, 1 to {MAX_QUESTIONS}")
    texts = [check_text(q.text, f"question {q.number}", 2000) for q in record.questions]
    series = load_series(session, record.series_tag)
    if actor is not None:
        require(session, series.id, actor, Mutation.CREATE_CHAT)
    found = None
    if record.source == ctx.settings.base_url and (record.external_id or "").isdigit():
        found = session.scalar(
            sa.select(ChatRow.id).where(
                ChatRow.id == int(record.external_id or "0"), ChatRow.series_id == series.id
            )
        )
    if found is None:
        found = session.scalar(
            sa.select(ChatRow.id)
            .where(
                ChatRow.series_id == series.id,
                ChatRow.starts_at == record.starts_at,
                ChatRow.title == title,
            )
            .order_by(ChatRow.id)
            .limit(1)
        )
    if found is not None:
        return load_chat(session, found), False
    chat = ChatRow(
        series_id=series.id,
        title=title,
        starts_at=record.starts_at,
        duration_minutes=record.duration_minutes,
        cadence=record.cadence,
        state=state.value,
        started_at=record.started_at,
        ended_at=record.ended_at,
        closed_at=record.closed_at,
        comments_close_at=record.comments_close_at,
        topic=check_text(record.topic, "topic", MAX_TOPIC_CHARACTERS, multiline=True)
        if record.topic.strip()
        else "",
        created_by_id=None if actor is None else actor.id,
        created_at=ctx.now(),
    )
    session.add(chat)
    session.flush()
    session.add_all(
        QuestionRow(chat_id=chat.id, number=q.number, text=text, asked_at=q.asked_at)
        for q, text in zip(record.questions, texts, strict=True)
    )
    session.flush()
    return chat, True


def imported_post_count(ctx: AppContext, chat_id: int) -> int:
    """How many posts of a chat came through the door (for the console)."""
    with ctx.store.read() as session:
        load_chat(session, chat_id)
        return int(
            session.scalar(
                sa.select(sa.func.count())
                .select_from(PostRow)
                .where(PostRow.chat_id == chat_id, PostRow.source != "")
            )
            or 0
        )


__all__ = [
    "BATCH",
    "Identity",
    "IngestCounts",
    "IngestError",
    "do_import_chat",
    "do_ingest_posts",
    "do_link_handle",
    "do_restore_chat",
    "handle_key",
    "insert_rows",
    "link_handle",
]
