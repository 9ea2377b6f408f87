"""The live room, rendered whole on the server and kept live by room.js over SSE."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from hashchat.actions.chats import get_chat_in_series
from hashchat.actions.errors import ActionError, NotFoundError
from hashchat.actions.permissions import Mutation
from hashchat.actions.person_networks import networks_of
from hashchat.actions.posts import do_create_post
from hashchat.actions.room import get_room
from hashchat.actions.upcoming import do_set_questions_public
from hashchat.domain.schedule import ScheduleError, SeriesSchedule
from hashchat.formats.ics import CalendarEntry, calendar_ics
from hashchat.web.api.schemas import ChatId
from hashchat.web.auth import csrf_token_for, require_csrf
from hashchat.web.downloads import content_disposition
from hashchat.web.pages.common import actor_of, context_of, page, refusal, see_other, viewer_of
from hashchat.web.pages.layout import room_groups
from hashchat.web.pages.my_networks import LABELS as NETWORK_LABELS
from hashchat.web.pages.networks import strictest_rule_words
from hashchat.web.pages.series import announcement_zones, guide_text
from hashchat.web.pages.views import rule_description

router = APIRouter()


def countdown_text(seconds: float) -> str:
    """How long until the start, in words (room.js keeps the same words current)."""
    if seconds <= 0:
        return "Starting any moment now"
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if not days and (minutes or not hours):
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return "Starts in " + " ".join(parts)


def _room(
    request: Request,
    chat_id: int,
    *,
    error: str | None = None,
    draft: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    ctx = context_of(request)
    viewer = viewer_of(request)
    try:
        room = get_room(ctx, chat_id, viewer)
    except NotFoundError:
        return refusal(request, 404, "No such chat", f"There is no chat {chat_id}.")
    chat, series, posts, where = room.chat, room.series, room.posts, room.networks
    groups = room_groups(chat.questions, posts)
    config = {
        "chat_id": chat.id,
        "tag": series.tag,
        "char_rule": where.rule,
        "char_limit": where.limit,
        "state": chat.state,
        "current_question": chat.current_question,
        "asked_questions": [
            {"number": q.number, "text": q.text} for q in chat.questions if q.asked_at is not None
        ],
        # Hosts are never auto-tagged (domain.compose): the preview must say the same.
        "viewer_is_host": room.is_host,
        "viewer_name": viewer.name if viewer else None,
        "starts_at": chat.starts_at.isoformat(),
        "last_event_id": room.resume_after,
        "viewer_zone": viewer.timezone if viewer else None,
        "csrf_token": csrf_token_for(request) if viewer else None,
    }
    return page(
        request,
        "room.html",
        chat.title,
        status_code=status_code,
        chat=chat,
        series=series,
        groups=groups,
        spotlighted=room.spotlighted,
        topic=chat.topic,
        early_questions=room.early_questions,
        questions_public=room.questions_public,
        countdown=countdown_text((chat.starts_at - ctx.now()).total_seconds()),
        can_post=room.can_post,
        blocked=room.blocked,
        is_host_viewer=room.is_host,  # the compose hint: a host's posts are comments
        may_edit_chat=Mutation.EDIT_CHAT in room.may,  # show the questions early
        may_run_chat=Mutation.START_CHAT in room.may,  # the console (actions.console's test)
        rule_description=rule_description(where.rule),
        char_limit=where.limit,
        strictest=strictest_rule_words(where.rule, [n.network for n in where.networks]),
        room_config=config,
        error=error,
        draft=draft,
        # Her own connected accounts: "Also post to Mastodon as @her@instance" (issue 11).
        cross_networks=networks_of(ctx, viewer) if viewer and room.can_post else [],
        network_labels=NETWORK_LABELS,
    )


@router.get("/chats/{chat_id}", response_class=HTMLResponse, name="room_page")
def room_page(request: Request, chat_id: ChatId) -> HTMLResponse:
    """The room: questions, answers grouped under them, replies nested, the compose box."""
    return _room(request, chat_id)


@router.get("/chats/{chat_id}/calendar.ics", name="chat_calendar")
def chat_calendar(request: Request, chat_id: ChatId) -> Response:
    """One chat as a calendar event ("add to calendar"), with the series' reminders and guide."""
    try:
        chat, series = get_chat_in_series(context_of(request), chat_id)
    except NotFoundError:
        return refusal(request, 404, "No such chat", f"There is no chat {chat_id}.")
    try:
        schedule = SeriesSchedule(
            timezone=series.timezone,
            first_start=chat.started_at or chat.starts_at,
            duration_minutes=chat.duration_minutes,
        )
    except ScheduleError:
        return refusal(request, 404, "No calendar", "This chat's date has no calendar entry.")
    entry = CalendarEntry(
        tag=f"#{series.tag}",
        title=chat.title,
        schedule=schedule,
        announcement_zones=announcement_zones(series),
        guide=guide_text(series),
        url=str(request.url_for("room_page", chat_id=chat.id)),
        chat_id=str(chat.id),
    )
    return Response(
        calendar_ics(entry),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": content_disposition(f"{series.tag}-chat-{chat.id}.ics")},
    )


@router.post(
    "/chats/{chat_id}/questions-public",
    dependencies=[Depends(require_csrf)],
    response_model=None,
)
def questions_public_from_form(
    request: Request,
    chat_id: ChatId,
    public: Annotated[str, Form()] = "",
) -> Response:
    """A host shows the questions in the upcoming room (or hides them again), then back."""
    viewer = viewer_of(request)
    if viewer is None:
        return see_other(f"/login?next=/chats/{chat_id}")
    try:
        do_set_questions_public(context_of(request), actor_of(viewer), chat_id, public == "true")
    except ActionError as error:
        return _room(request, chat_id, error=error.reason, status_code=error.status)
    return see_other(f"/chats/{chat_id}")


@router.post("/chats/{chat_id}/posts", dependencies=[Depends(require_csrf)], response_model=None)
def post_from_form(
    request: Request,
    chat_id: ChatId,
    text: Annotated[str, Form()] = "",
    reply_to: Annotated[str, Form()] = "",
    auto: Annotated[str, Form()] = "",
    question: Annotated[str, Form()] = "",
    cross_post: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """The compose box without JavaScript: post, then back to the room (refusals shown there)."""
    viewer = viewer_of(request)
    if viewer is None:
        return see_other(f"/login?next=/chats/{chat_id}")
    parent = int(reply_to) if reply_to.strip().isdigit() else None
    answering = int(question) if question.strip().isdigit() and len(question) < 3 else None
    try:
        do_create_post(
            context_of(request),
            actor_of(viewer),
            chat_id,
            text,
            parent,
            auto=auto == "true",
            question=answering,
            cross_post=[network[:20] for network in (cross_post or [])[:4]],
        )
    except ActionError as error:
        return _room(request, chat_id, error=error.reason, draft=text, status_code=error.status)
    return see_other(f"/chats/{chat_id}")
