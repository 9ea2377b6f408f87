"""Scheduling a series' chats: one chat, or a recurring schedule whose next chats exist ahead;
skipping or moving one chat that has not started.

A recurring schedule is the domain's `Recurrence` in the schedule's zone (DST-correct: the host
says "Fridays 17:00 London", whatever the offset is that week). Its chats are made ahead: the
next AHEAD_COUNT dates, none more than AHEAD_DAYS away (docs/decisions.md, "Chats made ahead").
Every date a schedule made is a `schedule_occurrences` row, its chat or its skip, so a skipped
date is never made again and a moved chat still fills its date.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions.access import load_chat, load_series, require
from hashchat.actions.chats import MAX_QUESTIONS, read_chat
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ConflictError, InvalidInputError, NotFoundError
from hashchat.actions.lifecycle import state_event
from hashchat.actions.permissions import Mutation
from hashchat.actions.validation import check_aware, check_text, check_timezone
from hashchat.actions.views import ChatView, UserView
from hashchat.domain.chat import ChatState
from hashchat.domain.schedule import Recurrence, ScheduleError, SeriesSchedule, occurrences
from hashchat.domain.schedule.recurrence import WEEKDAY_NAMES, wall_time_to_utc
from hashchat.domain.schedule.window import MAX_DURATION_MINUTES
from hashchat.domain.schedule.zones import load_zone
from hashchat.store.events import add_typed_event
from hashchat.store.models import (
    ChatRow,
    ChatScheduleRow,
    PostRow,
    QuestionRow,
    ScheduleOccurrence,
)

logger = logging.getLogger(__name__)

AHEAD_COUNT = 4  # the next four dates exist as chats: a month of a weekly series
AHEAD_DAYS = 366  # but none more than a year away (an every-26-weeks series: the next two)
TOP_UP_SECONDS = 600  # how often the server makes the chats that came into reach


@dataclass(frozen=True, slots=True)
class ScheduleView:
    """A recurring schedule; `wall_start` is the first start's local wall time in `timezone`."""

    id: int
    series_tag: str
    title: str
    timezone: str
    wall_start: datetime
    duration_minutes: int
    every_weeks: int
    until: date | None
    stopped: bool
    summary: str


@dataclass(frozen=True, slots=True)
class Scheduled:
    """What a scheduling request made: the schedule (None for one chat) and the new chats."""

    schedule: ScheduleView | None
    chats: tuple[ChatView, ...]


def _wall(text: str) -> datetime:
    return datetime.fromisoformat(text)


def describe(row: ChatScheduleRow) -> str:
    """The schedule in words: `Every 2 weeks on Friday at 17:00 (Europe/London), until …`."""
    wall = _wall(row.wall_start)
    every = "Every week" if row.interval == 1 else f"Every {row.interval} weeks"
    until = f", until {row.until.isoformat()}" if row.until else ""
    return f"{every} on {WEEKDAY_NAMES[wall.weekday()]} at {wall:%H:%M} ({row.timezone}){until}"


def schedule_view(row: ChatScheduleRow, series_tag: str) -> ScheduleView:
    """The view of a schedule row."""
    return ScheduleView(
        id=row.id,
        series_tag=series_tag,
        title=row.title,
        timezone=row.timezone,
        wall_start=_wall(row.wall_start),
        duration_minutes=row.duration_minutes,
        every_weeks=row.interval,
        until=row.until,
        stopped=row.stopped_at is not None,
        summary=describe(row),
    )


def _domain_schedule(row: ChatScheduleRow) -> SeriesSchedule:
    return SeriesSchedule(
        timezone=row.timezone,
        first_start=_wall(row.wall_start),
        duration_minutes=row.duration_minutes,
        recurrence=Recurrence(freq="weekly", interval=row.interval, until=row.until),
    )


def check_duration(minutes: int) -> int:
    """A chat's length in minutes, 1 to a week."""
    if not 1 <= minutes <= MAX_DURATION_MINUTES:
        raise InvalidInputError(f"duration_minutes must be between 1 and {MAX_DURATION_MINUTES}")
    return minutes


