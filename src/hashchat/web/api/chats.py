"""/chats/{id}: read a chat, run it (start, next question, end, close), edit questions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from hashchat.actions import chats
from hashchat.actions.context import AppContext
from hashchat.actions.views import ChatView
from hashchat.web.api.schemas import (
    CHANGE_REFUSALS,
    READ_REFUSALS,
    ChatId,
    ChatOut,
    EndIn,
    QuestionEdit,
    QuestionNumber,
    QuestionOut,
)
from hashchat.web.auth import Actor
from hashchat.web.deps import Ctx
from hashchat.web.resume import newest_event_shown

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
    """End the live hour; late answers stay open until closed or `comments_close_at`."""
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
