"""The read behind a series' calendar feed: which chats it lists, and when each one is.

A chat stays in the feed once it starts: subscribers keep it in their calendars as it runs and
after it is over, at the time it actually happened. See docs/decisions.md, "The calendar feed
keeps live and past chats".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from hashchat.actions.access import load_series
from hashchat.actions.context import AppContext
from hashchat.actions.views import SeriesView, series_view
from hashchat.domain.chat import ChatState
from hashchat.store.models import ChatRow

# How far back the feed reaches: a year and a month, so last year's edition of an annual chat
# is still there when this year's is announced.
CALENDAR_PAST_DAYS = 400


@dataclass(frozen=True, slots=True)
class CalendarChat:
    """One chat as a calendar event: `start` is on a whole minute, `duration_minutes` ≥ 1."""

    id: int
    title: str
    state: str
    start: datetime
    duration_minutes: int


@dataclass(frozen=True, slots=True)
class SeriesCalendar:
    """A series and the chats its calendar feed lists, earliest first."""

    series: SeriesView
    chats: tuple[CalendarChat, ...]


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def calendar_chat(row: ChatRow) -> CalendarChat:
    """The event of a chat: planned until it starts, then its live hour as it happened.

    A live chat starts when it went live and keeps its planned length (its end is not known yet);
    an ended one (late answers, closed) runs from going live to the end of its live hour. The
    late-answer period is not part of the event: it is not a time anyone needs to be there.
    """
    if row.state == ChatState.SCHEDULED.value or row.started_at is None:
        return CalendarChat(
            row.id, row.title, row.state, _minute(row.starts_at), row.duration_minutes
        )
    start = _minute(row.started_at)
    if row.ended_at is None:
        minutes = row.duration_minutes
    else:
        minutes = round((row.ended_at - row.started_at).total_seconds() / 60)
    return CalendarChat(row.id, row.title, row.state, start, max(1, minutes))


def calendar_of_series(ctx: AppContext, tag: str) -> SeriesCalendar:
    """The chats of the series `tag` for its calendar feed; 404 when unknown.

    Every chat whose start (actual once it went live, else planned) is within
    CALENDAR_PAST_DAYS before now or later, whatever its state.
    """
    since = ctx.now() - timedelta(days=CALENDAR_PAST_DAYS)
    with ctx.store.read() as session:
        series = load_series(session, tag)
        rows = session.scalars(
            sa.select(ChatRow)
            .where(
                ChatRow.series_id == series.id,
                sa.func.coalesce(ChatRow.started_at, ChatRow.starts_at) >= since,
            )
            .order_by(ChatRow.starts_at, ChatRow.id)
        ).all()
        return SeriesCalendar(series_view(series), tuple(calendar_chat(row) for row in rows))