def local_wall_time(start: datetime, timezone: str) -> datetime:
    """`start` as naive wall time in `timezone` (an aware value is converted), on a minute."""
    if start.tzinfo is not None and start.utcoffset() is not None:
        start = check_aware(start, "first_start").astimezone(load_zone(timezone))
    wall = start.replace(tzinfo=None)
    if wall.second or wall.microsecond:
        raise InvalidInputError(f"first_start {wall.isoformat()} is not on a whole minute")
    return wall


def _new_chat(
    session: Session,
    series_id: int,
    title: str,
    start: datetime,
    minutes: int,
    by: int | None,
    now: datetime,
) -> ChatRow:
    chat = ChatRow(
        series_id=series_id,
        title=title,
        starts_at=start,
        duration_minutes=minutes,
        cadence=None,
        state=ChatState.SCHEDULED.value,
        created_by_id=by,
        created_at=now,
    )
    session.add(chat)
    session.flush()
    return chat


def _missing_dates(row: ChatScheduleRow, made: set[datetime], now: datetime) -> list[datetime]:
    """The schedule's next dates (AHEAD_COUNT, within AHEAD_DAYS) that have no row yet."""
    if row.stopped_at is not None:
        return []
    horizon = now + timedelta(days=AHEAD_DAYS)
    return [
        start
        for start in occurrences(_domain_schedule(row), after=now, limit=AHEAD_COUNT)
        if start <= horizon and start not in made
    ]


def _made_dates(session: Session, schedule_id: int, now: datetime) -> set[datetime]:
    return set(
        session.scalars(
            sa.select(ScheduleOccurrence.occurrence_start).where(
                ScheduleOccurrence.schedule_id == schedule_id,
                ScheduleOccurrence.occurrence_start >= now,
            )
        )
    )


def _top_up(session: Session, row: ChatScheduleRow, now: datetime) -> list[ChatRow]:
    """Make the chats of the schedule's next dates that are not made (or skipped) yet."""
    created: list[ChatRow] = []
    for start in _missing_dates(row, _made_dates(session, row.id, now), now):
        chat = _new_chat(
            session, row.series_id, row.title, start, row.duration_minutes, row.created_by_id, now
        )
        session.add(ScheduleOccurrence(schedule_id=row.id, occurrence_start=start, chat_id=chat.id))
        created.append(chat)
    session.flush()
    return created


def do_create_schedule(
    ctx: AppContext,
    actor: UserView,
    tag: str,
    *,
    title: str,
    first_start: datetime,
    timezone: str | None = None,
    duration_minutes: int = 60,
    every_weeks: int = 1,
    until: date | None = None,
) -> Scheduled:
    """A recurring schedule: every `every_weeks` weeks on `first_start`'s weekday at its wall
    time in `timezone` (default: the series' zone), until the local date `until` (inclusive;
    None: for ever). Its next chats are made at once (AHEAD_COUNT, within AHEAD_DAYS)."""
    cleaned_title = check_text(title, "title", 200)
    check_duration(duration_minutes)
    now = ctx.now()
    with ctx.store.write() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.SCHEDULE_CHATS)
        zone = check_timezone(timezone) if timezone else series.timezone
        wall = local_wall_time(first_start, zone)
        row = ChatScheduleRow(
            series_id=series.id,
            title=cleaned_title,
            timezone=zone,
            wall_start=wall.isoformat(timespec="minutes"),
            duration_minutes=duration_minutes,
            freq="weekly",
            interval=every_weeks,
            nth=None,
            until=until,
            created_by_id=actor.id,
            created_at=now,
        )
        try:
            schedule = _domain_schedule(row)
        except ScheduleError as error:
            raise InvalidInputError(str(error)) from None
        if not occurrences(schedule, after=now, limit=1):
            raise InvalidInputError("the schedule has no dates after now; check until")
        session.add(row)
        session.flush()
        created = _top_up(session, row, now)
        view = schedule_view(row, series.tag)
        chats = tuple(read_chat(session, chat.id) for chat in created)
    return Scheduled(view, chats)


