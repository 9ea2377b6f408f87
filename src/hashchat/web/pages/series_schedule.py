"""A series' schedule page: schedule one chat or a recurring schedule, move a chat that has not
started, skip one (asked first, on a page of its own) and stop a schedule. Times in the forms
are wall times in the series' home zone, turned into instants by the domain's DST rule."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from hashchat.actions.chats import get_chat
from hashchat.actions.errors import ActionError, InvalidInputError
from hashchat.actions.permissions import Mutation
from hashchat.actions.schedule import (
    do_create_schedule,
    do_move_chat,
    do_schedule_chat,
    do_skip_chat,
    do_stop_schedule,
    list_schedules,
    skipped_dates,
    wall_to_instant,
)
from hashchat.actions.series import get_series, may_in_series
from hashchat.domain.schedule import load_zone
from hashchat.web.api.schemas import ChatId, ScheduleId
from hashchat.web.auth import require_csrf
from hashchat.web.pages.common import context_of, page, refusal, see_other, viewer_of
from hashchat.web.pages.series_settings import login_first, series_path
from hashchat.web.pages.templating import in_zone

router = APIRouter()
CSRF = [Depends(require_csrf)]
FormText = Annotated[str, Form()]
DONE = {
    "scheduled": "The chat is scheduled. Write its questions in the host console before it starts.",
    "recurring": "The schedule is set: its next chats are on the list below.",
    "moved": "The chat has moved.",
    "skipped": "The chat is cancelled; its date stays skipped.",
    "stopped": "The schedule makes no more chats; those already made stay until you skip them.",
}


def _wall(text: str, what: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(
            f"{what} {text.strip()!r} is not a date and time such as 2026-12-11T17:00"
        ) from None


def _date(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(
            f"until {text.strip()!r} is not a date such as 2027-06-25"
        ) from None


def _number(text: str, what: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidInputError(f"{what} {text.strip()!r} is not a whole number") from None


def _schedule_page(
    request: Request,
    tag: str,
    *,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, "/schedule"))
    ctx = context_of(request)
    try:
        detail = get_series(ctx, tag)
        may = may_in_series(ctx, viewer, tag)
    except ActionError as error_:
        return refusal(request, error_.status, "No such series", error_.reason)
    if Mutation.SCHEDULE_CHATS not in may:
        return refusal(request, 403, "Hosts only", "Only the owners and co-hosts schedule chats.")
    series = detail.series
    upcoming = sorted(
        (chat for chat in detail.chats if chat.state == "scheduled"), key=lambda c: c.starts_at
    )
    return page(
        request,
        "series_schedule.html",
        f"Schedule of #{series.tag}",
        status_code=status,
        series=series,
        upcoming=[
            {
                "chat": chat,
                "local": in_zone(chat.starts_at, series.timezone),
                "wall": chat.starts_at.astimezone(load_zone(series.timezone)).strftime(
                    "%Y-%m-%dT%H:%M"
                ),
            }
            for chat in upcoming
        ],
        schedules=list_schedules(ctx, tag),
        skipped=[
            (schedule, in_zone(start, series.timezone))
            for schedule, start in skipped_dates(ctx, tag)
        ],
        may_reschedule=Mutation.RESCHEDULE_CHAT in may,
        form=form or {},
        error=error,
        notice=notice,
    )


@router.get("/series/{tag}/schedule", response_class=HTMLResponse, response_model=None)
def schedule_page(request: Request, tag: str, done: str = "") -> Response:
    """The series' upcoming chats and schedules, with the forms that change them."""
    return _schedule_page(request, tag, notice=DONE.get(done))


@router.post("/series/{tag}/schedule/once", dependencies=CSRF, response_model=None)
def schedule_once(
    request: Request,
    tag: str,
    title: FormText = "",
    starts_at: FormText = "",
    duration_minutes: FormText = "60",
    questions: FormText = "",
) -> Response:
    """Schedule one chat at a wall time in the series' zone; questions one per line."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, "/schedule"))
    ctx = context_of(request)
    form = {
        "once_title": title,
        "once_starts_at": starts_at,
        "once_duration": duration_minutes,
        "once_questions": questions,
    }
    try:
        series = get_series(ctx, tag).series
        made = do_schedule_chat(
            ctx,
            viewer,
            tag,
            title=title,
            starts_at=wall_to_instant(_wall(starts_at, "start"), series.timezone),
            duration_minutes=_number(duration_minutes, "duration"),
            questions=[line for line in questions.splitlines() if line.strip()],
        )
    except ActionError as error:
        return _schedule_page(request, tag, error=error.reason, status=error.status, form=form)
    return see_other(series_path(made.chats[0].series_tag, "/schedule?done=scheduled"))


@router.post("/series/{tag}/schedule/recurring", dependencies=CSRF, response_model=None)
def schedule_recurring(
    request: Request,
    tag: str,
    title: FormText = "",
    first_start: FormText = "",
    every_weeks: FormText = "1",
    until: FormText = "",
    duration_minutes: FormText = "60",
) -> Response:
    """Schedule chats every N weeks from a first wall time in the series' zone."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, "/schedule"))
    form = {
        "every_title": title,
        "every_first_start": first_start,
        "every_weeks": every_weeks,
        "every_until": until,
        "every_duration": duration_minutes,
    }
    try:
        do_create_schedule(
            context_of(request),
            viewer,
            tag,
            title=title,
            first_start=_wall(first_start, "first chat"),
            every_weeks=_number(every_weeks, "every N weeks"),
            until=_date(until),
            duration_minutes=_number(duration_minutes, "duration"),
        )
    except ActionError as error:
        return _schedule_page(request, tag, error=error.reason, status=error.status, form=form)
    return see_other(series_path(tag, "/schedule?done=recurring"))


