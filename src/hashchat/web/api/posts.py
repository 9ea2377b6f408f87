"""Posts: write one, list a chat's posts, hide and spotlight."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from hashchat.actions import moderation, posts
from hashchat.web.api.schemas import Error, PostIn, PostOut, SpotlightIn
from hashchat.web.auth import Actor
from hashchat.web.deps import Ctx

router = APIRouter(tags=["posts"])
REFUSALS: dict[int | str, dict[str, object]] = {
    code: {"model": Error} for code in (401, 403, 404, 422)
}


@router.post(
    "/chats/{chat_id}/posts",
    status_code=201,
    response_model=PostOut,
    responses={**REFUSALS, 429: {"model": Error}},
)
def create_post(
    chat_id: int,
    body: PostIn,
    ctx: Ctx,
    actor: Actor,
) -> PostOut:
    """Post in a chat. 422 when invalid or over the limit (never cut), 403 when the chat is
    closed or the caller blocked, 429 when posting too fast."""
    created = posts.do_create_post(ctx, actor, chat_id, body.text, body.reply_to, auto=body.auto)
    return PostOut.model_validate(created)


@router.get("/chats/{chat_id}/posts", response_model=list[PostOut], responses=REFUSALS)
def list_posts(
    chat_id: int,
    ctx: Ctx,
    question: Annotated[int | None, Query(description="only posts answering question N")] = None,
) -> list[PostOut]:
    """The chat's visible posts, oldest first."""
    return [PostOut.model_validate(p) for p in posts.list_posts(ctx, chat_id, question)]


@router.post("/posts/{post_id}/hide", response_model=PostOut, responses=REFUSALS)
def hide_post(
    post_id: int,
    ctx: Ctx,
    actor: Actor,
) -> PostOut:
    """Hide a post (moderators and hosts)."""
    return PostOut.model_validate(moderation.do_hide_post(ctx, actor, post_id))


@router.post("/posts/{post_id}/spotlight", response_model=PostOut, responses=REFUSALS)
def spotlight_post(
    post_id: int,
    ctx: Ctx,
    actor: Actor,
    body: Annotated[SpotlightIn | None, Body()] = None,
) -> PostOut:
    """Spotlight a post, or remove the spotlight with `{"spotlight": false}`."""
    on = body.spotlight if body else True
    return PostOut.model_validate(moderation.do_spotlight_post(ctx, actor, post_id, on))
