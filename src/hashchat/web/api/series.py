"""/series: create a series, read it, change and remove members, block and unblock people."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hashchat.actions import chats as chat_actions
from hashchat.actions import moderation, series
from hashchat.domain.schedule import Cadence
from hashchat.web.api.schemas import (
    CHANGE_REFUSALS,
    READ_REFUSALS,
    BlockIn,
    BlockOut,
    ChatIn,
    ChatOut,
    MemberIn,
    MemberOut,
    SeriesDetailOut,
    SeriesIn,
    SeriesOut,
)
from hashchat.web.auth import Actor
from hashchat.web.deps import Ctx

router = APIRouter(tags=["series"])


@router.post("/series", status_code=201, response_model=SeriesOut, responses=CHANGE_REFUSALS)
def create_series(
    body: SeriesIn,
    ctx: Ctx,
    actor: Actor,
) -> SeriesOut:
    """Create a series; the caller becomes its owner."""
    created = series.do_create_series(
        ctx,
        actor,
        body.tag,
        body.title,
        body.timezone,
        body.char_rule,
        body.char_limit,
        body.description,
    )
    return SeriesOut.model_validate(created)


@router.get("/series/{tag}", response_model=SeriesDetailOut, responses=READ_REFUSALS)
def read_series(tag: str, ctx: Ctx) -> SeriesDetailOut:
    """A series with its members and chats; the tag is case-insensitive, without '#'."""
    detail = series.get_series(ctx, tag)
    return SeriesDetailOut.model_validate(
        {
            **SeriesOut.model_validate(detail.series).model_dump(),
            "members": [MemberOut.model_validate(m) for m in detail.members],
            "chats": [ChatOut.model_validate(c) for c in detail.chats],
        }
    )


@router.post("/series/{tag}/members", response_model=MemberOut, responses=CHANGE_REFUSALS)
def add_member(
    tag: str,
    body: MemberIn,
    ctx: Ctx,
    actor: Actor,
) -> MemberOut:
    """Give a person a role or change hers. Only owners may touch a host role (make, demote or
    change an owner or cohost); owners and cohosts manage moderators and participants. 409 when
    the person is blocked and the role is a staff role (owner, cohost, moderator), or when it
    would demote the last owner."""
    return MemberOut.model_validate(series.do_add_member(ctx, actor, tag, body.user, body.role))


@router.delete(
    "/series/{tag}/members/{user}",
    status_code=204,
    response_class=Response,
    responses=CHANGE_REFUSALS,
)
def remove_member(tag: str, user: str, ctx: Ctx, actor: Actor) -> Response:
    """Take a person's role away (same rules as changing it; 404 when she has none, 409 for
    the last owner)."""
    series.do_remove_member(ctx, actor, tag, user)
    return Response(status_code=204)


@router.post(
    "/series/{tag}/chats", status_code=201, response_model=ChatOut, responses=CHANGE_REFUSALS
)
def create_chat(
    tag: str,
    body: ChatIn,
    ctx: Ctx,
    actor: Actor,
) -> ChatOut:
    """Schedule a chat; 422 when its questions do not fit its duration at the cadence."""
    cadence = chat_actions.check_cadence(body.cadence.model_dump() if body.cadence else None)
    created = chat_actions.do_create_chat(
        ctx,
        actor,
        tag,
        body.title,
        body.starts_at,
        body.duration_minutes,
        body.questions,
        cadence if isinstance(cadence, Cadence) else None,
    )
    return ChatOut.model_validate(created)


@router.post(
    "/series/{tag}/blocks", status_code=201, response_model=BlockOut, responses=CHANGE_REFUSALS
)
def block_user(
    tag: str,
    body: BlockIn,
    ctx: Ctx,
    actor: Actor,
) -> BlockOut:
    """Block a person from posting in the series; 409 when she holds a staff role (owner,
    cohost, moderator): take it away first."""
    blocked = moderation.do_block_user(ctx, actor, tag, body.user)
    detail = series.get_series(ctx, tag)
    return BlockOut(user=blocked.name, series=detail.series.tag)


@router.delete(
    "/series/{tag}/blocks/{user}",
    status_code=204,
    response_class=Response,
    responses=CHANGE_REFUSALS,
)
def unblock_user(tag: str, user: str, ctx: Ctx, actor: Actor) -> Response:
    """Lift a block: the person may post in the series again. Idempotent (204 when she was
    not blocked)."""
    moderation.do_unblock_user(ctx, actor, tag, user)
    return Response(status_code=204)
