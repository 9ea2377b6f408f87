"""A chat's recap from what is stored: the transcript by question and the figures, exported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions.access import load_chat
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ConflictError, InvalidInputError
from hashchat.actions.posts import host_handles
from hashchat.domain.chat import Attribution, ChatWindow, Post, Question
from hashchat.domain.recap import Transcript, build_transcript
from hashchat.formats.recap_csv import render_csv
from hashchat.formats.recap_html import render_html
from hashchat.formats.recap_json import render_json
from hashchat.formats.recap_markdown import render_markdown
from hashchat.store.models import ChatRow, PostRow, QuestionRow, SeriesRow


@dataclass(frozen=True, slots=True)
class RecapData:
    """The transcript of one chat and the hashtag its exports are titled with."""

    transcript: Transcript
    hashtag: str


@dataclass(frozen=True, slots=True)
class RenderedRecap:
    """An export ready to send: its text, media type and a file name."""

    content: str
    media_type: str
    filename: str


FORMATS: dict[str, tuple[str, str]] = {
    "md": ("text/markdown; charset=utf-8", "md"),
    "html": ("text/html; charset=utf-8", "html"),
    "json": ("application/json", "json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
}


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


def transcript_of(session: Session, chat: ChatRow) -> Transcript:
    """The transcript and figures of a stored chat, from the attributions stored at posting
    time (what the room showed); hidden posts are left out. The one loader that the recap
    page, the series page and the exports share."""
    rows = session.scalars(
        sa.select(PostRow)
        .where(PostRow.chat_id == chat.id)
        .order_by(PostRow.created_at, PostRow.id)
    ).all()
    questions = [
        Question(q.number, q.text, q.asked_at)
        for q in session.scalars(
            sa.select(QuestionRow)
            .where(QuestionRow.chat_id == chat.id)
            .order_by(QuestionRow.number)
        )
    ]
    # Posts flagged is_host (e.g. a host posting under a bridged handle) are hosts of this chat too.
    hosts = host_handles(session, chat.series_id) | {
        row.author_handle for row in rows if row.is_host
    }
    window = ChatWindow(
        started_at=chat.started_at or chat.starts_at, ended_at=chat.ended_at, hosts=hosts
    )
    return build_transcript(
        [_post(row) for row in rows],
        [a for row in rows for a in _attributions(row)],
        questions,
        window,
        hosts,
        frozenset(str(row.id) for row in rows if row.hidden),
    )


def get_recap(ctx: AppContext, chat_id: int) -> RecapData:
    """The transcript of a chat and its hashtag; 409 before the chat starts."""
    with ctx.store.read() as session:
        chat = load_chat(session, chat_id)
        if chat.started_at is None:
            raise ConflictError("the chat has not started; there is nothing to recap yet")
        tag = session.scalar(sa.select(SeriesRow.tag).where(SeriesRow.id == chat.series_id))
        transcript = transcript_of(session, chat)
    return RecapData(transcript, f"#{tag}" if tag else "")


def render_recap(ctx: AppContext, chat_id: int, fmt: str) -> RenderedRecap:
    """The recap in `fmt` (md, html, json or csv)."""
    if fmt not in FORMATS:
        raise InvalidInputError(f"unknown recap format {fmt!r}; use one of {', '.join(FORMATS)}")
    data = get_recap(ctx, chat_id)
    renderers: dict[str, Callable[[], str]] = {
        "md": lambda: render_markdown(data.transcript, tag=data.hashtag),
        "html": lambda: render_html(data.transcript, tag=data.hashtag),
        "json": lambda: render_json(data.transcript, tag=data.hashtag),
        "csv": lambda: render_csv(data.transcript),
    }
    media_type, extension = FORMATS[fmt]
    return RenderedRecap(renderers[fmt](), media_type, f"chat-{chat_id}-recap.{extension}")
