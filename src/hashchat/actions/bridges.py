"""Bridges (issue 11): a series' connected network accounts, their health, and what they file.

- `do_connect_bridge` (owners and cohosts): checks the role, then that `HASHCHAT_SECRET_KEY`
  is set (503 naming it), then the fields, then the login on the network (the caller passes the
  network's `verify`: 422 with the network's reason), then stores the credentials sealed (409
  when the series already has that network and account). A secret is never echoed.
- `bridges_of_series` (owners and cohosts): each bridge's health.
- `do_remove_bridge`: deletes the bridge with its sealed secrets; filed posts stay.
- `do_block_handle` (from `actions.network_blocks`): a network handle blocked from the
  series; its posts never enter.
- The worker side (`bridges.runner`) claims a bridge with a lease (`claim_bridges`), files what
  it read (`do_file_bridge_posts`: chooses each post's chat, drops blocked handles, goes through
  the ingest door, then moves the bridge's cursor), records where our posts went
  (`record_bridge_post`) and its health (`record_health`).

Arrows: network code is the caller's (`bridges/`); this module only reads the key to seal and
unseal credentials (`bridges.credentials`, pure crypto, no I/O but the environment).
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions.access import load_series, require
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ActionError, ConflictError, InvalidInputError, NotFoundError
from hashchat.actions.health import CONNECTING, FAILED, record_attempt
from hashchat.actions.ingest import do_ingest_posts, handle_key
from hashchat.actions.network_blocks import blocked_handles
from hashchat.actions.network_blocks import do_block_handle as do_block_handle
from hashchat.actions.permissions import Mutation
from hashchat.actions.person_networks import cross_posted_chat, known_copies
from hashchat.actions.segments import refresh_chat_segments
from hashchat.actions.views import UserView
from hashchat.bridges.credentials import Credentials, SecretKeyMissingError, check_key, seal, unseal
from hashchat.domain.chat import ChatState
from hashchat.domain.ingest import ForeignPost, Network
from hashchat.store.locks import lock_chat_events
from hashchat.store.models import BridgePostRow, BridgeRow, ChatRow, PostRow

NETWORKS = (Network.BLUESKY.value, Network.MASTODON.value, Network.X.value)
# What each network's connection needs: settings (kept in clear) and secrets (sealed).
SETTINGS: Mapping[str, tuple[str, ...]] = {
    "bluesky": ("service", "handle", "firehose", "reminders"),
    "mastodon": ("instance", "reminders"),
    "x": ("reminders",),
}
# `reminders: "on"`: a chat's questions go out 2 hours and 30 minutes before it starts.
REMINDER_MINUTES = (120, 30)
SECRETS: Mapping[str, tuple[str, ...]] = {
    "bluesky": ("app_password",),
    "mastodon": ("access_token",),
    "x": ("api_key", "api_secret", "access_token", "access_token_secret"),
}
REQUIRED: Mapping[str, tuple[str, ...]] = {
    "bluesky": ("handle", "app_password"),
    "mastodon": ("instance", "access_token"),
    "x": SECRETS["x"],
}
DEFAULTS: Mapping[str, Mapping[str, str]] = {
    "bluesky": {"service": "https://bsky.social", "firehose": "wss://bsky.network/xrpc"},
}
MAX_FIELD = 2_000
LEASE = timedelta(seconds=60)

LIVE_STATES = (ChatState.LIVE.value, ChatState.LATE_ANSWERS.value)

# The network's login check: (network, settings and secrets) -> the account's handle.
Verify = Callable[[str, Mapping[str, str]], str]


class SecretKeyUnsetError(ActionError):
    """No `HASHCHAT_SECRET_KEY`: credentials cannot be stored (503, naming the variable)."""

    status = 503


class LoginRejectedError(InvalidInputError):
    """The network refused the login; `reason` is its word."""


@dataclass(frozen=True, slots=True)
class BridgeView:
    """A bridge and its health, as the API and the console show it (never a secret)."""

    id: int
    network: str
    account: str
    status: str
    connected: bool
    lag_seconds: float | None
    last_event_at: datetime | None
    last_error: str | None
    backoff_seconds: float
    rate_limit_remaining: int | None = None


@dataclass(frozen=True, slots=True)
class BridgeWork:
    """What a worker needs to run one claimed bridge (the secrets unsealed)."""

    id: int
    series_id: int
    tag: str
    network: str
    account: str
    settings: Mapping[str, str]
    credentials: Credentials = field(repr=False)
    cursor: str | None


def _view(row: BridgeRow, now: datetime) -> BridgeView:
    wait = (row.backoff_until - now).total_seconds() if row.backoff_until else 0.0
    return BridgeView(
        id=row.id,
        network=row.network,
        account=row.account,
        status=row.status,
        connected=row.connected,
        lag_seconds=row.lag_seconds,
        last_event_at=row.last_event_at,
        last_error=row.last_error,
        backoff_seconds=max(0.0, round(wait, 3)),
        rate_limit_remaining=row.rate_limit_remaining,
    )


def check_fields(network: str, fields: Mapping[str, object]) -> dict[str, str]:
    """The connection's fields as text, defaults filled; 422 naming the first problem."""
    if network not in NETWORKS:
        raise InvalidInputError(f"network must be one of {', '.join(NETWORKS)}")
    known = {*SETTINGS[network], *SECRETS[network]}
    unknown = sorted(set(fields) - known)
    if unknown:
        raise InvalidInputError(f"{network} takes no {unknown[0]!r} (it takes {sorted(known)})")
    values = {**DEFAULTS.get(network, {})}
    for name, value in fields.items():
        if not isinstance(value, str) or len(value) > MAX_FIELD or not value.isprintable():
            raise InvalidInputError(f"{name} must be printable text of at most {MAX_FIELD} chars")
        if value.strip():
            values[name] = value.strip()
    for name in REQUIRED[network]:
        if not values.get(name):
            raise InvalidInputError(f"{network} needs {name}")
    if values.get("reminders", "off") not in ("on", "off"):
        raise InvalidInputError("reminders is 'on' or 'off'")
    return values


