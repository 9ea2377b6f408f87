"""The cadence runner: a chat's plan kept in the database and carried out on time.

When a chat starts, its plan (welcome, how-to, each question, the end of the live hour) is
stored as `cadence_items` rows in state `pending`. `run_due(now)` carries out what is due;
each item moves pending -> done through `UPDATE … WHERE state = 'pending'`, and a question is
marked asked through `UPDATE … WHERE asked_at IS NULL`, so two runners, a restart or a host
pressing "next question" at the same moment never post anything twice. "Next question now"
posts the next pending question at once; the rest of the plan keeps its times (the hour's
shape and its end do not move).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions.context import AppContext
from hashchat.actions.errors import ConflictError, InvalidInputError
from hashchat.actions.lifecycle import DONE, PENDING, move_chat
from hashchat.actions.posts import NewPost, store_post
from hashchat.actions.segments import refresh_chat_segments
from hashchat.actions.views import QuestionView, question_view
from hashchat.domain.chat import ChatState
from hashchat.domain.compose import howto_text, welcome_text
from hashchat.domain.events import QuestionEvent
from hashchat.domain.schedule import Cadence, ScheduleError, plan_cadence
from hashchat.store.events import add_typed_event
from hashchat.store.locks import RunnerLocks, runner_locks
from hashchat.store.models import CadenceItem, ChatRow, QuestionRow, SeriesRow, User

logger = logging.getLogger(__name__)


def store_plan(
    session: Session, chat: ChatRow, start: datetime, question_count: int, cadence: Cadence
) -> None:
    """Write the chat's plan from `start` as pending items."""
    try:
        plan = plan_cadence(start, chat.duration_minutes, question_count, cadence)
    except ScheduleError as error:
        raise InvalidInputError(str(error)) from None
    session.add_all(
        CadenceItem(
            chat_id=chat.id,
            position=position,
            kind=item.kind,
            question_number=item.question,
            due_at=item.at,
            state=PENDING,
        )
        for position, item in enumerate(plan)
    )
    session.flush()


def _claim(session: Session, item_id: int, now: datetime) -> bool:
    """Move one item from pending to done; False when someone else got there first."""
    claimed = session.execute(
        sa.update(CadenceItem)
        .where(CadenceItem.id == item_id, CadenceItem.state == PENDING)
        .values(state=DONE, done_at=now)
    )
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]


def _ask(session: Session, chat: ChatRow, number: int, now: datetime) -> QuestionView | None:
    """Mark question `number` asked and write its event; None when it was asked already."""
    asked = session.execute(
        sa.update(QuestionRow)
        .where(
            QuestionRow.chat_id == chat.id,
            QuestionRow.number == number,
            QuestionRow.asked_at.is_(None),
        )
        .values(asked_at=now)
    )
    if asked.rowcount != 1:  # type: ignore[attr-defined]
        return None
    row = session.scalar(
        sa.select(QuestionRow).where(QuestionRow.chat_id == chat.id, QuestionRow.number == number)
    )
    if row is None:
        return None
    session.refresh(row)
    refresh_chat_segments(session, chat, since=now)  # posts of this very moment answer it
    view = question_view(row)
    add_typed_event(session, chat.id, QuestionEvent(view), now)
    return view


def closing_text(tag: str) -> str:
    """The host's closing post: thanks, and where late answers and the recap go."""
    return (
        f"That's our last question: thank you all! Late answers stay open here, tagged A1, A2… "
        f"with #{tag}, and the recap follows when comments close."
    )


def _host_post(session: Session, chat: ChatRow, kind: str, now: datetime) -> None:
    series = session.get(SeriesRow, chat.series_id)
    host = session.get(User, chat.created_by_id) if chat.created_by_id else None
    if series is None or host is None:
        return  # the host's account is gone; the plan goes on without her greetings
    if kind == "welcome":
        count = session.scalar(
            sa.select(sa.func.count(QuestionRow.id)).where(QuestionRow.chat_id == chat.id)
        )
        text = welcome_text(series.tag, chat.title, count or 0)
    elif kind == "closing":
        text = closing_text(series.tag)
    else:
        text = howto_text(series.tag)
    store_post(session, chat, NewPost(host, text), now, is_host=True)


def _carry_out(session: Session, item: CadenceItem, now: datetime) -> None:
    chat = session.get(ChatRow, item.chat_id)
    if chat is None or chat.state != ChatState.LIVE.value:
        return
    if not _claim(session, item.id, now):
        return
    if item.kind == "question" and item.question_number is not None:
        _ask(session, chat, item.question_number, now)
    elif item.kind in ("welcome", "howto", "closing"):
        _host_post(session, chat, item.kind, now)
    elif item.kind == "close":
        move_chat(session, chat, ChatState.LATE_ANSWERS, now)


