"""A chat's stored segments (`post_segments`), kept current by the one recap pipeline.

Each visible post has one row per segment: the question it answers, its part and words, its
inferred and late marks, and where the transcript puts it (answer, reply, conversation,
question, repost). The rows are what `domain.recap.transcript_of_posts` makes of the chat's
posts, the same code `hashchat recap FILE` runs, so the server's recap and the command's agree.

What a segment depends on: the post, the post it replies to (hidden or not, and its own
segments), the questions asked before it and the live hour. So:
- a new post that comes last in the chat's (created_at, id) order is attributed alone, from
  its parent's stored first segment (`earlier`), exactly as the whole chat would attribute it;
- anything else (a post that arrives before later ones, e.g. a late parent; hide, unhide or
  edit; a question asked or the live hour starting or ending at the time of existing posts)
  recomputes the whole chat with `refresh_chat_segments`, in the same transaction.
A post's own `question`, `part`, `inferred`, `late` and `segments` columns (what its views
and events say), and its segments' counts by kind (what the series insights count per author,
`segment_counts`), are written from the same values at the same time, never on their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.domain.attribution import attribute_posts
from hashchat.domain.chat import Attribution, ChatWindow, Post, Question
from hashchat.domain.recap import Entry, build_transcript, transcript_of_posts
from hashchat.store.locks import lock_chat_events
from hashchat.store.models import (
    BridgePostRow,
    BridgeRow,
    ChatRow,
    PostRow,
    QuestionRow,
    SegmentRow,
)

# A stored segment: (kind, question, part, text, inferred, late), in the post's order.
StoredSegment = tuple[str, int | None, str | None, str, bool, bool]


def domain_post(row: PostRow) -> Post:
    """A stored post as the domain reads it (its host mark as recorded when it was posted)."""
    return Post(
        id=str(row.id),
        author=row.author_handle,
        text=row.text,
        created_at=row.created_at,
        network=row.network,
        reply_to=None if row.reply_to_post_id is None else str(row.reply_to_post_id),
        external_id=row.external_id,
        url=row.external_url,
        is_repost=row.is_repost,
        by_host=row.is_host,
    )


def chat_questions(session: Session, chat_id: int) -> list[Question]:
    """The questions of a chat in number order, asked or not."""
    return [
        Question(q.number, q.text, q.asked_at)
        for q in session.scalars(
            sa.select(QuestionRow)
            .where(QuestionRow.chat_id == chat_id)
            .order_by(QuestionRow.number)
        )
    ]


def chat_window(chat: ChatRow, hosts: frozenset[str] = frozenset()) -> ChatWindow:
    """The live hour of a stored chat: from when it went live (its plan before that)."""
    return ChatWindow(
        started_at=chat.started_at or chat.starts_at, ended_at=chat.ended_at, hosts=hosts
    )


def bridged_question_posts(session: Session, chat_id: int) -> dict[tuple[str, str], int]:
    """Our question posts of the chat as bridges posted them: (network, external id) → n."""
    return {
        (row.network, row.external_id): row.number
        for row in session.execute(
            sa.select(BridgeRow.network, BridgePostRow.external_id, BridgePostRow.number)
            .join(BridgeRow, BridgeRow.id == BridgePostRow.bridge_id)
            .where(BridgePostRow.chat_id == chat_id, BridgePostRow.kind == "question")
        )
    }


def question_replies(session: Session, chat_id: int) -> dict[str, int]:
    """The chat's posts that reply, on their network, to one of our question posts there (a
    bridge posted question n: `bridge_posts` of kind `question`): post id → n. Such a reply
    carries no `An` tag and its parent is no post of the room, yet it answers question n
    (`domain.attribution`, rule 5), whenever it was written."""
    number_of = bridged_question_posts(session, chat_id)
    if not number_of:
        return {}
    replies = session.execute(
        sa.select(PostRow.id, PostRow.network, PostRow.reply_to_external_id).where(
            PostRow.chat_id == chat_id,
            PostRow.reply_to_post_id.is_(None),
            PostRow.reply_to_external_id.in_({external_id for _, external_id in number_of}),
        )
    )
    return {
        str(row.id): number_of[key]
        for row in replies
        if (key := (row.network, row.reply_to_external_id)) in number_of
    }


def stored_attributions(rows: Sequence[SegmentRow]) -> list[Attribution]:
    """Segment rows (in position order) as the domain's attributions."""
    return [
        Attribution(
            post_id=str(row.post_id),
            question=row.question,
            part=row.part,
            text=row.text,
            inferred=row.inferred,
            late=row.late,
        )
        for row in rows
    ]


def segment_rows_of_chat(session: Session, chat_id: int) -> list[SegmentRow]:
    """Every stored segment of a chat, by post and position."""
    return list(
        session.scalars(
            sa.select(SegmentRow)
            .where(SegmentRow.chat_id == chat_id)
            .order_by(SegmentRow.post_id, SegmentRow.position)
        )
    )


