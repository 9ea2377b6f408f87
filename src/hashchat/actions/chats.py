"""Chats: create one with its questions, read it and its plan, frame it (topic, cadence) before
it starts, edit questions not yet posted, and move it through its life (start, end the live
hour with a closing time for comments, move that time, close comments)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions import cadence as cadence_runner
from hashchat.actions.access import load_chat, load_series, require
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ConflictError, InvalidInputError, NotFoundError
from hashchat.actions.lifecycle import COMMENTS_OPEN_AFTER_END, move_chat, state_event
from hashchat.actions.permissions import Mutation
from hashchat.actions.validation import check_aware, check_text
from hashchat.actions.views import (
    ChatView,
    QuestionView,
    SeriesView,
    UserView,
    chat_view,
    question_view,
    series_view,
)
from hashchat.domain.chat import ChatState
from hashchat.domain.events import QuestionEvent, ResyncEvent
from hashchat.domain.schedule import DEFAULT_CADENCE, Cadence, ScheduleError, plan_cadence
from hashchat.store.events import add_typed_event
from hashchat.store.models import CadenceItem, ChatRow, QuestionRow, SeriesRow

MAX_QUESTIONS = 50
MAX_DURATION_MINUTES = 7 * 24 * 60  # a slow chat runs one question a day for a week
MAX_TOPIC_CHARACTERS = 20_000  # a blog post's worth


def cadence_from_json(text: str | None) -> Cadence:
    """The chat's stored cadence (None: the usual hour)."""
    return DEFAULT_CADENCE if text is None else Cadence(**json.loads(text))


def cadence_to_json(cadence: Cadence) -> str | None:
    """The stored form of a cadence: only what differs from the usual hour (None: nothing)."""
    usual = asdict(DEFAULT_CADENCE)
    changed = {key: value for key, value in asdict(cadence).items() if usual[key] != value}
    return json.dumps(changed, separators=(",", ":")) if changed else None


def check_cadence(values: dict[str, Any] | None) -> Cadence | None:
    """A Cadence from API fields, or InvalidInputError naming the bad field."""
    if values is None:
        return None
    known = {f.name for f in fields(Cadence)}
    unknown = set(values) - known
    if unknown:
        raise InvalidInputError(f"unknown cadence fields: {', '.join(sorted(unknown))}")
    try:
        return Cadence(**values)
    except (ScheduleError, TypeError) as error:
        raise InvalidInputError(f"cadence: {error}") from None


def do_create_chat(
    ctx: AppContext,
    actor: UserView,
    tag: str,
    title: str,
    starts_at: datetime,
    duration_minutes: int,
    questions: list[str],
    cadence: Cadence | None = None,
) -> ChatView:
    """Schedule a chat in the series; the cadence must fit its questions in its duration."""
    cleaned_title = check_text(title, "title", 200)
    check_aware(starts_at, "starts_at")
    if not 1 <= duration_minutes <= MAX_DURATION_MINUTES:
        raise InvalidInputError(f"duration_minutes must be between 1 and {MAX_DURATION_MINUTES}")
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        raise InvalidInputError(f"a chat needs 1 to {MAX_QUESTIONS} questions")
    texts = [check_text(q, f"question {n}", 2000) for n, q in enumerate(questions, start=1)]
    try:
        plan_cadence(starts_at, duration_minutes, len(texts), cadence or DEFAULT_CADENCE)
    except ScheduleError as error:
        raise InvalidInputError(str(error)) from None
    with ctx.store.write() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.CREATE_CHAT)
        chat = ChatRow(
            series_id=series.id,
            title=cleaned_title,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            cadence=None if cadence is None else cadence_to_json(cadence),
            state=ChatState.SCHEDULED.value,
            created_by_id=actor.id,
            created_at=ctx.now(),
        )
        session.add(chat)
        session.flush()
        rows = [QuestionRow(chat_id=chat.id, number=n, text=t) for n, t in enumerate(texts, 1)]
        session.add_all(rows)
        session.flush()
        return chat_view(chat, series.tag, rows)


def read_chat(session: Session, chat_id: int) -> ChatView:
    """The view of a chat inside an open session; 404 when unknown."""
    chat = load_chat(session, chat_id)
    tag = session.scalar(sa.select(SeriesRow.tag).where(SeriesRow.id == chat.series_id))
    questions = list(session.scalars(sa.select(QuestionRow).where(QuestionRow.chat_id == chat.id)))
    return chat_view(chat, tag or "", questions)


def get_chat(ctx: AppContext, chat_id: int) -> ChatView:
    """A chat with its questions; 404 when unknown."""
    with ctx.store.read() as session:
        return read_chat(session, chat_id)