def post_next_question(session: Session, chat: ChatRow, now: datetime) -> QuestionView:
    """Post the lowest-numbered question not yet asked, now; 409 when all are asked."""
    item = session.scalar(
        sa.select(CadenceItem)
        .where(
            CadenceItem.chat_id == chat.id,
            CadenceItem.kind == "question",
            CadenceItem.state == PENDING,
        )
        .order_by(CadenceItem.question_number)
        .limit(1)
    )
    if item is None or item.question_number is None or not _claim(session, item.id, now):
        raise ConflictError("every question of this chat has been posted")
    view = _ask(session, chat, item.question_number, now)
    if view is None:
        raise ConflictError(f"question {item.question_number} was posted already")
    return view


def _active_chats(session: Session, chat_id: int | None) -> list[int]:
    """Chats whose cadence has work left: live with pending items, or with a close time."""
    live = (
        sa.select(CadenceItem.chat_id)
        .join(ChatRow, ChatRow.id == CadenceItem.chat_id)
        .where(CadenceItem.state == PENDING, ChatRow.state == ChatState.LIVE.value)
    )
    closing = sa.select(ChatRow.id).where(
        ChatRow.state == ChatState.LATE_ANSWERS.value, ChatRow.comments_close_at.is_not(None)
    )
    if chat_id is not None:
        live = live.where(CadenceItem.chat_id == chat_id)
        closing = closing.where(ChatRow.id == chat_id)
    return sorted(set(session.scalars(live.distinct())) | set(session.scalars(closing)))


def run_due(
    ctx: AppContext, now: datetime, chat_id: int | None = None, *, runner: RunnerLocks | None = None
) -> int:
    """Carry out every plan item due at `now` (of one chat, or all), oldest first, and close
    the comments of chats whose `comments_close_at` has passed. Returns how many it did.

    With `runner`, only the chats whose runner lock this process holds (or takes now) are
    run, so that of several processes on one PostgreSQL database exactly one runs each chat.
    """
    with ctx.store.read() as session:
        mine: frozenset[int] | None = None
        if runner is not None:
            mine = runner.hold(_active_chats(session, chat_id))
        query = (
            sa.select(CadenceItem.id, CadenceItem.chat_id)
            .join(ChatRow, ChatRow.id == CadenceItem.chat_id)
            .where(
                CadenceItem.state == PENDING,
                CadenceItem.due_at <= now,
                ChatRow.state == ChatState.LIVE.value,
            )
            .order_by(CadenceItem.due_at, CadenceItem.position)
        )
        closing = sa.select(ChatRow.id).where(
            ChatRow.state == ChatState.LATE_ANSWERS.value, ChatRow.comments_close_at <= now
        )
        if chat_id is not None:
            query = query.where(CadenceItem.chat_id == chat_id)
            closing = closing.where(ChatRow.id == chat_id)
        if mine is not None:
            query = query.where(CadenceItem.chat_id.in_(mine))
            closing = closing.where(ChatRow.id.in_(mine))
        due = session.execute(query).all()
        to_close = session.scalars(closing).all()
    done = 0
    for item_id, item_chat_id in due:
        with ctx.store.write() as session:
            item = session.get(CadenceItem, item_id)
            if item is not None and item.state == PENDING:
                _carry_out(session, item, now)
                done += 1
        ctx.bus.publish(item_chat_id)
    for closing_id in to_close:
        with ctx.store.write() as session:
            chat = session.get(ChatRow, closing_id)
            if chat is not None and chat.state == ChatState.LATE_ANSWERS.value:
                move_chat(session, chat, ChatState.CLOSED, now)
                done += 1
        ctx.bus.publish(closing_id)
    return done


async def run_forever(ctx: AppContext) -> None:
    """Tick every `cadence_tick_seconds`: carry out what is due (in a worker thread).

    On PostgreSQL the chats run here are those whose runner lock this process holds (see
    `hashchat.store.locks`); on SQLite the one server process runs them all.
    """
    runner = runner_locks(ctx.store.engine)
    tick: asyncio.Future[int] | None = None
    try:
        while True:
            tick = asyncio.ensure_future(asyncio.to_thread(run_due, ctx, ctx.now(), runner=runner))
            try:
                await asyncio.shield(tick)
            except Exception:
                # One bad tick must not stop the chat's plan; the next tick retries.
                logger.exception("cadence tick failed")
            await asyncio.sleep(ctx.settings.cadence_tick_seconds)
    finally:
        # A thread cannot be cancelled: when we are, let the tick in flight finish before the
        # locks close (and the caller disposes of the store), or its connection is left open.
        if tick is not None:
            await asyncio.wait({tick})
            if not tick.cancelled() and tick.exception() is not None:
                logger.warning("the last cadence tick failed", exc_info=tick.exception())
        await asyncio.to_thread(runner.close)
