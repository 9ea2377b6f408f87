"""The host console: run the chat, moderate, post as host. Owners and co-hosts only (the
permission matrix decides, in `actions.console`). Every button is a form posting here and every
change is an action; end, close and block ask first on a confirmation step (no JavaScript
needed). Preparing the chat (topic, cadence, questions) is in `host_prepare`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from hashchat.actions.chats import (
    do_close_chat,
    do_end_chat,
    do_move_comments_close,
    do_next_question,
    do_start_chat,
    get_chat,
)
from hashchat.actions.console import read_console
from hashchat.actions.errors import ActionError, InvalidInputError
from hashchat.actions.lifecycle import COMMENTS_OPEN_AFTER_END
from hashchat.actions.moderation import (
    do_block_user,
    do_hide_post,
    do_spotlight_post,
    do_unblock_user,
    do_unhide_post,
)
from hashchat.actions.network_blocks import do_block_handle, do_unblock_handle
from hashchat.actions.posts import do_create_post
from hashchat.actions.resume import newest_event_shown
from hashchat.actions.views import UserView
from hashchat.web.api.schemas import ChatId, PostId
from hashchat.web.auth import csrf_token_for, require_csrf
from hashchat.web.pages.common import actor_of, context_of, page, refusal, see_other, viewer_of
from hashchat.web.pages.networks import network_name, strictest_rule_words

router = APIRouter()
MAX_OPEN_HOURS = 14 * 24  # late answers stay open at most two weeks after the end
DONE_NOTICES = {
    "started": "The chat is live; the cadence posts each question on time.",
    "asked": "The next question is posted.",
    "ended": "The live hour has ended; late answers stay open until comments close.",
    "moved": "The closing time is moved.",
    "closed": "Comments are closed; the chat is read-only.",
    "edited": "Question saved.",
    "added": "Question added.",
    "removed": "Question removed; the later ones moved up.",
    "reordered": "Questions reordered.",
    "topic": "Topic saved.",
    "cadence": "Cadence saved; the plan below shows the new times.",
    "posted": "Your comment is posted.",
    "spotlight": "Spotlight on: the post is pinned at the top of the room.",
    "unspotlight": "Spotlight off.",
    "hidden": "Post hidden. Unhide brings it back everywhere.",
    "unhidden": "Post unhidden: it is back in the room and the recap.",
    "blocked": "Person blocked from the series. Unblock below lifts it.",
    "unblocked": "Block lifted: the person may post in the series again.",
    "handle-blocked": "Handle blocked: its posts on that network no longer enter the series.",
    "handle-unblocked": "Block lifted: the handle's new posts enter the series again.",
}
PLAN_LABELS = {
    "welcome": "Welcome post",
    "howto": "How-to post",
    "closing": "Closing post",
    "close": "End of the live period",
}
CSRF = [Depends(require_csrf)]


def _plan_rows(console: Any) -> list[dict[str, object]]:
    texts = {q.number: q.text for q in console.chat.questions}
    return [
        {
            "due_at": item.due_at,
            "done_at": item.done_at,
            "state": item.state,
            "kind": item.kind,
            "label": (
                f"Q{item.question}. {texts.get(item.question, '(not written yet)')}"
                if item.kind == "question" and item.question is not None
                else PLAN_LABELS.get(item.kind, item.kind)
            ),
        }
        for item in console.plan
    ]


def _in_words(span: timedelta) -> str:
    minutes = max(0, int(span.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d"] if days else []
    parts += [f"{hours} h"] if hours or days else []
    return " ".join([*parts, f"{minutes} min"])


def console_page(
    request: Request,
    chat_id: int,
    *,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
    confirm: dict[str, Any] | None = None,
) -> HTMLResponse:
    """The console (or, with `confirm`, the confirmation step of a dangerous action)."""
    ctx = context_of(request)
    viewer = viewer_of(request)
    if viewer is None:
        return refusal(request, 403, "Hosts only", "Log in as a host of this series.")
    resume_after = newest_event_shown(ctx, chat_id)  # before the rows: see newest_event_shown
    try:
        console = read_console(ctx, actor_of(viewer), chat_id)
    except ActionError as refused:
        return refusal(request, refused.status, "Hosts only", refused.reason)
    chat = console.chat
    asked = {q.number for q in chat.questions if q.asked_at is not None}
    waiting = [q.number for q in chat.questions if q.number not in asked]
    now = ctx.now()
    closes_at = chat.comments_close_at if chat.state == "late_answers" else None
    where = console.networks
    health = {bridge.id: bridge for bridge in console.bridges}
    return page(
        request,
        "host.html",
        f"Host console: {chat.title}",
        status_code=status_code,
        chat=chat,
        cadence=console.cadence,
        plan=_plan_rows(console),
        # a plan over days (a slow chat) needs dates; the usual hour reads best as times
        plan_style="long" if chat.duration_minutes > 12 * 60 else "short",
        next_question=waiting[0] if waiting else None,
        recent_posts=console.recent_posts,
        host_names=sorted(console.host_handles),
        blocked_names=console.blocked,
        blocked_handles=console.blocked_handles,
        blocked_keys={(b.network, b.handle) for b in console.blocked_handles},
        networks=[
            {
                "name": network_name(n.network),
                "account": n.account,
                "opening_url": n.opening_url,
                "health": health.get(n.bridge_id),
            }
            for n in where.networks
        ],
        blog=console.blog,
        char_limit=where.limit,
        strictest=strictest_rule_words(where.rule, [n.network for n in where.networks]),
        closes_at=closes_at,
        closes_in=_in_words(closes_at - now) if closes_at else None,
        default_open_hours=int(COMMENTS_OPEN_AFTER_END.total_seconds() // 3600),
        max_open_hours=MAX_OPEN_HOURS,
        error=error,
        notice=notice,
        confirm=confirm,
        host_config={
            "chat_id": chat.id,
            "tag": chat.series_tag,
            "csrf_token": csrf_token_for(request),
            "host_names": sorted(console.host_handles),
            "last_event_id": resume_after,
            "comments_close_at": closes_at.isoformat() if closes_at else None,
            "char_rule": where.rule,
            "char_limit": where.limit,
        },
    )


@router.get("/chats/{chat_id}/host", response_class=HTMLResponse)
def host_console(request: Request, chat_id: ChatId, done: str = "") -> HTMLResponse:
    """The console of a chat, for its owner and co-hosts."""
    return console_page(request, chat_id, notice=DONE_NOTICES.get(done))


def run_action(
    request: Request, chat_id: int, act: Callable[[UserView], object], done: str
) -> Response:
    """Carry out `act` as the viewer; back to the console with its notice, or with the reason
    when refused (nothing typed is lost: the console shows the stored state)."""
    viewer = viewer_of(request)
    if viewer is None:
        return refusal(request, 403, "Hosts only", "Log in as a host of this series.")
    try:
        act(actor_of(viewer))
    except ActionError as error:
        return console_page(request, chat_id, error=error.reason, status_code=error.status)
    return see_other(f"/chats/{chat_id}/host?done={done}")


def hours_from_now(request: Request, text: str) -> datetime:
    """`text` hours (a decimal) from now, 400 when it is not a number in range."""
    try:
        hours = float(text)
    except ValueError:
        raise InvalidInputError(f"'{text}' is not a number of hours") from None
    if not 0 < hours <= MAX_OPEN_HOURS:
        raise InvalidInputError(f"comments close between 0 and {MAX_OPEN_HOURS} hours from now")
    return context_of(request).now() + timedelta(hours=hours)


def _confirmed(value: str) -> bool:
    return value == "yes"


@router.post("/chats/{chat_id}/host/start", dependencies=CSRF, response_model=None)
def start(request: Request, chat_id: ChatId) -> Response:
    """Go live now; the cadence plan starts from this moment."""
    ctx = context_of(request)
    return run_action(request, chat_id, lambda a: do_start_chat(ctx, a, chat_id), "started")


@router.post("/chats/{chat_id}/host/next-question", dependencies=CSRF, response_model=None)
def next_question(request: Request, chat_id: ChatId) -> Response:
    """Post the next question now."""
    ctx = context_of(request)
    return run_action(request, chat_id, lambda a: do_next_question(ctx, a, chat_id), "asked")


@router.post("/chats/{chat_id}/host/end", dependencies=CSRF, response_model=None)
def end(
    request: Request,
    chat_id: ChatId,
    close_in_hours: Annotated[str, Form()] = "24",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """End the live hour, after a confirmation step; comments close `close_in_hours` later."""
    ctx = context_of(request)
    try:
        closes = hours_from_now(request, close_in_hours)
    except InvalidInputError as error:
        return console_page(request, chat_id, error=error.reason, status_code=422)
    if not _confirmed(confirm):
        return console_page(
            request,
            chat_id,
            confirm={
                "title": "End the live hour?",
                "question": "End the live hour now? Questions not yet posted will not be.",
                "closes_at": closes,
                "path": "end",
                "fields": {"close_in_hours": close_in_hours},
                "label": "Yes, end the live hour",
            },
        )
    return run_action(request, chat_id, lambda a: do_end_chat(ctx, a, chat_id, closes), "ended")


@router.post("/chats/{chat_id}/host/comments-close", dependencies=CSRF, response_model=None)
def move_comments_close(
    request: Request, chat_id: ChatId, close_in_hours: Annotated[str, Form()] = ""
) -> Response:
    """Move the time comments close by themselves."""
    ctx = context_of(request)

    def act(actor: UserView) -> object:
        return do_move_comments_close(ctx, actor, chat_id, hours_from_now(request, close_in_hours))

    return run_action(request, chat_id, act, "moved")


@router.post("/chats/{chat_id}/host/close", dependencies=CSRF, response_model=None)
def close(request: Request, chat_id: ChatId, confirm: Annotated[str, Form()] = "") -> Response:
    """Close comments now, after a confirmation step: the chat becomes read-only."""
    ctx = context_of(request)
    if not _confirmed(confirm):
        return console_page(
            request,
            chat_id,
            confirm={
                "title": "Close comments?",
                "question": "Close comments now? Nobody can post in this chat afterwards; "
                "this cannot be undone.",
                "path": "close",
                "fields": {},
                "label": "Yes, close comments",
            },
        )
    return run_action(request, chat_id, lambda a: do_close_chat(ctx, a, chat_id), "closed")


@router.post("/chats/{chat_id}/host/post", dependencies=CSRF, response_model=None)
def post_as_host(request: Request, chat_id: ChatId, text: Annotated[str, Form()] = "") -> Response:
    """Post a host comment: the series hashtag is added when missing, never an answer tag."""
    ctx = context_of(request)

    def act(actor: UserView) -> object:
        return do_create_post(ctx, actor, chat_id, text, auto=True)

    return run_action(request, chat_id, act, "posted")


@router.post(
    "/chats/{chat_id}/host/posts/{post_id}/spotlight", dependencies=CSRF, response_model=None
)
def spotlight(
    request: Request, chat_id: ChatId, post_id: PostId, on: Annotated[str, Form()] = "true"
) -> Response:
    """Spotlight a post for everyone, or take the spotlight off (`on=false`)."""
    ctx = context_of(request)
    wanted = on != "false"
    return run_action(
        request,
        chat_id,
        lambda a: do_spotlight_post(ctx, a, post_id, wanted),
        "spotlight" if wanted else "unspotlight",
    )


@router.post("/chats/{chat_id}/host/posts/{post_id}/hide", dependencies=CSRF, response_model=None)
def hide(request: Request, chat_id: ChatId, post_id: PostId) -> Response:
    """Hide a post from the room and the recap (undone by unhide)."""
    ctx = context_of(request)
    return run_action(request, chat_id, lambda a: do_hide_post(ctx, a, post_id), "hidden")


@router.post("/chats/{chat_id}/host/posts/{post_id}/unhide", dependencies=CSRF, response_model=None)
def unhide(request: Request, chat_id: ChatId, post_id: PostId) -> Response:
    """Bring a hidden post back everywhere."""
    ctx = context_of(request)
    return run_action(request, chat_id, lambda a: do_unhide_post(ctx, a, post_id), "unhidden")


@router.post("/chats/{chat_id}/host/block", dependencies=CSRF, response_model=None)
def block(
    request: Request,
    chat_id: ChatId,
    user: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Block a person from posting anywhere in the chat's series, after a confirmation step."""
    ctx = context_of(request)
    if not _confirmed(confirm):
        return console_page(
            request,
            chat_id,
            confirm={
                "title": f"Block @{user}?",
                "question": f"Block @{user} from posting anywhere in the series? "
                "Unblock lifts it later.",
                "path": "block",
                "fields": {"user": user},
                "label": f"Yes, block @{user}",
            },
        )

    def act(actor: UserView) -> object:
        return do_block_user(ctx, actor, _series_tag(request, chat_id), user)

    return run_action(request, chat_id, act, "blocked")