def get_chat_in_series(ctx: AppContext, chat_id: int) -> tuple[ChatView, SeriesView]:
    """A chat with its questions, and its series (for a page that shows both); 404 when the
    chat is unknown."""
    with ctx.store.read() as session:
        chat = read_chat(session, chat_id)
        series = session.get(SeriesRow, load_chat(session, chat_id).series_id)
        assert series is not None
        return chat, series_view(series)


def do_start_chat(ctx: AppContext, actor: UserView, chat_id: int) -> ChatView:
    """Go live now: store the cadence plan from this moment and post what is due at once."""
    now = ctx.now()
    with ctx.store.write() as session:
        chat = load_chat(session, chat_id)
        require(session, chat.series_id, actor, Mutation.START_CHAT)
        move_chat(session, chat, ChatState.LIVE, now)
        question_count = session.scalar(
            sa.select(sa.func.count(QuestionRow.id)).where(QuestionRow.chat_id == chat.id)
        )
        cadence_runner.store_plan(
            session, chat, now, question_count or 0, cadence_from_json(chat.cadence)
        )
    ctx.bus.publish(chat_id)
    cadence_runner.run_due(ctx, now, chat_id=chat_id)
    return get_chat(ctx, chat_id)


def do_next_question(ctx: AppContext, actor: UserView, chat_id: int) -> QuestionView:
    """Post the next question now; the rest of the plan keeps its times."""
    now = ctx.now()
    with ctx.store.write() as session:
        chat = load_chat(session, chat_id)
        require(session, chat.series_id, actor, Mutation.NEXT_QUESTION)
        if chat.state != ChatState.LIVE.value:
            raise ConflictError(f"the chat is {chat.state}; questions are posted while it is live")
        question = cadence_runner.post_next_question(session, chat, now)
    ctx.bus.publish(chat_id)
    return question


def do_end_chat(
    ctx: AppContext, actor: UserView, chat_id: int, comments_close_at: datetime | None = None
) -> ChatView:
    """End the live hour; late answers stay open until `comments_close_at` (default: 24 hours
    from now), when the cadence runner closes comments by itself."""
    now = ctx.now()
    if comments_close_at is None:
        comments_close_at = now + COMMENTS_OPEN_AFTER_END
    elif check_aware(comments_close_at, "comments_close_at") <= now:
        raise InvalidInputError("comments_close_at must be in the future")
    with ctx.store.write() as session:
        chat = load_chat(session, chat_id)
        require(session, chat.series_id, actor, Mutation.END_CHAT)
        chat.comments_close_at = comments_close_at
        move_chat(session, chat, ChatState.LATE_ANSWERS, now)
        view = read_chat(session, chat_id)
    ctx.bus.publish(chat_id)
    return view


def do_close_chat(ctx: AppContext, actor: UserView, chat_id: int) -> ChatView:
    """Close comments: the chat becomes read-only."""
    now = ctx.now()
    with ctx.store.write() as session:
        chat = load_chat(session, chat_id)
        require(session, chat.series_id, actor, Mutation.CLOSE_CHAT)
        move_chat(session, chat, ChatState.CLOSED, now)
        view = read_chat(session, chat_id)
    ctx.bus.publish(chat_id)
    return view


def do_edit_question(
    ctx: AppContext, actor: UserView, chat_id: int, number: int, text: str
) -> QuestionView:
    """Change the text of a question that has not been posted yet (409 once it has)."""
    cleaned = check_text(text, f"question {number}", 2000)
    now = ctx.now()
    with ctx.store.write() as session:
        chat = load_chat(session, chat_id)
        require(session, chat.series_id, actor, Mutation.EDIT_QUESTION)
        if chat.state == ChatState.CLOSED.value:
            raise ConflictError("the chat is closed")
        question = session.scalar(
            sa.select(QuestionRow).where(
                QuestionRow.chat_id == chat_id, QuestionRow.number == number
            )
        )
        if question is None:
            raise NotFoundError(f"chat {chat_id} has no question {number}")
        if question.asked_at is not None:
            raise ConflictError(f"question {number} was posted already and cannot change")
        question.text = cleaned
        view = question_view(question)
        add_typed_event(session, chat_id, QuestionEvent(view), now)
    ctx.bus.publish(chat_id)
    return view


