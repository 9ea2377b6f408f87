"""A whole chat read for export (`formats.chat_jsonl`): its header and every post, hidden ones
included, each with its external identity, in the order the room shows them.

Posts typed here are identified as (`hashchat`, this server's `base_url`, their id), so that
reading the export back on this server updates them and elsewhere files them once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from hashchat.actions.access import load_chat
from hashchat.actions.context import AppContext
from hashchat.actions.permissions import Role
from hashchat.actions.posts import POST_ORDER
from hashchat.actions.segments import chat_questions
from hashchat.domain.ingest import ForeignChat, ForeignPost, ForeignQuestion, Network
from hashchat.store.models import Membership, PostRow, SeriesRow, User

EXPORT_BATCH = 5_000  # posts read per query (a chat of any size streams in constant memory)


@dataclass(frozen=True, slots=True)
class ExportedPost:
    """One post of an export: its identity and state (`post`), its number in this file
    (`line_id`, the post's id here) and its parent's (`reply_line_id`), so that the posts-only
    reader of `hashchat recap FILE` threads replies too; `question` and `part` are its first
    segment's attribution here (informational: the importer attributes again, the same way)."""

    line_id: str
    reply_line_id: str | None
    post: ForeignPost
    question: int | None
    part: str | None


def own_identity(ctx: AppContext, row_id: int) -> tuple[Network, str, str]:
    """The external identity of a post typed on this server."""
    return Network.HASHCHAT, ctx.settings.base_url, str(row_id)


def chat_header(ctx: AppContext, chat_id: int) -> ForeignChat:
    """The chat as the export's header line describes it; 404 when unknown."""
    with ctx.store.read() as session:
        chat = load_chat(session, chat_id)
        tag = session.scalar(sa.select(SeriesRow.tag).where(SeriesRow.id == chat.series_id))
        questions = chat_questions(session, chat.id)
    return ForeignChat(
        series_tag=tag or "",
        title=chat.title,
        starts_at=chat.starts_at,
        duration_minutes=chat.duration_minutes,
        state=chat.state,
        questions=tuple(ForeignQuestion(q.number, q.text, q.asked_at) for q in questions),
        started_at=chat.started_at,
        ended_at=chat.ended_at,
        closed_at=chat.closed_at,
        comments_close_at=chat.comments_close_at,
        cadence=chat.cadence,
        source=ctx.settings.base_url,
        external_id=str(chat.id),
        topic=chat.topic or "",
    )


def chat_owner(ctx: AppContext, chat_id: int) -> str | None:
    """The handle of the chat's series owner (the first one when there are several), who signs
    the chat when it is exported as a blog post (`formats.wxr`); None when the series has none."""
    with ctx.store.read() as session:
        chat = load_chat(session, chat_id)
        return session.scalar(
            sa.select(User.name)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.series_id == chat.series_id, Membership.role == Role.OWNER.value)
            .order_by(Membership.id)
            .limit(1)
        )


def _identity(
    ctx: AppContext, row_id: int, network: str, source: str, external_id: str | None
) -> tuple[Network, str, str]:
    if not source or external_id is None:
        return own_identity(ctx, row_id)
    return Network(network), source, external_id


def exported_posts(ctx: AppContext, chat_id: int) -> Iterator[ExportedPost]:
    """Every post of a chat (hidden ones too), by time then id, read in batches."""
    with ctx.store.read() as session:
        load_chat(session, chat_id)
        identities = {
            row[0]: _identity(ctx, *row)
            for row in session.execute(
                sa.select(PostRow.id, PostRow.network, PostRow.source, PostRow.external_id).where(
                    PostRow.chat_id == chat_id
                )
            )
        }
    after: tuple[object, int] | None = None
    while True:
        with ctx.store.read() as session:
            query = (
                sa.select(PostRow)
                .where(PostRow.chat_id == chat_id)
                .order_by(*POST_ORDER)
                .limit(EXPORT_BATCH)
            )
            if after is not None:
                query = query.where(sa.tuple_(PostRow.created_at, PostRow.id) > sa.tuple_(*after))
            rows = session.scalars(query).all()
            session.expunge_all()
        if not rows:
            return
        for row in rows:
            yield _exported(row, identities)
        after = (rows[-1].created_at, rows[-1].id)


def _exported(row: PostRow, identities: dict[int, tuple[Network, str, str]]) -> ExportedPost:
    network, source, external_id = identities[row.id]
    parent = None if row.reply_to_post_id is None else identities.get(row.reply_to_post_id)
    post = ForeignPost(
        network=network,
        source=source,
        external_id=external_id,
        author_handle=row.author_handle,
        display_name=row.display_name,
        text=row.text,
        created_at=row.created_at,
        url=row.external_url,
        reply_to=None if parent is None else parent[2],
        repost_of="" if row.is_repost else None,
        edited_at=row.edited_at,
        hidden=row.hidden,
        spotlight=row.spotlight,
        reply_to_network=None if parent is None else parent[0],
        reply_to_source=None if parent is None else parent[1],
        by_host=row.is_host,
    )
    return ExportedPost(
        line_id=str(row.id),
        reply_line_id=None if parent is None else str(row.reply_to_post_id),
        post=post,
        question=row.question,
        part=row.part,
    )