@router.post("/chats/{chat_id}/host/unblock", dependencies=CSRF, response_model=None)
def unblock(request: Request, chat_id: ChatId, user: Annotated[str, Form()] = "") -> Response:
    """Lift a person's block in the chat's series."""
    ctx = context_of(request)

    def act(actor: UserView) -> object:
        return do_unblock_user(ctx, actor, _series_tag(request, chat_id), user)

    return run_action(request, chat_id, act, "unblocked")


@router.post("/chats/{chat_id}/host/block-handle", dependencies=CSRF, response_model=None)
def block_handle(
    request: Request,
    chat_id: ChatId,
    network: Annotated[str, Form()] = "",
    handle: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Block a handle on another network from the chat's series, after a confirmation step:
    the bridges file none of its posts from then on."""
    ctx = context_of(request)
    if not _confirmed(confirm):
        name = network_name(network)
        return console_page(
            request,
            chat_id,
            confirm={
                "title": f"Block {handle} on {name}?",
                "question": f"Stop every post of {handle} on {name} entering the series? "
                "Posts already here stay (hide them one by one); unblock lifts it later.",
                "path": "block-handle",
                "fields": {"network": network, "handle": handle},
                "label": f"Yes, block {handle}",
            },
        )

    def act(actor: UserView) -> object:
        return do_block_handle(ctx, actor, _series_tag(request, chat_id), network, handle)

    return run_action(request, chat_id, act, "handle-blocked")


@router.post("/chats/{chat_id}/host/unblock-handle", dependencies=CSRF, response_model=None)
def unblock_handle(
    request: Request,
    chat_id: ChatId,
    network: Annotated[str, Form()] = "",
    handle: Annotated[str, Form()] = "",
) -> Response:
    """Lift a network handle's block in the chat's series."""
    ctx = context_of(request)

    def act(actor: UserView) -> object:
        return do_unblock_handle(ctx, actor, _series_tag(request, chat_id), network, handle)

    return run_action(request, chat_id, act, "handle-unblocked")


def _series_tag(request: Request, chat_id: int) -> str:
    return get_chat(context_of(request), chat_id).series_tag
