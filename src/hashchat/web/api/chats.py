"""/chats/{id}: read a chat and its plan, frame it (topic, cadence) and write its questions
before it starts, run it (start, next question, end, move the closing time, close)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from hashchat.actions import chats, questions
from hashchat.actions.context import AppContext
from hashchat.actions.resume import newest_event_shown
from hashchat.actions.views import ChatView
from hashchat.web.api.schemas import (
    CHANGE_REFUSALS,
    READ_REFUSALS,
    ChatEdit,
    ChatId,
    ChatOut,
    CommentsCloseIn,
    EndIn,
    PlanItemOut,
    QuestionEdit,
    QuestionIn,
    QuestionNumber,
    QuestionOrder,
    QuestionOut,
)
from hashchat.web.auth import Actor
from hashchat.web.deps import Ctx

router = APIRouter(tags=["chats"])


def chat_out(ctx: AppContext, view: ChatView, resume_after: int | None = None) -> ChatOut:
    """The API shape of a chat, with the id a fresh event stream should resume after (read
    now unless the caller read it before the chat, see `newest_event_shown`)."""
    out = ChatOut.model_validate(view)
    out.last_event_id = newest_event_shown(ctx, view.id) if resume_after is None else resume_after
    return out


@router.get("/chats/{chat_id}", response_model=ChatOut, responses=READ_REFUSALS)
def read_chat(chat_id: ChatId, ctx: Ctx) -> ChatOut:
    """A chat with its questions and state."""
    resume_after = newest_event_shown(ctx, chat_id)  # before the chat: see newest_event_shown
    return chat_out(ctx, chats.get_chat(ctx, chat_id), resume_after)


@router.post("/chats/{chat_id}/start", response_model=ChatOut, responses=CHANGE_REFUSALS)
def start_chat(
    chat_id: ChatId,
    ctx: Ctx,
    actor: Actor,
) -> ChatOut:
    """Go live now; the cadence plan starts from this moment."""
    return chat_out(ctx, chats.do_start_chat(ctx, actor, chat_id))


@router.post(
    "/chats/{chat_id}/next-question", response_model=QuestionOut, responses=CHANGE_REFUSALS
)
def next_question(
    chat_id: ChatId,
    ctx: Ctx,
    actor: Actor,
) -> QuestionOut:
    """Post the next question now (the rest of the plan keeps its times)."""
    return QuestionOut.model_validate(chats.do_next_question(ctx, actor, chat_id))


@router.post("/chats/{chat_id}/end", response_model=ChatOut, responses=CHANGE_REFUSALS)
def end_chat(
    chat_id: ChatId,
    ctx: Ctx,
    actor: Actor,
    body: Annotated[EndIn | None, Body()] = None,
) -> ChatOut:
    """End the live hour; late answers stay open until `comments_close_at` (default: 24 hours
    from now), when comments close by themselves."""
    closes = body.comments_close_at if body else None
    return chat_out(ctx, chats.do_end_chat(ctx, actor, chat_id, closes))


@router.post("/chats/{chat_id}/close", response_model=ChatOut, responses=CHANGE_REFUSALS)
def close_chat(
    chat_id: ChatId,
    ctx: Ctx,
    actor: Actor,
) -> ChatOut:
    """Close comments; the chat becomes read-only."""
    return chat_out(ctx, chats.do_close_chat(ctx, actor, chat_id))


@router.patch(
    "/chats/{chat_id}/questions/{number}", response_model=QuestionOut, responses=CHANGE_REFUSALS
)
def edit_question(
    chat_id: ChatId,
    number: QuestionNumber,
    body: QuestionEdit,
    ctx: Ctx,
    actor: Actor,
) -> QuestionOut:
    """Change a question that has not been posted yet (409 once it has)."""
    return QuestionOut.model_validate(
        chats.do_edit_question(ctx, actor, chat_id, number, body.text)
    )


@router.patch("/chats/{chat_id}", response_model=ChatOut, responses=CHANGE_REFUSALS)
def edit_chat(chat_id: ChatId, body: ChatEdit, ctx: Ctx, actor: Actor) -> ChatOut:
    """Change a chat's topic, cadence or live duration before it starts (409 after)."""
    cadence = chats.check_cadence(body.cadence.model_dump() if body.cadence else None)
    view = chats.do_edit_chat(
        ctx,
        actor,
        chat_id,
        topic=body.topic,
        cadence=cadence,
        duration_minutes=body.duration_minutes,
    )
    return chat_out(ctx, view)


@router.get("/chats/{chat_id}/plan", response_model=list[PlanItemOut], responses=READ_REFUSALS)
def read_plan(chat_id: ChatId, ctx: Ctx) -> list[PlanItemOut]:
    """The chat's plan and what happened to each step; before the start, a preview."""
    return [PlanItemOut.model_validate(item) for item in chats.chat_plan(ctx, chat_id)]


@router.post(
    "/chats/{chat_id}/questions",
    status_code=201,
    response_model=ChatOut,
    responses=CHANGE_REFUSALS,
)
def add_question(chat_id: ChatId, body: QuestionIn, ctx: Ctx, actor: Actor) -> ChatOut:
    """Add a question before the chat starts (at `position`, default last)."""
    view = questions.do_add_question(ctx, actor, chat_id, body.text, body.position)
    return chat_out(ctx, view)


@router.delete(
    "/chats/{chat_id}/questions/{number}", response_model=ChatOut, responses=CHANGE_REFUSALS
)
def remove_question(chat_id: ChatId, number: QuestionNumber, ctx: Ctx, actor: Actor) -> ChatOut:
    """Remove a question before the chat starts; the later ones move up."""
    return chat_out(ctx, questions.do_remove_question(ctx, actor, chat_id, number))


@router.put("/chats/{chat_id}/question-order", response_model=ChatOut, responses=CHANGE_REFUSALS)
def reorder_questions(chat_id: ChatId, body: QuestionOrder, ctx: Ctx, actor: Actor) -> ChatOut:
    """Reorder the questions before the chat starts: their numbers in the new order."""
    return chat_out(ctx, questions.do_reorder_questions(ctx, actor, chat_id, body.order))


@router.put("/chats/{chat_id}/comments-close", response_model=ChatOut, responses=CHANGE_REFUSALS)
def move_comments_close(chat_id: ChatId, body: CommentsCloseIn, ctx: Ctx, actor: Actor) -> ChatOut:
    """Move the time comments close by themselves, while late answers are open."""
    return chat_out(ctx, chats.do_move_comments_close(ctx, actor, chat_id, body.comments_close_at))
