"""/series: create a series, read and edit it, change and remove members, block and unblock
people, schedule its chats (recurring schedules; skip or move one chat)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hashchat.actions import chats as chat_actions
from hashchat.actions import moderation, schedule, series
from hashchat.domain.schedule import Cadence
from hashchat.web.api.schemas import (
    CHANGE_REFUSALS,
    READ_REFUSALS,
    BlockIn,
    BlockOut,
    ChatId,
    ChatIn,
    ChatOut,
    MemberIn,
    MemberOut,
    MoveIn,
    PeopleOut,
    ScheduledOut,
    ScheduleId,
    ScheduleIn,
    ScheduleOut,
    SeriesDetailOut,
    SeriesEdit,
    SeriesIn,
    SeriesOut,
    refusals,
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
        body.guide,
        body.announcement_zones,
    )
    return SeriesOut.model_validate(created)


@router.patch("/series/{tag}", response_model=SeriesOut, responses=CHANGE_REFUSALS)
def edit_series(tag: str, body: SeriesEdit, ctx: Ctx, actor: Actor) -> SeriesOut:
    """Change a series' settings (owners and cohosts); fields left out stay. Every field is
    checked as on creation, and nothing changes unless all pass (422 naming the first bad
    one). The tag never changes."""
    changes = series.SeriesChanges(**body.model_dump(exclude_unset=True))
    return SeriesOut.model_validate(series.do_edit_series(ctx, actor, tag, changes))


@router.get("/series/{tag}/people", response_model=PeopleOut, responses=refusals(401, 403, 404))
def read_people(tag: str, ctx: Ctx, actor: Actor) -> PeopleOut:
    """The members by role (owners first) and the people blocked from the series; for its
    owners, cohosts and moderators."""
    people = series.people_of_series(ctx, actor, tag)
    return PeopleOut(
        members=[MemberOut.model_validate(m) for m in people.members],
        blocked=list(people.blocked),
    )


@router.get("/series/{tag}/schedules", response_model=list[ScheduleOut], responses=READ_REFUSALS)
def read_schedules(tag: str, ctx: Ctx) -> list[ScheduleOut]:
    """The series' recurring schedules, running ones first."""
    return [ScheduleOut.model_validate(view) for view in schedule.list_schedules(ctx, tag)]


@router.post(
    "/series/{tag}/schedules",
    status_code=201,
    response_model=ScheduledOut,
    responses=CHANGE_REFUSALS,
)
def create_schedule(tag: str, body: ScheduleIn, ctx: Ctx, actor: Actor) -> ScheduledOut:
    """Schedule chats every N weeks (DST-correct in the schedule's zone), until a date or for
    ever. The next 4 dates within a year are made as chats at once, and the server makes
    each further one as time moves on; a skipped date is never made again."""
    made = schedule.do_create_schedule(
        ctx,
        actor,
        tag,
        title=body.title,
        first_start=body.first_start,
        timezone=body.timezone,
        duration_minutes=body.duration_minutes,
        every_weeks=body.every_weeks,
        until=body.until,
    )
    assert made.schedule is not None
    return ScheduledOut(
        schedule=ScheduleOut.model_validate(made.schedule),
        chats=[ChatOut.model_validate(chat) for chat in made.chats],
    )


@router.post(
    "/series/{tag}/schedules/{schedule_id}/stop",
    response_model=ScheduleOut,
    responses=CHANGE_REFUSALS,
)
def stop_schedule(tag: str, schedule_id: ScheduleId, ctx: Ctx, actor: Actor) -> ScheduleOut:
    """Make no more chats from the schedule; the chats it made stay (skip them one by one).
    Idempotent."""
    return ScheduleOut.model_validate(schedule.do_stop_schedule(ctx, actor, tag, schedule_id))


@router.post("/chats/{chat_id}/skip", response_model=ChatOut, responses=CHANGE_REFUSALS)
def skip_chat(chat_id: ChatId, ctx: Ctx, actor: Actor) -> ChatOut:
    """Cancel a chat that has not started (409 once it has): it is removed with its
    questions, and a schedule that made it does not make its date again. Answers the chat as
    it was."""
    return ChatOut.model_validate(schedule.do_skip_chat(ctx, actor, chat_id))


@router.post("/chats/{chat_id}/move", response_model=ChatOut, responses=CHANGE_REFUSALS)
def move_chat(chat_id: ChatId, body: MoveIn, ctx: Ctx, actor: Actor) -> ChatOut:
    """Move a chat that has not started to a new time in the future (409 once it has
    started); a schedule that made it keeps its date filled."""
    return ChatOut.model_validate(schedule.do_move_chat(ctx, actor, chat_id, body.starts_at))


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
