"""A chat's list of questions before it starts: add, remove, reorder.

Once a chat starts its plan is stored with one item per question number, and asked questions
are part of the transcript: from then on only the words of a question not yet posted change
(`actions.chats.do_edit_question`). Before the start nothing has been asked, so the list is
free; numbers always run 1..n in order.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions.access import load_chat, require
from hashchat.actions.chats import (
    MAX_QUESTIONS,
    cadence_from_json,
    check_not_started,
    check_plan_fits,
    read_chat,
)
from hashchat.actions.context import AppContext
from hashchat.actions.errors import InvalidInputError, NotFoundError
from hashchat.actions.permissions import Mutation
from hashchat.actions.validation import check_text
from hashchat.actions.views import ChatView, UserView
from hashchat.domain.events import ResyncEvent
from hashchat.store.events import add_typed_event
from hashchat.store.models import ChatRow, QuestionRow

MAX_QUESTION_CHARACTERS = 2000
_Change = Callable[[list[str]], list[str]]  # the question texts in order -> the new ones


def _questions(session: Session, chat_id: int) -> list[QuestionRow]:
    return list(
        session.scalars(
            sa.select(QuestionRow)
            .where(QuestionRow.chat_id == chat_id)
            .order_by(QuestionRow.number)
        )
    )


def _rewrite(session: Session, chat: ChatRow, rows: list[QuestionRow], texts: list[str]) -> None:
    """Make the chat's questions `texts`, numbered 1..n, reusing rows by number (a number's row
    keeps its id, so no unique (chat, number) pair is ever taken twice mid-statement)."""
    for row, text in zip(rows, texts, strict=False):
        row.text = text
    for row in rows[len(texts) :]:
        session.delete(row)
    session.add_all(
        QuestionRow(chat_id=chat.id, number=number, text=text)
        for number, text in enumerate(texts[len(rows) :], start=len(rows) + 1)
    )
    session.flush()


def _change(
    ctx: AppContext,
    actor: UserView,
    chat_id: int,
    change: _Change,
) -> ChatView:
    now = ctx.now()
    with ctx.store.write() as session:
        chat = load_chat(session, chat_id)
        require(session, chat.series_id, actor, Mutation.EDIT_CHAT)
        check_not_started(chat)
        rows = _questions(session, chat.id)
        texts = change([row.text for row in rows])
        if not 1 <= len(texts) <= MAX_QUESTIONS:
            raise InvalidInputError(f"a chat needs 1 to {MAX_QUESTIONS} questions")
        if len(texts) > len(rows):
            cadence = cadence_from_json(chat.cadence)
            check_plan_fits(chat.starts_at, chat.duration_minutes, len(texts), cadence)
        _rewrite(session, chat, rows, texts)
        # Open rooms and consoles reload the upcoming chat (its questions may be shown early).
        add_typed_event(session, chat.id, ResyncEvent(chat.id, "plan"), now)
        view = read_chat(session, chat.id)
    ctx.bus.publish(chat_id)
    return view


def _check_number(number: int, texts: list[str]) -> int:
    if not 1 <= number <= len(texts):
        raise NotFoundError(f"there is no question {number} (the chat has {len(texts)})")
    return number


def do_add_question(
    ctx: AppContext, actor: UserView, chat_id: int, text: str, position: int | None = None
) -> ChatView:
    """Add a question at `position` (1-based; default: last), before the chat starts. 400 when
    the questions would no longer fit the cadence and duration."""
    cleaned = check_text(text, "question", MAX_QUESTION_CHARACTERS, multiline=True)

    def add(texts: list[str]) -> list[str]:
        at = len(texts) + 1 if position is None else position
        if not 1 <= at <= len(texts) + 1:
            raise InvalidInputError(f"position must be between 1 and {len(texts) + 1}")
        return [*texts[: at - 1], cleaned, *texts[at - 1 :]]

    return _change(ctx, actor, chat_id, add)


def do_remove_question(ctx: AppContext, actor: UserView, chat_id: int, number: int) -> ChatView:
    """Remove question `number` before the chat starts; the later ones move up. A chat keeps
    at least one question (400)."""

    def remove(texts: list[str]) -> list[str]:
        _check_number(number, texts)
        return [text for index, text in enumerate(texts, start=1) if index != number]

    return _change(ctx, actor, chat_id, remove)


def do_reorder_questions(
    ctx: AppContext, actor: UserView, chat_id: int, order: list[int]
) -> ChatView:
    """Put the questions in `order`, the current numbers in their new order (each once)."""

    def reorder(texts: list[str]) -> list[str]:
        if sorted(order) != list(range(1, len(texts) + 1)):
            raise InvalidInputError(
                f"order must name each of the questions 1 to {len(texts)} exactly once"
            )
        return [texts[number - 1] for number in order]

    return _change(ctx, actor, chat_id, reorder)


def do_move_question(
    ctx: AppContext, actor: UserView, chat_id: int, number: int, to: int
) -> ChatView:
    """Move question `number` to position `to` (the console's up and down buttons)."""

    def move(texts: list[str]) -> list[str]:
        _check_number(number, texts)
        _check_number(to, texts)
        rest = [text for index, text in enumerate(texts, start=1) if index != number]
        return [*rest[: to - 1], texts[number - 1], *rest[to - 1 :]]

    return _change(ctx, actor, chat_id, move)