def store_segments_of_new_post(
    session: Session, chat: ChatRow, row: PostRow, parent: PostRow | None
) -> None:
    """Attribute a post just inserted (flushed) and store its segments.

    Alone when it comes last in the chat's order; otherwise the whole chat is recomputed.
    The chat's event lock is taken first (PostgreSQL), as `refresh_chat_segments` does: a
    question asked on another process at the same moment either comes before (and is read
    here) or waits and re-attributes this post once it is committed.
    """
    lock_chat_events(session, chat.id)
    later = session.scalar(
        sa.select(PostRow.id)
        .where(
            PostRow.chat_id == chat.id,
            PostRow.id != row.id,
            sa.or_(
                PostRow.created_at > row.created_at,
                sa.and_(PostRow.created_at == row.created_at, PostRow.id > row.id),
            ),
        )
        .limit(1)
    )
    if later is not None:
        refresh_chat_segments(session, chat)
        return
    questions = chat_questions(session, chat.id)
    window = chat_window(chat)
    new = domain_post(row)
    posts, attributions, earlier = [new], [], {}
    if parent is not None and not parent.hidden:
        parent_attributions = stored_attributions(
            session.scalars(
                sa.select(SegmentRow)
                .where(SegmentRow.post_id == parent.id)
                .order_by(SegmentRow.position)
            ).all()
        )
        if parent_attributions:
            posts = [domain_post(parent), new]
            attributions = parent_attributions
            earlier = {str(parent.id): parent_attributions[0]}
    attributions = attributions + attribute_posts([new], questions, window, earlier)
    transcript = build_transcript(posts, attributions, questions, window, window.hosts)
    mine = [entry for entry in transcript.segments if entry.post.id == new.id]
    _write_post(session, row, [_stored(entry) for entry in mine])


def refresh_chat_segments(session: Session, chat: ChatRow, since: datetime | None = None) -> int:
    """Recompute a chat's segments from its posts and store what changed; returns how many
    posts changed. With `since`, nothing is done unless a post was written at or after it
    (a question asked, or the live hour starting or ending, changes only those).

    A changed post also gets its columns and its `post` event rewritten, so that a replay
    says what the room and the recap now say.

    The chat's event lock is taken first (PostgreSQL): an ingest call re-attributes only what
    it touches, from the questions and hour it read under that lock, so a change to those
    (a question asked, the hour ending, a hide) must see the posts such a call commits.
    """
    lock_chat_events(session, chat.id)
    if since is not None:
        touched = session.scalar(
            sa.select(PostRow.id)
            .where(PostRow.chat_id == chat.id, PostRow.created_at >= since)
            .limit(1)
        )
        if touched is None:
            return 0
    session.flush()
    rows = session.scalars(sa.select(PostRow).where(PostRow.chat_id == chat.id)).all()
    transcript = transcript_of_posts(
        [domain_post(row) for row in rows],
        chat_questions(session, chat.id),
        chat_window(chat),
        frozenset(str(row.id) for row in rows if row.hidden),
        question_replies(session, chat.id),
    )
    wanted: dict[str, list[StoredSegment]] = {}
    for entry in transcript.segments:
        wanted.setdefault(entry.post.id, []).append(_stored(entry))
    stored: dict[int, list[StoredSegment]] = {}
    for segment in segment_rows_of_chat(session, chat.id):
        stored.setdefault(segment.post_id, []).append(
            (
                segment.kind,
                segment.question,
                segment.part,
                segment.text,
                segment.inferred,
                segment.late,
            )
        )
    changed = 0
    for row in rows:
        segments = wanted.get(str(row.id), [])
        if stored.get(row.id, []) != segments:
            _write_post(session, row, segments)
            _rewrite_event(session, row)
            changed += 1
    return changed


def _stored(entry: Entry) -> StoredSegment:
    a = entry.attribution
    return (entry.kind.value, a.question, a.part, a.text, a.inferred, a.late)


def segment_counts(segments: Sequence[StoredSegment]) -> dict[str, int]:
    """A post's copy of its segments' counts by kind (posts columns, migration 0020)."""
    answers = late = replies = questions = 0
    for kind, _, _, _, _, is_late in segments:
        if kind == "answer":
            answers += 1
            late += is_late
        elif kind == "reply":
            replies += 1
        elif kind == "question":
            questions += 1
    return {
        "answer_segments": answers,
        "late_answer_segments": late,
        "reply_segments": replies,
        "question_segments": questions,
    }


def _write_post(session: Session, row: PostRow, segments: list[StoredSegment]) -> None:
    """Replace a post's segment rows and the attribution columns of the post itself."""
    session.execute(sa.delete(SegmentRow).where(SegmentRow.post_id == row.id))
    session.add_all(
        SegmentRow(
            chat_id=row.chat_id,
            post_id=row.id,
            position=position,
            kind=kind,
            question=question,
            part=part,
            text=text,
            inferred=inferred,
            late=late,
        )
        for position, (kind, question, part, text, inferred, late) in enumerate(segments)
    )
    if not segments:  # a hidden post keeps the attribution it last had; nothing shows it
        return
    json_segments: list[dict[str, Any]] = [
        {"question": question, "part": part, "text": text, "inferred": inferred, "late": late}
        for _, question, part, text, inferred, late in segments
    ]
    _, question, part, _, inferred, _ = segments[0]
    row.question, row.part, row.inferred = question, part, inferred
    row.late = any(segment[5] for segment in segments)
    row.segments = json_segments
    for name, count in segment_counts(segments).items():
        setattr(row, name, count)
    session.flush()


def _rewrite_event(session: Session, row: PostRow) -> None:
    # posts.py writes posts with this module; imported here to keep that one-way at import time
    from hashchat.actions.posts import refresh_post_event

    refresh_post_event(session, row)