def do_connect_bridge(
    ctx: AppContext,
    actor: UserView,
    tag: str,
    network: str,
    fields: Mapping[str, object],
    verify: Verify,
) -> BridgeView:
    """Connect a network account to the series after `verify` accepted its login."""
    with ctx.store.read() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.MANAGE_BRIDGES)
    try:
        check_key()
    except SecretKeyMissingError as error:
        raise SecretKeyUnsetError(str(error)) from None
    values = check_fields(network, fields)
    account = verify(network, values)  # the network's refusal propagates as the caller maps it
    settings = {k: v for k, v in values.items() if k in SETTINGS[network]}
    secrets = Credentials({k: v for k, v in values.items() if k in SECRETS[network]})
    now = ctx.now()
    with ctx.store.write() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.MANAGE_BRIDGES)
        clash = session.scalar(
            sa.select(BridgeRow.id).where(
                BridgeRow.series_id == series.id,
                BridgeRow.network == network,
                BridgeRow.account == account,
            )
        )
        if clash is not None:
            raise ConflictError(f"#{series.tag} already has {network} account {account}")
        row = BridgeRow(
            series_id=series.id,
            network=network,
            account=account,
            settings=json.dumps(settings),
            secret=seal(secrets),
            status=CONNECTING,
            connected=False,
            failures=0,
            created_at=now,
        )
        session.add(row)
        session.flush()
        return _view(row, now)


def bridges_of_series(ctx: AppContext, actor: UserView, tag: str) -> list[BridgeView]:
    """The series' bridges with their health, oldest first (owners and cohosts)."""
    with ctx.store.read() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.MANAGE_BRIDGES)
        return health_of_series(session, series.id, ctx.now())


