"""The host console: run the chat, edit questions not yet posted, moderate. Owners and cohosts
only (403 otherwise). Every button is a form posting here, and every change is an action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from hashchat.actions.chats import (
    cadence_from_json,
    do_close_chat,
    do_edit_question,
    do_end_chat,
    do_next_question,
    do_start_chat,
)
from hashchat.actions.errors import ActionError, NotFoundError
from hashchat.actions.moderation import (
    do_block_user,
    do_hide_post,
    do_spotlight_post,
    do_unblock_user,
    list_blocked,
)
from hashchat.actions.views import UserView
from hashchat.store.models import CadenceItem, ChatRow
from hashchat.web.api.schemas import ChatId, PostId, QuestionNumber
from hashchat.web.auth import csrf_token_for, require_csrf
from hashchat.web.pages import queries
from hashchat.web.pages.common import actor_of, context_of, page, refusal, see_other, viewer_of
from hashchat.web.pages.views import ChatView, Viewer
from hashchat.web.resume import newest_event_shown

router = APIRouter()
RECENT_POSTS = 50
DONE_NOTICES = {
    "started": "The chat is live; the cadence posts each question on time.",
    "asked": "The next question is posted.",
    "ended": "The live hour has ended; late answers stay open until you close comments.",
    "closed": "Comments are closed; the chat is read-only.",
    "edited": "Question saved.",
    "spotlight": "Spotlight changed.",
    "hidden": "Post hidden.",
    "blocked": "Person blocked from the series.",
    "unblocked": "Block lifted: the person may post in the series again.",
}
PLAN_LABELS = {"welcome": "Welcome post", "howto": "How-to post", "close": "End of the live hour"}


def _plan(chat: ChatView, items: list[CadenceItem]) -> list[dict[str, object]]:
    texts = {q.number: q.text for q in chat.questions}
    return [
        {
            "due_at": item.due_at,
            "done_at": item.done_at,
            "state": item.state,
            "label": (
                f"Q{item.question_number}. {texts.get(item.question_number, '')}"
                if item.kind == "question" and item.question_number is not None
                else PLAN_LABELS.get(item.kind, item.kind)
            ),
        }
        for item in items
    ]


def _console(
    request: Request,
    chat_id: int,
    *,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = context_of(request)
    viewer = viewer_of(request)
    if viewer is None:
        return refusal(request, 403, "Hosts only", "Log in as a host of this series.")
    resume_after = newest_event_shown(ctx, chat_id)  # before the rows: see newest_event_shown
    with ctx.store.read() as session:
        chat = queries.chat_by_id(session, chat_id)
        if chat is None:
            return refusal(request, 404, "No such chat", f"There is no chat {chat_id}.")
        series = queries.series_by_id(session, chat.series_id)
        assert series is not None
        role = queries.role_in_series(session, series.id, viewer.id)
        if not (viewer.is_admin or role in queries.HOST_ROLES):
            return refusal(request, 403, "Hosts only", "Only the owner and co-hosts run a chat.")
        items = list(
            session.scalars(
                sa.select(CadenceItem)
                .where(CadenceItem.chat_id == chat.id)
                .order_by(CadenceItem.due_at, CadenceItem.position)
            )
        )
        row = session.get(ChatRow, chat.id)
        hosts = queries.series_members(session, series.id, queries.HOST_ROLES)
        posts = queries.posts_of_chat(session, chat.id, include_hidden=True)
    asked = {q.number for q in chat.questions if q.asked_at is not None}
    waiting = [q.number for q in chat.questions if q.number not in asked]
    host_names = [host.name for host in hosts]
    return page(
        request,
        "host.html",
        f"Host console: {chat.title}",
        status_code=status_code,
        chat=chat,
        series=series,
        plan=_plan(chat, items),
        next_question=waiting[0] if waiting else None,
        cadence_minutes=cadence_from_json(row.cadence if row else None).question_interval_minutes,
        recent_posts=list(reversed(posts))[:RECENT_POSTS],
        host_names=host_names,
        blocked_names=list_blocked(ctx, series.tag),
        error=error,
        notice=notice,
        host_config={
            "chat_id": chat.id,
            "csrf_token": csrf_token_for(request),
            "host_names": host_names,
            "last_event_id": resume_after,
        },
    )


@router.get("/chats/{chat_id}/host", response_class=HTMLResponse)
def host_console(request: Request, chat_id: ChatId, done: str = "") -> HTMLResponse:
    """The console of a chat, for its owner and co-hosts."""
    return _console(request, chat_id, notice=DONE_NOTICES.get(done))


def _run(request: Request, chat_id: int, act: Callable[[UserView], object], done: str) -> Response:
    """Carry out `act` as the viewer; back to the console, with the reason when refused."""
    viewer: Viewer | None = viewer_of(request)
    if viewer is None:
        return refusal(request, 403, "Hosts only", "Log in as a host of this series.")
    try:
        act(actor_of(viewer))
    except ActionError as error:
        return _console(request, chat_id, error=error.reason, status_code=error.status)
    return see_other(f"/chats/{chat_id}/host?done={done}")


CSRF = [Depends(require_csrf)]


@router.post("/chats/{chat_id}/host/start", dependencies=CSRF, response_model=None)
def start(request: Request, chat_id: ChatId) -> Response:
    """Go live now; the cadence plan starts from this moment."""
    ctx = context_of(request)
    return _run(request, chat_id, lambda actor: do_start_chat(ctx, actor, chat_id), "started")


@router.post("/chats/{chat_id}/host/next-question", dependencies=CSRF, response_model=None)
def next_question(request: Request, chat_id: ChatId) -> Response:
    """Post the next question now."""
    ctx = context_of(request)
    return _run(request, chat_id, lambda actor: do_next_question(ctx, actor, chat_id), "asked")


@router.post("/chats/{chat_id}/host/end", dependencies=CSRF, response_model=None)
def end(request: Request, chat_id: ChatId) -> Response:
    """End the live hour; late answers stay open."""
    ctx = context_of(request)
    return _run(request, chat_id, lambda actor: do_end_chat(ctx, actor, chat_id), "ended")


@router.post("/chats/{chat_id}/host/close", dependencies=CSRF, response_model=None)
def close(request: Request, chat_id: ChatId) -> Response:
    """Close comments: the chat becomes read-only."""
    ctx = context_of(request)
    return _run(request, chat_id, lambda actor: do_close_chat(ctx, actor, chat_id), "closed")


@router.post("/chats/{chat_id}/host/questions/{number}", dependencies=CSRF, response_model=None)
def edit_question(
    request: Request, chat_id: ChatId, number: QuestionNumber, text: Annotated[str, Form()] = ""
) -> Response:
    """Change a question that has not been posted yet."""
    ctx = context_of(request)
    return _run(
        request,
        chat_id,
        lambda actor: do_edit_question(ctx, actor, chat_id, number, text),
        "edited",
    )


@router.post(
    "/chats/{chat_id}/host/posts/{post_id}/spotlight", dependencies=CSRF, response_model=None
)
def spotlight(
    request: Request, chat_id: ChatId, post_id: PostId, on: Annotated[str, Form()] = "true"
) -> Response:
    """Spotlight a post for everyone (or take the spotlight off)."""
    ctx = context_of(request)
    return _run(
        request,
        chat_id,
        lambda actor: do_spotlight_post(ctx, actor, post_id, on != "false"),
        "spotlight",
    )


@router.post("/chats/{chat_id}/host/posts/{post_id}/hide", dependencies=CSRF, response_model=None)
def hide(request: Request, chat_id: ChatId, post_id: PostId) -> Response:
    """Hide a post from the room and the recap."""
    ctx = context_of(request)
    return _run(request, chat_id, lambda actor: do_hide_post(ctx, actor, post_id), "hidden")


def _series_tag_of(request: Request, chat_id: int) -> str:
    with context_of(request).store.read() as session:
        chat = queries.chat_by_id(session, chat_id)
        series = queries.series_by_id(session, chat.series_id) if chat else None
    if series is None:
        raise NotFoundError(f"there is no chat {chat_id}")
    return series.tag


@router.post("/chats/{chat_id}/host/block", dependencies=CSRF, response_model=None)
def block(request: Request, chat_id: ChatId, user: Annotated[str, Form()] = "") -> Response:
    """Block a person from posting anywhere in the chat's series."""
    ctx = context_of(request)

    def act(actor: UserView) -> object:
        return do_block_user(ctx, actor, _series_tag_of(request, chat_id), user)

    return _run(request, chat_id, act, "blocked")


@router.post("/chats/{chat_id}/host/unblock", dependencies=CSRF, response_model=None)
def unblock(request: Request, chat_id: ChatId, user: Annotated[str, Form()] = "") -> Response:
    """Lift a person's block in the chat's series."""
    ctx = context_of(request)

    def act(actor: UserView) -> object:
        return do_unblock_user(ctx, actor, _series_tag_of(request, chat_id), user)

    return _run(request, chat_id, act, "unblocked")
