"""A chat's recap from what is stored: the transcript by question and the figures, exported."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions.access import load_chat
from hashchat.actions.chats import read_chat
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ConflictError, InvalidInputError
from hashchat.actions.posts import POST_ORDER, host_handles
from hashchat.actions.segments import (
    chat_questions,
    chat_window,
    domain_post,
    segment_rows_of_chat,
    stored_attributions,
)
from hashchat.actions.views import ChatView, SeriesView, series_view
from hashchat.domain.recap import Transcript, build_transcript
from hashchat.formats.recap_common import figures_sentence
from hashchat.formats.recaps import UnknownRecapFormatError, recap_format
from hashchat.store.models import (
    ChatRow,
    EventRow,
    PostRow,
    RecapSummaryRow,
    SegmentRow,
    SeriesRow,
)


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


def transcript_of(session: Session, chat: ChatRow) -> Transcript:
    """The transcript and figures of a stored chat, from its stored segments (`post_segments`,
    kept current by `actions.segments` with the same pipeline as `hashchat recap FILE`);
    hidden posts are left out. The one loader that the recap page, the series page and the
    exports share."""
    rows = session.scalars(
        sa.select(PostRow).where(PostRow.chat_id == chat.id).order_by(*POST_ORDER)
    ).all()
    segments_of: dict[int, list[SegmentRow]] = {}
    for segment in segment_rows_of_chat(session, chat.id):
        segments_of.setdefault(segment.post_id, []).append(segment)
    # Posts flagged is_host (e.g. a host posting under a bridged handle) are hosts of this chat too.
    hosts = host_handles(session, chat.series_id) | {
        row.author_handle for row in rows if row.is_host
    }
    transcript = build_transcript(
        [domain_post(row) for row in rows],
        [a for row in rows for a in stored_attributions(segments_of.get(row.id, []))],
        chat_questions(session, chat.id),
        chat_window(chat, hosts),
        hosts,
        frozenset(str(row.id) for row in rows if row.hidden),
    )
    pinned = frozenset(str(row.id) for row in rows if row.spotlight and not row.hidden)
    return replace(transcript, spotlighted=pinned) if pinned else transcript


def get_recap(ctx: AppContext, chat_id: int) -> RecapData:
    """The transcript of a chat and its hashtag; 409 before the chat starts."""
    with ctx.store.read() as session:
        chat = load_chat(session, chat_id)
        if chat.started_at is None:
            raise ConflictError("the chat has not started; there is nothing to recap yet")
        tag = session.scalar(sa.select(SeriesRow.tag).where(SeriesRow.id == chat.series_id))
        transcript = transcript_of(session, chat)
    return RecapData(transcript, f"#{tag}" if tag else "")


@dataclass(frozen=True, slots=True)
class RecapPage:
    """What the recap page shows: the chat, its series, and its transcript (None before the
    chat starts: nothing happened yet, so no figures of zero)."""

    chat: ChatView
    series: SeriesView
    transcript: Transcript | None


def get_recap_page(ctx: AppContext, chat_id: int) -> RecapPage:
    """The recap page's one read; 404 when the chat is unknown."""
    with ctx.store.read() as session:
        chat = load_chat(session, chat_id)
        series = session.get(SeriesRow, chat.series_id)
        assert series is not None
        view = read_chat(session, chat_id)
        transcript = None if chat.started_at is None else transcript_of(session, chat)
        return RecapPage(view, series_view(series), transcript)


def render_recap(ctx: AppContext, chat_id: int, fmt: str) -> RenderedRecap:
    """The recap in `fmt`, a name of `formats.recaps.RECAP_FORMATS` (422 otherwise)."""
    try:
        chosen = recap_format(fmt)
    except UnknownRecapFormatError as error:
        raise InvalidInputError(str(error)) from None
    data = get_recap(ctx, chat_id)
    return RenderedRecap(
        chosen.render(data.transcript, data.hashtag),
        chosen.media_type,
        f"chat-{chat_id}-recap.{chosen.extension}",
    )


def recap_summaries(ctx: AppContext, chat_ids: Sequence[int]) -> dict[int, str]:
    """The one-sentence figures of each chat (the recaps feed's summaries), from
    `recap_summaries` rows; a chat whose newest event is not the one its row was computed at
    (or that has no row) is computed again and stored. The feed thus rebuilds a transcript only
    when something changed it, not on every request."""
    if not chat_ids:
        return {}
    now = ctx.now()
    try:
        with ctx.store.write() as session:
            return _summaries(session, list(chat_ids), now, store=True)
    except sa.exc.IntegrityError:
        # Another request stored the same chat's row first: answer without storing.
        with ctx.store.read() as session:
            return _summaries(session, list(chat_ids), now, store=False)


def _summaries(
    session: Session, chat_ids: list[int], now: datetime, *, store: bool
) -> dict[int, str]:
    newest: dict[int, int | None] = dict(
        session.execute(
            sa.select(EventRow.chat_id, sa.func.max(EventRow.id))
            .where(EventRow.chat_id.in_(chat_ids))
            .group_by(EventRow.chat_id)
        ).all()
    )
    cached = {
        row.chat_id: row
        for row in session.scalars(
            sa.select(RecapSummaryRow).where(RecapSummaryRow.chat_id.in_(chat_ids))
        )
    }
    summaries: dict[int, str] = {}
    for chat_id in chat_ids:
        row = cached.get(chat_id)
        key = newest.get(chat_id)
        if row is not None and row.event_id == key:
            summaries[chat_id] = row.summary
            continue
        chat = session.get(ChatRow, chat_id)
        if chat is None:
            continue
        summary = figures_sentence(transcript_of(session, chat).figures)
        summaries[chat_id] = summary
        if not store:
            continue
        if row is None:
            session.add(
                RecapSummaryRow(chat_id=chat_id, event_id=key, summary=summary, computed_at=now)
            )
        else:
            row.event_id, row.summary, row.computed_at = key, summary, now
    return summaries
