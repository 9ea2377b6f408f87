"""A person's own network accounts, and her posts cross-posted through them (issue 11: "a
participant can choose to cross-post her own answer through her own connected account, never
through the host's").

- `do_connect_network`: anyone logged in connects her Mastodon or Bluesky account: 503 without
  `HASHCHAT_SECRET_KEY` (naming it), 422 for missing fields or the network's login refusal
  (the caller passes the network's `verify`), 409 when she already has that network (one
  account per network: `cross_post: ["mastodon"]` must name exactly one). Sealed at rest as a
  series bridge's credentials are; a secret is never echoed.
- `networks_of` / `do_remove_network`: her own accounts only (another person's id is 404).
- Posting (`actions.posts`) calls `check_cross_post` before the post is stored (422 for a
  network she has not connected, or a text over that network's limit) and `add_cross_posts`
  in the post's transaction: the request and the post commit together, and the post's event in
  the outbox tells the consumer `cross_posts` (`bridges.cross_post`) to do it.
- The consumer reads `pending_cross_posts`, posts, and records the copy's identity
  (`record_cross_posted`); a series bridge reading the tag then knows that copy as the room's
  post (`known_copies`, used by `do_file_bridge_posts`) instead of filing it a second time.

Arrows: network code is the caller's; this module only seals and unseals (`bridges.credentials`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions.context import AppContext
from hashchat.actions.errors import ConflictError, InvalidInputError, NotFoundError
from hashchat.actions.views import UserView
from hashchat.bridges.credentials import Credentials, SecretKeyMissingError, check_key, seal, unseal
from hashchat.domain.ingest import ForeignPost
from hashchat.domain.text.length import NETWORK_LIMITS, measure, over_byte_limit
from hashchat.store.models import (
    BridgePostRow,
    BridgeRow,
    ChatRow,
    CrossPostRow,
    PersonNetworkRow,
    PostRow,
)

NETWORKS = ("mastodon", "bluesky")
SETTINGS: Mapping[str, tuple[str, ...]] = {
    "mastodon": ("instance",),
    "bluesky": ("service", "handle"),
}
SECRETS: Mapping[str, tuple[str, ...]] = {
    "mastodon": ("access_token",),
    "bluesky": ("app_password",),
}
DEFAULTS: Mapping[str, Mapping[str, str]] = {"bluesky": {"service": "https://bsky.social"}}
MAX_FIELD = 2_000
PENDING, DONE, CANCELLED = "pending", "done", "cancelled"

# The network's login check: (network, settings and secrets) -> the account's handle.
Verify = Callable[[str, Mapping[str, str]], str]


@dataclass(frozen=True, slots=True)
class NetworkView:
    """One of her connected accounts (never a secret)."""

    id: int
    network: str
    account: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CrossPostWork:
    """A pending cross-post, with what posting it needs (her secrets unsealed)."""

    id: int
    post_id: int
    chat_id: int
    tag: str
    network: str
    text: str
    settings: Mapping[str, str]
    credentials: Credentials = field(repr=False)


@dataclass(frozen=True, slots=True)
class Opening:
    """The chat's opening post on a network, as a series bridge posted it (`source`: the
    bridge's instance host for Mastodon, `atproto` for Bluesky)."""

    source: str
    external_id: str
    url: str | None


def _view(row: PersonNetworkRow) -> NetworkView:
    return NetworkView(row.id, row.network, row.account, row.created_at)


def _check_fields(network: str, fields: Mapping[str, object]) -> dict[str, str]:
    if network not in NETWORKS:
        raise InvalidInputError(f"network must be one of {', '.join(NETWORKS)}")
    known = {*SETTINGS[network], *SECRETS[network]}
    unknown = sorted(set(fields) - known)
    if unknown:
        raise InvalidInputError(f"{network} takes no {unknown[0]!r} (it takes {sorted(known)})")
    values = dict(DEFAULTS.get(network, {}))
    for name, value in fields.items():
        if not isinstance(value, str) or len(value) > MAX_FIELD or not value.isprintable():
            raise InvalidInputError(f"{name} must be printable text of at most {MAX_FIELD} chars")
        if value.strip():
            values[name] = value.strip()
    for name in (*SETTINGS[network], *SECRETS[network]):
        if not values.get(name):
            raise InvalidInputError(f"{network} needs {name}")
    return values


def do_connect_network(
    ctx: AppContext,
    actor: UserView,
    network: str,
    fields: Mapping[str, object],
    verify: Verify,
) -> NetworkView:
    """Connect `actor`'s own account on `network` after `verify` accepted its login."""
    from hashchat.actions.bridges import SecretKeyUnsetError

    try:
        check_key()
    except SecretKeyMissingError as error:
        raise SecretKeyUnsetError(str(error)) from None
    values = _check_fields(network, fields)
    with ctx.store.read() as session:
        _refuse_second(session, actor.id, network)
    account = verify(network, values)  # the network's refusal propagates as the caller maps it
    settings = {k: v for k, v in values.items() if k in SETTINGS[network]}
    secrets = Credentials({k: v for k, v in values.items() if k in SECRETS[network]})
    with ctx.store.write() as session:
        _refuse_second(session, actor.id, network)
        row = PersonNetworkRow(
            user_id=actor.id,
            network=network,
            account=account,
            settings=json.dumps(settings),
            secret=seal(secrets),
            created_at=ctx.now(),
        )
        session.add(row)
        session.flush()
        return _view(row)