def do_schedule_chat(
    ctx: AppContext,
    actor: UserView,
    tag: str,
    *,
    title: str,
    starts_at: datetime,
    duration_minutes: int = 60,
    questions: Sequence[str] = (),
) -> Scheduled:
    """One chat at the aware `starts_at` (in the future); questions may come later (the host
    console), but a chat starts with at least one."""
    cleaned_title = check_text(title, "title", 200)
    check_duration(duration_minutes)
    start = check_aware(starts_at, "starts_at").astimezone(UTC)
    if len(questions) > MAX_QUESTIONS:
        raise InvalidInputError(f"a chat has at most {MAX_QUESTIONS} questions")
    texts = [check_text(q, f"question {n}", 2000) for n, q in enumerate(questions, start=1)]
    now = ctx.now()
    if start <= now:
        raise InvalidInputError("starts_at must be in the future")
    with ctx.store.write() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.SCHEDULE_CHATS)
        chat = _new_chat(session, series.id, cleaned_title, start, duration_minutes, actor.id, now)
        session.add_all(
            QuestionRow(chat_id=chat.id, number=n, text=t) for n, t in enumerate(texts, 1)
        )
        session.flush()
        return Scheduled(None, (read_chat(session, chat.id),))


def list_schedules(ctx: AppContext, tag: str) -> list[ScheduleView]:
    """The series' schedules, running ones first; 404 for an unknown series."""
    with ctx.store.read() as session:
        series = load_series(session, tag)
        rows = session.scalars(
            sa.select(ChatScheduleRow)
            .where(ChatScheduleRow.series_id == series.id)
            .order_by(ChatScheduleRow.stopped_at.is_not(None), ChatScheduleRow.id)
        ).all()
        return [schedule_view(row, series.tag) for row in rows]


def skipped_dates(ctx: AppContext, tag: str) -> list[tuple[ScheduleView, datetime]]:
    """The dates skipped in the series' schedules that are still ahead, earliest first."""
    now = ctx.now()
    with ctx.store.read() as session:
        series = load_series(session, tag)
        rows = session.execute(
            sa.select(ChatScheduleRow, ScheduleOccurrence.occurrence_start)
            .join(ScheduleOccurrence, ScheduleOccurrence.schedule_id == ChatScheduleRow.id)
            .where(
                ChatScheduleRow.series_id == series.id,
                ScheduleOccurrence.skipped_at.is_not(None),
                ScheduleOccurrence.occurrence_start >= now,
            )
            .order_by(ScheduleOccurrence.occurrence_start)
        ).all()
        return [(schedule_view(row, series.tag), start) for row, start in rows]


def do_stop_schedule(ctx: AppContext, actor: UserView, tag: str, schedule_id: int) -> ScheduleView:
    """Make no more chats from the schedule; the chats it made stay (skip them one by one)."""
    with ctx.store.write() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.SCHEDULE_CHATS)
        row = session.get(ChatScheduleRow, schedule_id)
        if row is None or row.series_id != series.id:
            raise NotFoundError(f"#{series.tag} has no schedule {schedule_id}")
        if row.stopped_at is None:
            row.stopped_at = ctx.now()
        return schedule_view(row, series.tag)


def _scheduled_chat(session: Session, actor: UserView, chat_id: int) -> ChatRow:
    chat = load_chat(session, chat_id)
    require(session, chat.series_id, actor, Mutation.RESCHEDULE_CHAT)
    if chat.state != ChatState.SCHEDULED.value:
        raise ConflictError(f"chat {chat_id} is {chat.state}; only a chat not yet started moves")
    return chat


