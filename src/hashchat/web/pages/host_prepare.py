"""The console's preparation forms, before the chat starts: its topic, its cadence (with a
slow chat's beat in hours or days), and its questions (add, move, remove). Rewording a
question not yet posted stays possible while the chat is live."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from hashchat.actions.chats import do_edit_chat, do_edit_question
from hashchat.actions.errors import InvalidInputError
from hashchat.actions.questions import do_add_question, do_move_question, do_remove_question
from hashchat.actions.views import UserView
from hashchat.domain.schedule import Cadence, ScheduleError
from hashchat.web.api.schemas import ChatId, QuestionNumber
from hashchat.web.pages.common import context_of
from hashchat.web.pages.host import CSRF, run_action

router = APIRouter()
UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 24 * 60}


def _whole(text: str, what: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise InvalidInputError(f"{what}: '{text}' is not a whole number") from None
    if not 0 <= value <= 100_000:
        raise InvalidInputError(f"{what} must be between 0 and 100000")
    return value


def _minutes(amount: str, unit: str, what: str) -> int:
    if unit not in UNIT_MINUTES:
        raise InvalidInputError(f"{what}: unknown unit '{unit}'")
    return _whole(amount, what) * UNIT_MINUTES[unit]


@router.post("/chats/{chat_id}/host/topic", dependencies=CSRF, response_model=None)
def edit_topic(request: Request, chat_id: ChatId, topic: Annotated[str, Form()] = "") -> Response:
    """Save the chat's topic (before it starts)."""
    ctx = context_of(request)

    def act(actor: UserView) -> object:
        return do_edit_chat(ctx, actor, chat_id, topic=topic)

    return run_action(request, chat_id, act, "topic")


@router.post("/chats/{chat_id}/host/cadence", dependencies=CSRF, response_model=None)
def edit_cadence(
    request: Request,
    chat_id: ChatId,
    howto_minute: Annotated[str, Form()] = "5",
    first_question_minute: Annotated[str, Form()] = "6",
    interval: Annotated[str, Form()] = "9",
    interval_unit: Annotated[str, Form()] = "minutes",
    closing_minute: Annotated[str, Form()] = "",
    duration: Annotated[str, Form()] = "60",
    duration_unit: Annotated[str, Form()] = "minutes",
) -> Response:
    """Save the cadence and how long the chat is live (before it starts)."""
    ctx = context_of(request)

    def act(actor: UserView) -> object:
        try:
            cadence = Cadence(
                howto_minute=_whole(howto_minute, "how-to minute"),
                first_question_minute=_whole(first_question_minute, "Q1 minute"),
                question_interval_minutes=_minutes(interval, interval_unit, "interval"),
                closing_minute=(
                    _whole(closing_minute, "closing post minute")
                    if closing_minute.strip()
                    else None
                ),
            )
        except ScheduleError as error:
            raise InvalidInputError(str(error)) from None
        live = _minutes(duration, duration_unit, "live for")
        return do_edit_chat(ctx, actor, chat_id, cadence=cadence, duration_minutes=live)

    return run_action(request, chat_id, act, "cadence")


@router.post("/chats/{chat_id}/host/questions", dependencies=CSRF, response_model=None)
def add_question(request: Request, chat_id: ChatId, text: Annotated[str, Form()] = "") -> Response:
    """Add a question at the end (before the chat starts)."""
    ctx = context_of(request)
    return run_action(request, chat_id, lambda a: do_add_question(ctx, a, chat_id, text), "added")


@router.post("/chats/{chat_id}/host/questions/{number}", dependencies=CSRF, response_model=None)
def edit_question(
    request: Request, chat_id: ChatId, number: QuestionNumber, text: Annotated[str, Form()] = ""
) -> Response:
    """Reword a question that has not been posted yet."""
    ctx = context_of(request)
    return run_action(
        request, chat_id, lambda a: do_edit_question(ctx, a, chat_id, number, text), "edited"
    )


@router.post(
    "/chats/{chat_id}/host/questions/{number}/move", dependencies=CSRF, response_model=None
)
def move_question(
    request: Request, chat_id: ChatId, number: QuestionNumber, to: Annotated[str, Form()] = ""
) -> Response:
    """Move a question up or down (before the chat starts)."""
    ctx = context_of(request)

    def act(actor: UserView) -> object:
        return do_move_question(ctx, actor, chat_id, number, _whole(to, "position"))

    return run_action(request, chat_id, act, "reordered")


@router.post(
    "/chats/{chat_id}/host/questions/{number}/remove", dependencies=CSRF, response_model=None
)
def remove_question(request: Request, chat_id: ChatId, number: QuestionNumber) -> Response:
    """Remove a question (before the chat starts); the later ones move up."""
    ctx = context_of(request)
    return run_action(
        request, chat_id, lambda a: do_remove_question(ctx, a, chat_id, number), "removed"
    )