def _refuse_second(session: Session, user_id: int, network: str) -> None:
    held = session.scalar(
        sa.select(PersonNetworkRow.account).where(
            PersonNetworkRow.user_id == user_id, PersonNetworkRow.network == network
        )
    )
    if held is not None:
        raise ConflictError(
            f"{network} account {held} is already connected: disconnect it to connect another"
        )


def networks_of(ctx: AppContext, actor: UserView) -> list[NetworkView]:
    """`actor`'s connected accounts, oldest first."""
    with ctx.store.read() as session:
        return [_view(row) for row in _rows_of(session, actor.id)]


def _rows_of(session: Session, user_id: int) -> Sequence[PersonNetworkRow]:
    return session.scalars(
        sa.select(PersonNetworkRow)
        .where(PersonNetworkRow.user_id == user_id)
        .order_by(PersonNetworkRow.id)
    ).all()


def do_remove_network(ctx: AppContext, actor: UserView, network_id: int) -> None:
    """Disconnect one of `actor`'s accounts: its sealed secret is deleted, cross-posts still
    waiting for it are cancelled; copies already posted keep their identity (dedupe)."""
    with ctx.store.write() as session:
        row = session.get(PersonNetworkRow, network_id)
        if row is None or row.user_id != actor.id:
            raise NotFoundError(f"you have no connected network {network_id}")
        session.execute(
            sa.update(CrossPostRow)
            .where(CrossPostRow.person_network_id == row.id, CrossPostRow.state == PENDING)
            .values(state=CANCELLED, last_error="the account was disconnected")
        )
        row.secret = ""  # wiped first, in case a backup of this page of the table outlives it
        session.flush()
        session.delete(row)


# -- posting ---------------------------------------------------------------------------------


def with_tag(text: str, tag: str) -> str:
    """The text as it goes out: the series hashtag added at the end when it is missing."""
    bare = tag.lstrip("#")
    return text if f"#{bare}".casefold() in text.casefold() else f"{text} #{bare}"


def check_cross_post(
    session: Session, user_id: int, networks: Sequence[str], text: str, tag: str
) -> list[PersonNetworkRow]:
    """Her accounts named by `networks`; 422 for a network she has not connected, or when the
    text (with the hashtag) is over that network's limit (nothing is cut)."""
    if not networks:
        return []
    mine = {row.network: row for row in _rows_of(session, user_id)}
    chosen: list[PersonNetworkRow] = []
    for network in dict.fromkeys(networks):
        row = mine.get(network)
        if row is None:
            raise InvalidInputError(
                f"cross_post: you have not connected a {network} account (connect yours in "
                f"your settings; a series' accounts are never used for your posts)"
            )
        out = with_tag(text, tag)
        limit = NETWORK_LIMITS[network]
        measured = measure(out, network=network, limit=limit)
        if not measured.valid or over_byte_limit(out, network) is not None:
            raise InvalidInputError(
                f"cross_post: the post with #{tag.lstrip('#')} is {measured.length} characters "
                f"by the {network} rule; {network} takes {limit} (nothing was cut)"
            )
        chosen.append(row)
    return chosen


def add_cross_posts(
    session: Session, post_id: int, accounts: Iterable[PersonNetworkRow], now: datetime
) -> None:
    """Record the cross-posts of a new post in the post's own transaction."""
    for account in accounts:
        session.add(
            CrossPostRow(
                post_id=post_id,
                person_network_id=account.id,
                network=account.network,
                state=PENDING,
                created_at=now,
            )
        )


def pending_cross_posts(ctx: AppContext, post_id: int) -> list[CrossPostWork]:
    """The post's cross-posts still to do; one whose post was hidden meanwhile is cancelled
    (a hidden post never leaves the room), one whose secret cannot be read is left pending."""
    from hashchat.actions.bridges import load_series_tag

    work: list[CrossPostWork] = []
    with ctx.store.write() as session:
        rows = session.execute(
            sa.select(CrossPostRow, PostRow, PersonNetworkRow, ChatRow.series_id)
            .join(PostRow, PostRow.id == CrossPostRow.post_id)
            .join(ChatRow, ChatRow.id == PostRow.chat_id)
            .outerjoin(PersonNetworkRow, PersonNetworkRow.id == CrossPostRow.person_network_id)
            .where(CrossPostRow.post_id == post_id, CrossPostRow.state == PENDING)
            .order_by(CrossPostRow.id)
        ).all()
        for cross, post, account, series_id in rows:
            if post.hidden or account is None:
                cross.state = CANCELLED
                cross.last_error = "hidden" if post.hidden else "the account was disconnected"
                continue
            credentials = unseal(account.secret)  # a missing key fails the delivery: retried
            work.append(
                CrossPostWork(
                    id=cross.id,
                    post_id=post.id,
                    chat_id=post.chat_id,
                    tag=load_series_tag(session, series_id),
                    network=cross.network,
                    text=post.text,
                    settings=json.loads(account.settings),
                    credentials=credentials,
                )
            )
    return work