@router.post("/chats/{chat_id}/move", dependencies=CSRF, response_model=None)
def move(request: Request, chat_id: ChatId, starts_at: FormText = "") -> Response:
    """Move a chat that has not started to a wall time in its series' zone."""
    viewer = viewer_of(request)
    ctx = context_of(request)
    try:
        chat = get_chat(ctx, chat_id)
    except ActionError as error:
        return refusal(request, error.status, "No such chat", error.reason)
    if viewer is None:
        return login_first(series_path(chat.series_tag, "/schedule"))
    try:
        series = get_series(ctx, chat.series_tag).series
        instant = wall_to_instant(_wall(starts_at, "new start"), series.timezone)
        do_move_chat(ctx, viewer, chat_id, instant)
    except ActionError as error:
        return _schedule_page(request, chat.series_tag, error=error.reason, status=error.status)
    return see_other(series_path(chat.series_tag, "/schedule?done=moved"))


@router.get("/chats/{chat_id}/skip", response_class=HTMLResponse, response_model=None)
def confirm_skip(request: Request, chat_id: ChatId) -> Response:
    """Ask before cancelling a chat."""
    ctx = context_of(request)
    try:
        chat = get_chat(ctx, chat_id)
        series = get_series(ctx, chat.series_tag).series
    except ActionError as error:
        return refusal(request, error.status, "No such chat", error.reason)
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(f"/chats/{chat_id}/skip")
    if Mutation.RESCHEDULE_CHAT not in may_in_series(ctx, viewer, series.tag):
        return refusal(request, 403, "Hosts only", "Only the owners and co-hosts skip a chat.")
    if chat.state != "scheduled":
        return refusal(
            request, 409, "Cannot skip the chat", f"“{chat.title}” is {chat.state}: it has started."
        )
    return page(
        request,
        "confirm.html",
        f"Skip “{chat.title}”?",
        question=f"Cancel “{chat.title}” on {in_zone(chat.starts_at, series.timezone)}?",
        consequence="The chat and its questions are removed and its date is skipped: a "
        "schedule does not make it again. People who subscribed to the calendar see it go.",
        action=f"/chats/{chat_id}/skip",
        confirm_label="Skip this chat",
        cancel=series_path(series.tag, "/schedule"),
    )


@router.post("/chats/{chat_id}/skip", dependencies=CSRF, response_model=None)
def skip(request: Request, chat_id: ChatId, confirm: FormText = "") -> Response:
    """Cancel the chat once confirmed (without the confirmation: the question again)."""
    if confirm != "yes":
        return confirm_skip(request, chat_id)  # not confirmed: the question again
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(f"/chats/{chat_id}/skip")
    ctx = context_of(request)
    try:
        skipped = do_skip_chat(ctx, viewer, chat_id)
    except ActionError as error:
        return refusal(request, error.status, "Cannot skip the chat", error.reason)
    return see_other(series_path(skipped.series_tag, "/schedule?done=skipped"))


@router.get(
    "/series/{tag}/schedules/{schedule_id}/stop",
    response_class=HTMLResponse,
    response_model=None,
)
def confirm_stop(request: Request, tag: str, schedule_id: ScheduleId) -> Response:
    """Ask before stopping a schedule."""
    if viewer_of(request) is None:
        return login_first(series_path(tag, "/schedule"))
    try:
        found = [s for s in list_schedules(context_of(request), tag) if s.id == schedule_id]
    except ActionError as error:
        return refusal(request, error.status, "No such series", error.reason)
    if not found:
        return refusal(request, 404, "No such schedule", f"#{tag} has no schedule {schedule_id}.")
    schedule = found[0]
    return page(
        request,
        "confirm.html",
        "Stop the schedule?",
        question=f"Stop “{schedule.title}”: {schedule.summary}?",
        consequence="No more chats are made from it. The chats it already made stay; "
        "skip them one by one if they should not happen.",
        action=series_path(schedule.series_tag, f"/schedules/{schedule_id}/stop"),
        confirm_label="Stop the schedule",
        cancel=series_path(schedule.series_tag, "/schedule"),
    )


@router.post("/series/{tag}/schedules/{schedule_id}/stop", dependencies=CSRF, response_model=None)
def stop(request: Request, tag: str, schedule_id: ScheduleId, confirm: FormText = "") -> Response:
    """Stop the schedule once confirmed."""
    if confirm != "yes":
        return confirm_stop(request, tag, schedule_id)  # not confirmed: the question again
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, "/schedule"))
    try:
        stopped = do_stop_schedule(context_of(request), viewer, tag, schedule_id)
    except ActionError as error:
        return _schedule_page(request, tag, error=error.reason, status=error.status)
    return see_other(series_path(stopped.series_tag, "/schedule?done=stopped"))