def do_move_comments_close(
    ctx: AppContext, actor: UserView, chat_id: int, comments_close_at: datetime
) -> ChatView:
    """Move the time comments close, while late answers are open; it must be in the future.
    409 in any other state (the chat only moves forward)."""
    now = ctx.now()
    if check_aware(comments_close_at, "comments_close_at") <= now:
        raise InvalidInputError("comments_close_at must be in the future")
    with ctx.store.write() as session:
        chat = load_chat(session, chat_id)
        require(session, chat.series_id, actor, Mutation.END_CHAT)
        if chat.state != ChatState.LATE_ANSWERS.value:
            raise ConflictError(
                f"the chat is {chat.state.replace('_', ' ')}; the closing time can move only "
                "while late answers are open"
            )
        chat.comments_close_at = comments_close_at
        session.flush()
        add_typed_event(session, chat.id, state_event(chat), now)
        view = read_chat(session, chat_id)
    ctx.bus.publish(chat_id)
    return view


def do_edit_chat(
    ctx: AppContext,
    actor: UserView,
    chat_id: int,
    *,
    topic: str | None = None,
    cadence: Cadence | None = None,
    duration_minutes: int | None = None,
) -> ChatView:
    """Change a chat's framing before it starts: its topic, its cadence and how long it is
    live (a slow chat: days). What is not given stays. 409 once the chat has started."""
    cleaned_topic = None
    if topic is not None:  # an empty topic clears it
        cleaned_topic = (
            check_text(topic, "topic", MAX_TOPIC_CHARACTERS, multiline=True)
            if topic.strip()
            else ""
        )
    if duration_minutes is not None and not 1 <= duration_minutes <= MAX_DURATION_MINUTES:
        raise InvalidInputError(f"duration_minutes must be between 1 and {MAX_DURATION_MINUTES}")
    now = ctx.now()
    with ctx.store.write() as session:
        chat = load_chat(session, chat_id)
        require(session, chat.series_id, actor, Mutation.EDIT_CHAT)
        check_not_started(chat)
        if cleaned_topic is not None:
            chat.topic = cleaned_topic
        if cadence is not None or duration_minutes is not None:
            wanted = cadence or cadence_from_json(chat.cadence)
            duration = duration_minutes or chat.duration_minutes
            # a chat whose questions are not written yet is checked as if it had one
            questions = max(question_count(session, chat.id), 1)
            check_plan_fits(chat.starts_at, duration, questions, wanted)
            chat.cadence = cadence_to_json(wanted)
            chat.duration_minutes = duration
        session.flush()
        add_typed_event(session, chat.id, ResyncEvent(chat.id, "plan"), now)
        view = read_chat(session, chat_id)
    ctx.bus.publish(chat_id)
    return view


def check_not_started(chat: ChatRow) -> None:
    """409 unless the chat is still scheduled: its framing and plan are fixed once it starts."""
    if chat.state != ChatState.SCHEDULED.value:
        raise ConflictError(
            f"the chat is {chat.state.replace('_', ' ')}; its topic, cadence and questions can "
            "change only before it starts (a question not yet posted can still be reworded)"
        )


def check_plan_fits(start: datetime, duration: int, questions: int, cadence: Cadence) -> None:
    """400 naming the problem when the questions do not fit the cadence and duration."""
    try:
        plan_cadence(start, duration, questions, cadence)
    except ScheduleError as error:
        raise InvalidInputError(str(error)) from None


def question_count(session: Session, chat_id: int) -> int:
    """How many questions a chat has."""
    count = session.scalar(
        sa.select(sa.func.count(QuestionRow.id)).where(QuestionRow.chat_id == chat_id)
    )
    return int(count or 0)


@dataclass(frozen=True, slots=True)
class PlanItemView:
    """One step of a chat's plan and what happened to it: `preview` before the chat starts,
    then `pending`, `done` (at `done_at`) or `skipped` (the live hour ended first)."""

    kind: str  # welcome, howto, question, closing, close
    question: int | None
    due_at: datetime
    state: str
    done_at: datetime | None


def chat_plan(ctx: AppContext, chat_id: int) -> list[PlanItemView]:
    """The chat's plan: the stored one once it has started, else a preview from its scheduled
    start, cadence and questions (empty when they do not fit)."""
    with ctx.store.read() as session:
        chat = load_chat(session, chat_id)
        items = session.scalars(
            sa.select(CadenceItem)
            .where(CadenceItem.chat_id == chat.id)
            .order_by(CadenceItem.due_at, CadenceItem.position)
        ).all()
        if items or chat.state != ChatState.SCHEDULED.value:
            return [
                PlanItemView(i.kind, i.question_number, i.due_at, i.state, i.done_at) for i in items
            ]
        count = question_count(session, chat.id)
    try:
        preview = plan_cadence(
            chat.starts_at, chat.duration_minutes, max(count, 1), cadence_from_json(chat.cadence)
        )
    except ScheduleError:
        return []
    return [PlanItemView(p.kind, p.question, p.at, "preview", None) for p in preview]
