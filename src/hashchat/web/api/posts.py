"""Posts: write one, list a chat's posts, hide and unhide, spotlight and unspotlight."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, Query
from fastapi.responses import Response

from hashchat.actions import moderation, posts
from hashchat.actions.idempotency import MAX_KEY_LENGTH
from hashchat.actions.resume import newest_event_shown
from hashchat.actions.views import PostView
from hashchat.web.api.schemas import (
    CHANGE_REFUSALS,
    READ_REFUSALS,
    ChatId,
    PostId,
    PostIn,
    PostOut,
    SpotlightIn,
    refusals,
)
from hashchat.web.auth import Actor
from hashchat.web.deps import Ctx

router = APIRouter(tags=["posts"])


@router.post(
    "/chats/{chat_id}/posts",
    status_code=201,
    response_model=PostOut,
    responses=refusals(400, 401, 403, 404, 429),
)
def create_post(
    chat_id: ChatId,
    body: PostIn,
    ctx: Ctx,
    actor: Actor,
    idempotency_key: Annotated[
        str | None,
        Header(
            description="any unique string (1–200 printable ASCII characters, e.g. a UUID): "
            "a retry with the same key posts nothing new and gets the first answer again "
            "(header `Idempotent-Replayed: true`) for 24 hours; the same key with another "
            f"body is refused with 422. At most {MAX_KEY_LENGTH} characters.",
        ),
    ] = None,
) -> PostOut | Response:
    """Post in a chat. 422 when invalid or over the limit (never cut), or when `cross_post`
    names a network the caller has not connected; 403 when the chat is closed or the caller
    blocked, 429 when posting too fast."""
    if idempotency_key is None:
        created = posts.do_create_post(
            ctx,
            actor,
            chat_id,
            body.text,
            body.reply_to,
            auto=body.auto,
            question=body.question,
            cross_post=body.cross_post,
        )
        return PostOut.model_validate(created)
    request = posts.PostRequest(
        body.text, body.reply_to, body.auto, body.question, tuple(body.cross_post)
    )
    answer = posts.do_create_post_once(ctx, actor, chat_id, request, idempotency_key, _render)
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
    return Response(
        answer.body, status_code=answer.status, media_type="application/json", headers=headers
    )


def _render(view: PostView) -> str:
    return PostOut.model_validate(view).model_dump_json()


LAST_EVENT_HEADER = {
    "Last-Event-ID": {
        "description": "the chat's event stream resumes after this id: pass it as the stream's "
        "Last-Event-ID header (or ?after=) to get exactly what changed since these posts",
        "schema": {"type": "integer"},
    }
}


@router.get(
    "/chats/{chat_id}/posts",
    response_model=list[PostOut],
    responses={200: {"headers": LAST_EVENT_HEADER}, **READ_REFUSALS},
)
def list_posts(
    chat_id: ChatId,
    ctx: Ctx,
    response: Response,
    question: Annotated[int | None, Query(description="only posts answering question N")] = None,
) -> list[PostOut]:
    """The chat's visible posts, oldest first; the `Last-Event-ID` header says where the
    chat's event stream resumes after them."""
    resume_after = newest_event_shown(ctx, chat_id)  # before the rows: see newest_event_shown
    found = [PostOut.model_validate(p) for p in posts.list_posts(ctx, chat_id, question)]
    response.headers["Last-Event-ID"] = str(resume_after)
    return found


@router.post("/posts/{post_id}/hide", response_model=PostOut, responses=CHANGE_REFUSALS)
def hide_post(
    post_id: PostId,
    ctx: Ctx,
    actor: Actor,
) -> PostOut:
    """Hide a post (moderators and hosts)."""
    return PostOut.model_validate(moderation.do_hide_post(ctx, actor, post_id))


@router.post("/posts/{post_id}/unhide", response_model=PostOut, responses=CHANGE_REFUSALS)
def unhide_post(
    post_id: PostId,
    ctx: Ctx,
    actor: Actor,
) -> PostOut:
    """Undo a hide: the post is back in the room, the lists and the recap."""
    return PostOut.model_validate(moderation.do_unhide_post(ctx, actor, post_id))


@router.post("/posts/{post_id}/spotlight", response_model=PostOut, responses=CHANGE_REFUSALS)
def spotlight_post(
    post_id: PostId,
    ctx: Ctx,
    actor: Actor,
    body: Annotated[SpotlightIn | None, Body()] = None,
) -> PostOut:
    """Spotlight a post, or remove the spotlight with `{"spotlight": false}`."""
    on = body.spotlight if body else True
    return PostOut.model_validate(moderation.do_spotlight_post(ctx, actor, post_id, on))
