"""The transcript of a stored chat, built by hashchat.domain.recap from the rows (read-only)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.domain.chat import Attribution, ChatWindow, Post, Question
from hashchat.domain.recap import Transcript, build_transcript
from hashchat.store.models import ChatRow, PostRow, QuestionRow
from hashchat.web.pages.queries import HOST_ROLES, series_members


def _post(row: PostRow) -> Post:
    return Post(
        id=str(row.id),
        author=row.author_handle,
        text=row.text,
        created_at=row.created_at,
        network=row.network,
        reply_to=None if row.reply_to_post_id is None else str(row.reply_to_post_id),
        external_id=row.external_id,
        url=row.external_url,
    )


def _attributions(row: PostRow) -> list[Attribution]:
    """The stored segments of a post; a post stored without segments is one segment."""
    if not row.segments:
        return [
            Attribution(
                post_id=str(row.id),
                question=row.question,
                part=row.part,
                text=row.text,
                inferred=row.inferred,
                late=row.late,
            )
        ]
    return [
        Attribution(
            post_id=str(row.id),
            question=segment.get("question"),
            part=segment.get("part"),
            text=str(segment.get("text", row.text)),
            inferred=bool(segment.get("inferred", False)),
            late=bool(segment.get("late", False)),
        )
        for segment in row.segments
    ]


def chat_transcript(session: Session, chat: ChatRow) -> Transcript:
    """The transcript and figures of `chat`; hidden posts are left out (and counted)."""
    rows = session.scalars(
        sa.select(PostRow)
        .where(PostRow.chat_id == chat.id)
        .order_by(PostRow.created_at, PostRow.id)
    ).all()
    question_rows = session.scalars(
        sa.select(QuestionRow).where(QuestionRow.chat_id == chat.id).order_by(QuestionRow.number)
    ).all()
    hosts = frozenset(member.name for member in series_members(session, chat.series_id, HOST_ROLES))
    # Posts flagged is_host (e.g. imported under another handle) are hosts of this chat too.
    hosts |= {row.author_handle for row in rows if row.is_host}
    window = ChatWindow(
        started_at=chat.started_at or chat.starts_at, ended_at=chat.ended_at, hosts=hosts
    )
    return build_transcript(
        posts=[_post(row) for row in rows],
        attributions=[a for row in rows for a in _attributions(row)],
        questions=[Question(q.number, q.text, q.asked_at) for q in question_rows],
        window=window,
        hosts=hosts,
        hidden_ids=frozenset(str(row.id) for row in rows if row.hidden),
    )
