"""Handles on other networks blocked from a series (issue 11): `@spam@instance` on Mastodon,
`spam.bsky.social` on Bluesky, `@spam` on X. A bridge never files a blocked handle's posts into
any chat of the series (`actions.bridges.do_file_bridge_posts` reads `blocked_handles`); what
was filed before stays, and hide works on it as on any post.

A handle is stored as the bridges write authors (`domain.ingest.ForeignPost.author_handle`),
compared case-insensitively: a host may type `@spam.bsky.social` or `spam@instance`, and it still
matches.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions.access import load_series, require
from hashchat.actions.context import AppContext
from hashchat.actions.errors import InvalidInputError
from hashchat.actions.ingest import handle_key
from hashchat.actions.permissions import Mutation
from hashchat.actions.views import UserView
from hashchat.store.models import NetworkBlock

BLOCKABLE = ("bluesky", "mastodon", "x")
MAX_HANDLE = 300


@dataclass(frozen=True, slots=True)
class BlockedHandle:
    """A blocked handle on a network, as stored (case-folded)."""

    network: str
    handle: str


def canonical_handle(network: str, handle: str) -> str:
    """`handle` written as the network's posts name their author, case-folded: Bluesky without
    `@` (`spam.bsky.social`), Mastodon and X with one (`@spam@instance`, `@spam`); 422 when it
    cannot be a handle."""
    if network not in BLOCKABLE:
        raise InvalidInputError(f"network must be one of {', '.join(BLOCKABLE)}")
    bare = handle.strip().lstrip("@")
    if (
        not bare
        or len(bare) >= MAX_HANDLE
        or not bare.isprintable()
        or any(c.isspace() for c in bare)
    ):
        raise InvalidInputError(
            f"a handle is 1 to {MAX_HANDLE - 1} printable characters, no spaces"
        )
    return handle_key(bare if network == "bluesky" else f"@{bare}")


def do_block_handle(ctx: AppContext, actor: UserView, tag: str, network: str, handle: str) -> str:
    """Block a handle on a network from the series: its posts no longer enter any chat of it.
    Idempotent; returns the handle as stored."""
    key = canonical_handle(network, handle)
    with ctx.store.write() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.BLOCK_USER)
        if not _is_blocked(session, series.id, network, key):
            session.add(
                NetworkBlock(series_id=series.id, network=network, handle=key, created_at=ctx.now())
            )
    return key


def do_unblock_handle(ctx: AppContext, actor: UserView, tag: str, network: str, handle: str) -> str:
    """Let a network handle's posts enter the series again (from now on: what was posted
    while blocked is not fetched back). Idempotent; returns the handle as stored."""
    key = canonical_handle(network, handle)
    with ctx.store.write() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.UNBLOCK_USER)
        session.execute(
            sa.delete(NetworkBlock).where(
                NetworkBlock.series_id == series.id,
                NetworkBlock.network == network,
                NetworkBlock.handle == key,
            )
        )
    return key


def network_blocks_of_series(ctx: AppContext, actor: UserView, tag: str) -> list[BlockedHandle]:
    """The series' blocked network handles (moderators and hosts)."""
    with ctx.store.read() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.BLOCK_USER)
        return blocked_handles(session, series.id)


def blocked_handles(session: Session, series_id: int) -> list[BlockedHandle]:
    """The series' blocked network handles, by network and handle (the caller authorised)."""
    return [
        BlockedHandle(row.network, row.handle)
        for row in session.execute(
            sa.select(NetworkBlock.network, NetworkBlock.handle)
            .where(NetworkBlock.series_id == series_id)
            .order_by(NetworkBlock.network, NetworkBlock.handle)
        )
    ]


def _is_blocked(session: Session, series_id: int, network: str, key: str) -> bool:
    found = session.scalar(
        sa.select(NetworkBlock.id).where(
            NetworkBlock.series_id == series_id,
            NetworkBlock.network == network,
            NetworkBlock.handle == key,
        )
    )
    return found is not None