def health_of_series(session: Session, series_id: int, now: datetime) -> list[BridgeView]:
    """The series' bridges with their health, oldest first; the caller has authorised the
    read (the API and the bridges page for `MANAGE_BRIDGES`, the console for running a chat)."""
    rows = session.scalars(
        sa.select(BridgeRow).where(BridgeRow.series_id == series_id).order_by(BridgeRow.id)
    )
    return [_view(row, now) for row in rows]


def do_remove_bridge(ctx: AppContext, actor: UserView, tag: str, bridge_id: int) -> None:
    """Disconnect: the bridge and its sealed secrets are deleted; its filed posts stay. Its
    question posts go with it, so a reply that answered a question only by replying to our
    post there is filed again without it (the chats concerned are re-attributed)."""
    with ctx.store.write() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.MANAGE_BRIDGES)
        row = session.get(BridgeRow, bridge_id)
        if row is None or row.series_id != series.id:
            raise NotFoundError(f"#{series.tag} has no bridge {bridge_id}")
        asked_there = session.scalars(
            sa.select(BridgePostRow.chat_id)
            .where(BridgePostRow.bridge_id == bridge_id, BridgePostRow.kind == "question")
            .distinct()
            .order_by(BridgePostRow.chat_id)  # chats' locks always taken in one order
        ).all()
        row.secret = ""  # wiped first, in case a backup of this page of the table outlives it
        session.flush()
        session.execute(sa.delete(BridgePostRow).where(BridgePostRow.bridge_id == bridge_id))
        session.delete(row)
        session.flush()
        for chat_id in asked_there:
            chat = session.get(ChatRow, chat_id)
            if chat is not None:
                refresh_chat_segments(session, chat)


# -- the worker's side -------------------------------------------------------------------------