def do_skip_chat(ctx: AppContext, actor: UserView, chat_id: int) -> ChatView:
    """Cancel a chat that has not started: it is removed with its questions; when a schedule
    made it, its date is kept as skipped so the schedule does not make it again. Returns the
    chat as it was."""
    now = ctx.now()
    with ctx.store.write() as session:
        chat = _scheduled_chat(session, actor, chat_id)
        view = read_chat(session, chat_id)
        posts = session.scalar(
            sa.select(sa.func.count(PostRow.id)).where(PostRow.chat_id == chat.id)
        )
        if posts:
            # Only imported posts can be here (typed ones wait for the start): never lose them.
            raise ConflictError(f"chat {chat_id} has {posts} posts; it cannot be skipped")
        session.execute(
            sa.update(ScheduleOccurrence)
            .where(ScheduleOccurrence.chat_id == chat.id)
            .values(chat_id=None, skipped_at=now)
        )
        session.delete(chat)
    return view


def do_move_chat(ctx: AppContext, actor: UserView, chat_id: int, starts_at: datetime) -> ChatView:
    """Move a chat that has not started to the aware `starts_at` (in the future); a chat a
    schedule made keeps its date in the schedule, so the schedule makes no second one."""
    start = check_aware(starts_at, "starts_at").astimezone(UTC)
    now = ctx.now()
    if start <= now:
        raise InvalidInputError("starts_at must be in the future")
    if start.second or start.microsecond:
        raise InvalidInputError(f"starts_at {start.isoformat()} is not on a whole minute")
    with ctx.store.write() as session:
        chat = _scheduled_chat(session, actor, chat_id)
        chat.starts_at = start
        session.flush()
        view = read_chat(session, chat_id)
        add_typed_event(session, chat.id, state_event(chat, starts_at=start), now)
    ctx.bus.publish(chat_id)
    return view


def wall_to_instant(wall: datetime, timezone: str) -> datetime:
    """The UTC instant of naive local `wall` in the zone (a wall time in a DST gap moves
    forward by the gap; one in a fold is the first), for forms that take local times."""
    try:
        return wall_time_to_utc(wall.replace(second=0, microsecond=0), load_zone(timezone))
    except (ScheduleError, OverflowError) as error:
        raise InvalidInputError(f"{wall.isoformat()}: {error}") from None


def do_top_up_schedules(ctx: AppContext) -> int:
    """Make the chats that came within reach of every running schedule; how many were made.

    One read finds the schedules missing a date (most rounds: none), and only those are
    written. Safe to run in several processes at once: a date made twice is refused by the
    unique (schedule, date) key, and that process leaves it to the other."""
    now = ctx.now()
    with ctx.store.read() as session:
        rows = session.scalars(
            sa.select(ChatScheduleRow).where(ChatScheduleRow.stopped_at.is_(None))
        ).all()
        made: dict[int, set[datetime]] = {row.id: set() for row in rows}
        for schedule_id, start in session.execute(
            sa.select(ScheduleOccurrence.schedule_id, ScheduleOccurrence.occurrence_start)
            .join(ChatScheduleRow, ChatScheduleRow.id == ScheduleOccurrence.schedule_id)
            .where(
                ChatScheduleRow.stopped_at.is_(None),
                ScheduleOccurrence.occurrence_start >= now,
            )
        ):
            made.setdefault(schedule_id, set()).add(start)
        due = [row.id for row in rows if _missing_dates(row, made.get(row.id, set()), now)]
    created = 0
    for schedule_id in due:
        try:
            with ctx.store.write() as session:
                row = session.get(ChatScheduleRow, schedule_id)
                if row is not None:
                    created += len(_top_up(session, row, now))
        except sa.exc.IntegrityError:
            continue
    return created


async def run_forever(ctx: AppContext) -> None:
    """Top up the schedules every TOP_UP_SECONDS (in a worker thread), from start-up on."""
    round_: asyncio.Future[int] | None = None
    try:
        while True:
            round_ = asyncio.ensure_future(asyncio.to_thread(do_top_up_schedules, ctx))
            try:
                await asyncio.shield(round_)
            except Exception:
                logger.exception("schedule top-up failed")  # the next round retries
            await asyncio.sleep(TOP_UP_SECONDS)
    finally:
        # A thread cannot be cancelled: let the round in flight finish before the store closes.
        if round_ is not None:
            await asyncio.wait({round_})