def chat_openings(ctx: AppContext, chat_id: int, network: str) -> list[Opening]:
    """The chat's opening posts on `network`, as the series' bridges posted them."""
    with ctx.store.read() as session:
        rows = session.execute(
            sa.select(BridgeRow.settings, BridgePostRow.external_id, BridgePostRow.url)
            .join(BridgeRow, BridgeRow.id == BridgePostRow.bridge_id)
            .where(
                BridgePostRow.chat_id == chat_id,
                BridgePostRow.kind == "opening",
                BridgeRow.network == network,
            )
            .order_by(BridgePostRow.id)
        ).all()
    openings = []
    for settings, external_id, url in rows:
        instance = json.loads(settings).get("instance", "")
        source = _host(instance) if network == "mastodon" else "atproto"
        openings.append(Opening(source, external_id, url))
    return openings


def _host(instance: str) -> str:
    return urlsplit(instance if "://" in instance else f"https://{instance}").netloc.lower()


def record_cross_posted(
    ctx: AppContext, cross_post_id: int, source: str, external_id: str, url: str | None
) -> None:
    """Note where the copy went; a copy a bridge filed before this (another process read it in
    that instant) is hidden, so the room holds the post once."""
    from hashchat.actions.bridges import _deleted_copy
    from hashchat.actions.ingest import do_ingest_posts

    with ctx.store.write() as session:
        row = session.get(CrossPostRow, cross_post_id)
        if row is None:
            return
        network = row.network
        row.state, row.source, row.external_id = DONE, source, external_id[:200]
        row.url, row.posted_at, row.last_error = (url[:500] if url else None), ctx.now(), None
    with ctx.store.read() as session:
        stray = _deleted_copy(session, (network, source, external_id))
    if stray is not None:
        do_ingest_posts(ctx, "cross-post", stray[0], [stray[1]])


def record_cross_post_error(ctx: AppContext, cross_post_id: int, error: str) -> None:
    """Note why a try failed (the outbox retries the delivery with its back-off)."""
    with ctx.store.write() as session:
        row = session.get(CrossPostRow, cross_post_id)
        if row is not None:
            row.last_error = error[:2000]


def known_copies(session: Session, posts: Sequence[ForeignPost]) -> set[tuple[str, str, str]]:
    """Which of `posts` (by network, source, id) are copies of room posts cross-posted by
    their authors: matched by the copy's identity, or by its address (a status read through
    another instance has that instance's id but the original's address)."""
    if not posts:
        return set()
    ids = {p.external_id for p in posts}
    urls = {p.url for p in posts if p.url}
    condition: sa.ColumnElement[bool] = CrossPostRow.external_id.in_(ids)
    if urls:
        condition = sa.or_(condition, CrossPostRow.url.in_(urls))
    rows = session.execute(
        sa.select(
            CrossPostRow.network, CrossPostRow.source, CrossPostRow.external_id, CrossPostRow.url
        ).where(CrossPostRow.state == DONE, condition)
    ).all()
    by_identity = {(r.network, r.source, r.external_id) for r in rows}
    by_url = {(r.network, r.url) for r in rows if r.url}
    return {
        (p.network.value, p.source, p.external_id)
        for p in posts
        if (p.network.value, p.source, p.external_id) in by_identity
        or (p.url is not None and (p.network.value, p.url) in by_url)
    }


def cross_posted_chat(session: Session, network: str, external_id: str) -> int | None:
    """The chat of the room post whose cross-posted copy is `external_id` on `network` (a reply
    to her copy belongs to the chat of her post)."""
    return session.scalar(
        sa.select(PostRow.chat_id)
        .join(CrossPostRow, CrossPostRow.post_id == PostRow.id)
        .where(CrossPostRow.network == network, CrossPostRow.external_id == external_id)
        .limit(1)
    )


@dataclass(frozen=True, slots=True)
class CrossPostView:
    """Where a post was cross-posted (for the API's answer and tests)."""

    network: str
    state: str
    external_id: str | None
    url: str | None
    last_error: str | None


def cross_posts_of(ctx: AppContext, post_id: int) -> list[CrossPostView]:
    """A post's cross-posts and where each stands."""
    with ctx.store.read() as session:
        rows = session.scalars(
            sa.select(CrossPostRow).where(CrossPostRow.post_id == post_id).order_by(CrossPostRow.id)
        ).all()
        return [CrossPostView(r.network, r.state, r.external_id, r.url, r.last_error) for r in rows]