def claim_bridges(ctx: AppContext, worker: str, now: datetime | None = None) -> list[BridgeWork]:
    """Claim every bridge nobody holds (or whose holder's lease ran out), and renew this
    worker's own claims; a guarded UPDATE, so two workers never hold the same bridge."""
    now = now or ctx.now()
    claimed: list[BridgeWork] = []
    with ctx.store.write() as session:
        candidates = session.scalars(sa.select(BridgeRow).order_by(BridgeRow.id)).all()
        for row in candidates:
            free = [
                BridgeRow.claimed_by.is_(None),
                BridgeRow.claimed_by == worker,
                BridgeRow.claimed_until < now,
            ]
            if row.claimed_by and dead_local_worker(row.claimed_by):
                free.append(BridgeRow.claimed_by == row.claimed_by)
            taken = session.execute(
                sa.update(BridgeRow)
                .where(BridgeRow.id == row.id, sa.or_(*free))
                .values(claimed_by=worker, claimed_until=now + LEASE)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                session.refresh(row)
                series_tag = load_series_tag(session, row.series_id)
                try:
                    credentials = unseal(row.secret)
                except SecretKeyMissingError as error:
                    row.status, row.last_error, row.connected = FAILED, str(error), False
                    continue
                claimed.append(
                    BridgeWork(
                        id=row.id,
                        series_id=row.series_id,
                        tag=series_tag,
                        network=row.network,
                        account=row.account,
                        settings=json.loads(row.settings),
                        credentials=credentials,
                        cursor=row.cursor,
                    )
                )
    return claimed


def dead_local_worker(name: str) -> bool:
    """True when `name` (`host:pid`, `outbox.worker_name`) is a process of this host that no
    longer runs: a server restarted after `kill -9` takes its bridges over at once instead of
    waiting for the lease to run out."""
    host, _, pid = name.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def load_series_tag(session: Session, series_id: int) -> str:
    """The tag of a series by id."""
    from hashchat.store.models import SeriesRow

    series = session.get(SeriesRow, series_id)
    assert series is not None  # kept by the foreign key
    return series.tag


def release_bridge(ctx: AppContext, bridge_id: int, worker: str) -> None:
    """Give a claim back (a worker stopping cleanly)."""
    with ctx.store.write() as session:
        session.execute(
            sa.update(BridgeRow)
            .where(BridgeRow.id == bridge_id, BridgeRow.claimed_by == worker)
            .values(claimed_by=None, claimed_until=None, connected=False)
        )


def record_health(
    ctx: AppContext,
    bridge_id: int,
    *,
    connected: bool,
    error: str | None = None,
    backoff_seconds: float = 0.0,
    login_refused: bool = False,
    rate_limit_remaining: int | None = None,
    note: str | None = None,
) -> None:
    """Note how a bridge is doing: ok, backing off after `error` for `backoff_seconds`, or
    failed (`login_refused`: the host must connect it again); and the rate-limit budget left
    when the network's last answer said it (None: unchanged). A `note` on an ok round is shown
    where the last error is (X read by search because its access level has no stream)."""
    now = ctx.now()
    with ctx.store.write() as session:
        row = session.get(BridgeRow, bridge_id)
        if row is None:
            return
        row.connected = connected
        if rate_limit_remaining is not None:
            row.rate_limit_remaining = rate_limit_remaining
        record_attempt(
            row, now, error=error, backoff_seconds=backoff_seconds, login_refused=login_refused
        )
        if note is not None and error is None:
            row.last_error = note


def record_rate_limit(ctx: AppContext, bridge_id: int, remaining: int | None) -> None:
    """Note the rate-limit budget the network's last answer left (None: it said nothing)."""
    if remaining is None:
        return
    with ctx.store.write() as session:
        session.execute(
            sa.update(BridgeRow)
            .where(BridgeRow.id == bridge_id)
            .values(rate_limit_remaining=remaining)
        )


def bridge_post(
    ctx: AppContext, bridge_id: int, chat_id: int, kind: str, number: int = 0
) -> BridgePostRow | None:
    """Where one of our posts went on the bridge's network, if it went."""
    with ctx.store.read() as session:
        row = session.scalar(
            sa.select(BridgePostRow).where(
                BridgePostRow.bridge_id == bridge_id,
                BridgePostRow.chat_id == chat_id,
                BridgePostRow.kind == kind,
                BridgePostRow.number == number,
            )
        )
        if row is not None:
            session.expunge(row)
        return row


def record_bridge_post(
    ctx: AppContext,
    bridge_id: int,
    chat_id: int,
    kind: str,
    number: int,
    external_id: str,
    url: str | None,
) -> None:
    """Remember one of our posts on the network (once; a second record is ignored).

    A question post's replies may already be filed (the network's stream can be faster than
    its answer to our post): they answer that question now, so the chat is re-attributed, as
    a question asked re-attributes it (the ingest door re-attributes only what it touches)."""
    with ctx.store.write() as session:
        exists = session.scalar(
            sa.select(BridgePostRow.id).where(
                BridgePostRow.bridge_id == bridge_id,
                BridgePostRow.chat_id == chat_id,
                BridgePostRow.kind == kind,
                BridgePostRow.number == number,
            )
        )
        if exists is not None:
            return
        session.add(
            BridgePostRow(
                bridge_id=bridge_id,
                chat_id=chat_id,
                kind=kind,
                number=number,
                external_id=external_id[:200],
                url=url[:500] if url else None,
                created_at=ctx.now(),
            )
        )
        if kind != "question":
            return
        lock_chat_events(session, chat_id)  # an ingest into the chat commits first, then is seen
        if _replied_to(session, bridge_id, chat_id, external_id[:200]):
            chat = session.get(ChatRow, chat_id)
            if chat is not None:
                refresh_chat_segments(session, chat)


def _replied_to(session: Session, bridge_id: int, chat_id: int, external_id: str) -> bool:
    """Whether a post of the chat already replies, on the bridge's network, to this post."""
    network = session.scalar(sa.select(BridgeRow.network).where(BridgeRow.id == bridge_id))
    return (
        session.scalar(
            sa.select(PostRow.id)
            .where(
                PostRow.chat_id == chat_id,
                PostRow.network == network,
                PostRow.reply_to_post_id.is_(None),
                PostRow.reply_to_external_id == external_id,
            )
            .limit(1)
        )
        is not None
    )


def bridged_series_of_chat(ctx: AppContext, chat_id: int) -> list[BridgeWork]:
    """The bridges of a chat's series (for posting our questions), secrets unsealed; a bridge
    whose secrets cannot be read is left out."""
    with ctx.store.read() as session:
        chat = session.get(ChatRow, chat_id)
        if chat is None:
            return []
        tag = load_series_tag(session, chat.series_id)
        rows = session.scalars(
            sa.select(BridgeRow).where(
                BridgeRow.series_id == chat.series_id, BridgeRow.status != FAILED
            )
        ).all()
        work = []
        for row in rows:
            try:
                credentials = unseal(row.secret)
            except SecretKeyMissingError:
                continue
            work.append(
                BridgeWork(
                    row.id,
                    row.series_id,
                    tag,
                    row.network,
                    row.account,
                    json.loads(row.settings),
                    credentials,
                    row.cursor,
                )
            )
        return work


@dataclass(slots=True)
class Filed:
    """What one call of `do_file_bridge_posts` did."""

    added: int = 0
    updated: int = 0
    blocked: int = 0
    outside: int = 0  # no chat of the series was running for it


def _chat_for(session: Session, bridge_id: int, series_id: int, post: ForeignPost) -> int | None:
    """The chat a post belongs to: a reply to one of our posts on the network is that post's
    chat (its `reply_to` is kept: a reply to our question answers it, `actions.segments.
    question_replies`); a reply to a filed post goes where its parent is; otherwise the
    series' running chat."""
    if post.reply_to is not None:
        ours = session.scalar(
            sa.select(BridgePostRow.chat_id).where(
                BridgePostRow.bridge_id == bridge_id,
                BridgePostRow.external_id == post.reply_to,
            )
        )
        if ours is not None:
            return ours
        parent_chat = session.scalar(
            sa.select(PostRow.chat_id).where(
                PostRow.network == post.network.value,
                PostRow.source == post.source,
                PostRow.external_id == post.reply_to,
            )
        )
        if parent_chat is not None:
            return parent_chat
        copy_chat = cross_posted_chat(session, post.network.value, post.reply_to)
        if copy_chat is not None:
            return copy_chat
    return session.scalar(
        sa.select(ChatRow.id)
        .where(ChatRow.series_id == series_id, ChatRow.state.in_(LIVE_STATES))
        .order_by(ChatRow.started_at.desc(), ChatRow.id.desc())
        .limit(1)
    )


def do_file_bridge_posts(
    ctx: AppContext,
    bridge_id: int,
    posts: Iterable[ForeignPost],
    *,
    cursor: str | None = None,
    deleted: Sequence[tuple[str, str, str]] = (),
) -> Filed:
    """File what a bridge read: each post into its chat through the ingest door (blocked
    handles dropped, replies to our posts into their chat), deletions (network,
    source, external id) hide the stored posts; then move the bridge's cursor to `cursor` and
    note the newest post's lag. A crash before the cursor moves re-reads posts the door
    already has: they are updated, never added twice."""
    return do_file_bridges_posts(ctx, [BridgeBatch(bridge_id, list(posts), cursor, deleted)])


@dataclass(frozen=True, slots=True)
class BridgeBatch:
    """What one bridge read, to file: posts, deletions, and the cursor after them."""

    bridge_id: int
    posts: Sequence[ForeignPost]
    cursor: str | None = None
    deleted: Sequence[tuple[str, str, str]] = ()


def do_file_bridges_posts(ctx: AppContext, batches: Sequence[BridgeBatch]) -> Filed:
    """`do_file_bridge_posts` for several bridges at once (a process's streams filed together):
    one ingest call per chat for all of them, since each call costs a pass over the chat,
    then every cursor moved in one transaction. The counts are the batches' together."""
    filed = Filed()
    now = ctx.now()
    by_chat: dict[int, list[ForeignPost]] = {}
    newest: dict[int, datetime] = {}
    with ctx.store.read() as session:
        for batch in batches:
            _sort_batch(session, batch, filed, by_chat, newest)
        gone = [_deleted_copy(session, identity) for b in batches for identity in b.deleted]
    for deletion in gone:
        if deletion is not None:
            by_chat.setdefault(deletion[0], []).append(deletion[1])
    source = "bridge " + ", ".join(str(b.bridge_id) for b in batches)
    for chat_id, posts in by_chat.items():
        counts = do_ingest_posts(ctx, source, chat_id, posts)
        filed.added += counts.added
        filed.updated += counts.updated
    moved = {b.bridge_id: b.cursor for b in batches if b.cursor is not None}
    if not moved and not newest:
        return filed
    with ctx.store.write() as session:
        for bridge_id in moved.keys() | newest.keys():
            row = session.get(BridgeRow, bridge_id)
            if row is None:
                continue
            if bridge_id in moved:
                row.cursor = moved[bridge_id]
            if bridge_id in newest:
                row.last_event_at = newest[bridge_id]
                row.lag_seconds = max(0.0, round((now - newest[bridge_id]).total_seconds(), 3))
    return filed


def _sort_batch(
    session: Session,
    batch: BridgeBatch,
    filed: Filed,
    by_chat: dict[int, list[ForeignPost]],
    newest: dict[int, datetime],
) -> None:
    """Put each post of one bridge's batch with its chat (ours, copies, blocked and posts
    outside any running chat left out, and counted)."""
    bridge_id = batch.bridge_id
    row = session.get(BridgeRow, bridge_id)
    if row is None:
        raise NotFoundError(f"no bridge {bridge_id}")
    series_id = row.series_id
    blocked = {(b.network, b.handle) for b in blocked_handles(session, series_id)}
    posts = list(batch.posts)
    if not posts:
        return
    ours = set(
        session.scalars(
            sa.select(BridgePostRow.external_id).where(
                BridgePostRow.bridge_id == bridge_id,
                BridgePostRow.external_id.in_({p.external_id for p in posts}),
            )
        )
    )
    copies = known_copies(session, posts)  # a participant's cross-posted answers
    for post in posts:
        if post.external_id in ours:  # our own question on the network: the room has it
            continue
        if (post.network.value, post.source, post.external_id) in copies:
            continue
        if (post.network.value, handle_key(post.author_handle)) in blocked:
            filed.blocked += 1
            continue
        chat_id = _chat_for(session, bridge_id, series_id, post)
        if chat_id is None:
            filed.outside += 1
            continue
        by_chat.setdefault(chat_id, []).append(post)
        last = newest.get(bridge_id)
        newest[bridge_id] = post.created_at if last is None else max(last, post.created_at)


def _deleted_copy(
    session: Session, identity: tuple[str, str, str]
) -> tuple[int, ForeignPost] | None:
    network, source, external_id = identity
    stored = session.scalar(
        sa.select(PostRow).where(
            PostRow.network == network, PostRow.source == source, PostRow.external_id == external_id
        )
    )
    if stored is None:
        return None
    return stored.chat_id, ForeignPost(
        network=Network(network),
        source=source,
        external_id=external_id,
        author_handle=stored.author_handle or "",
        display_name=stored.display_name or "",
        text=stored.text,
        created_at=stored.created_at,
        url=stored.external_url,
        reply_to=stored.reply_to_external_id,
        repost_of="(repost)" if stored.is_repost else None,
        edited_at=stored.edited_at,
        deleted=True,
    )


@dataclass(frozen=True, slots=True)
class ChatNetwork:
    """A network a chat runs on: the bridge, its account, and the chat's opening post there
    (None: not yet)."""

    bridge_id: int
    network: str
    account: str
    opening_url: str | None


@dataclass(frozen=True, slots=True)
class ChatNetworks:
    """Where a chat runs, and the character rule its compose counter should use: the
    strictest (smallest limit) among the series' own rule and every bridged network's."""

    networks: tuple[ChatNetwork, ...]
    rule: str
    limit: int


def chat_networks(ctx: AppContext, chat_id: int) -> ChatNetworks:
    """The networks a chat is bridged to, with links to its opening post on each, and the
    strictest character rule among them (what the console and the compose box show)."""
    from hashchat.actions.access import load_chat
    from hashchat.domain.text.length import NETWORK_LIMITS
    from hashchat.store.models import SeriesRow

    with ctx.store.read() as session:
        chat = load_chat(session, chat_id)
        series = session.get(SeriesRow, chat.series_id)
        assert series is not None
        rows = session.execute(
            sa.select(BridgeRow.id, BridgeRow.network, BridgeRow.account)
            .where(BridgeRow.series_id == chat.series_id)
            .order_by(BridgeRow.id)
        ).all()
        opening_rows = session.execute(
            sa.select(BridgePostRow.bridge_id, BridgePostRow.url).where(
                BridgePostRow.chat_id == chat_id, BridgePostRow.kind == "opening"
            )
        ).all()
        openings = {row.bridge_id: row.url for row in opening_rows}
        rule, limit = series.char_rule, series.char_limit
    for row in rows:
        network_limit = NETWORK_LIMITS.get(row.network)
        if network_limit is not None and network_limit < limit:
            rule, limit = row.network, network_limit
    networks = tuple(ChatNetwork(r.id, r.network, r.account, openings.get(r.id)) for r in rows)
    return ChatNetworks(networks, rule, limit)


@dataclass(frozen=True, slots=True)
class Reminder:
    """A reminder due on a bridge: the chat, how many minutes before its start, the text."""

    chat_id: int
    minutes: int
    text: str


def due_reminders(ctx: AppContext, work: BridgeWork, now: datetime | None = None) -> list[Reminder]:
    """The reminders a bridge with `reminders: on` owes now: for each scheduled chat of its
    series starting within 2 hours (or 30 minutes), once each (`bridge_posts` kind
    `reminder`), the title, the start and the questions."""
    if work.settings.get("reminders") != "on":
        return []
    from hashchat.store.models import QuestionRow

    now = now or ctx.now()
    due: list[Reminder] = []
    with ctx.store.read() as session:
        chats = session.scalars(
            sa.select(ChatRow).where(
                ChatRow.series_id == work.series_id,
                ChatRow.state == ChatState.SCHEDULED.value,
                ChatRow.starts_at > now,
                ChatRow.starts_at <= now + timedelta(minutes=max(REMINDER_MINUTES)),
            )
        ).all()
        for chat in chats:
            left = (chat.starts_at - now).total_seconds() / 60
            minutes = min(m for m in REMINDER_MINUTES if left <= m)
            sent = session.scalar(
                sa.select(BridgePostRow.id).where(
                    BridgePostRow.bridge_id == work.id,
                    BridgePostRow.chat_id == chat.id,
                    BridgePostRow.kind == "reminder",
                    BridgePostRow.number == minutes,
                )
            )
            if sent is not None:
                continue
            questions = session.scalars(
                sa.select(QuestionRow.text)
                .where(QuestionRow.chat_id == chat.id)
                .order_by(QuestionRow.number)
            ).all()
            when = "2 hours" if minutes == 120 else f"{minutes} minutes"
            lines = [f"#{work.tag} starts in {when}: {chat.title}"]
            lines += [f"Q{n} {text}" for n, text in enumerate(questions, start=1)]
            due.append(Reminder(chat.id, minutes, "\n".join(lines)))
    return due
