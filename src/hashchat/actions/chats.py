"""Chats: create one with its questions, read it, edit questions not yet posted, and move it
through its life (start, end the live hour, close comments)."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions import cadence as cadence_runner
from hashchat.actions.access import load_chat, load_series, require
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ConflictError, InvalidInputError, NotFoundError
from hashchat.actions.lifecycle import move_chat
from hashchat.actions.permissions import Mutation
from hashchat.actions.validation import check_aware, check_text
from hashchat.actions.views import (
    ChatView,
    QuestionView,
    UserView,
    chat_view,
    question_view,
    to_json,
)
from hashchat.domain.chat import ChatState
from hashchat.domain.schedule import DEFAULT_CADENCE, Cadence, ScheduleError, plan_cadence
from hashchat.store.events import add_event
from hashchat.store.models import ChatRow, QuestionRow, SeriesRow

MAX_QUESTIONS = 50
MAX_DURATION_MINUTES = 7 * 24 * 60  # a slow chat runs one question a day for a week


def cadence_from_json(text: str | None) -> Cadence:
    """The chat's stored cadence (None: the usual hour)."""
    return DEFAULT_CADENCE if text is None else Cadence(**json.loads(text))


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
            cadence=None if cadence is None else json.dumps(asdict(cadence)),
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
    """End the live hour; late answers stay open until closed (or `comments_close_at`)."""
    now = ctx.now()
    if comments_close_at is not None and check_aware(comments_close_at, "comments_close_at") <= now:
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
        add_event(session, chat_id, "question", to_json(view), now)
    ctx.bus.publish(chat_id)
    return view
