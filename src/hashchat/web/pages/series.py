"""The series page, its calendar feed (ICS with reminders) and its Atom feed of recaps."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from icalendar import Calendar

from hashchat.actions.calendar import calendar_of_series
from hashchat.actions.chats import cadence_from_json
from hashchat.actions.errors import NotFoundError
from hashchat.actions.permissions import HOSTS, Mutation
from hashchat.actions.recap import recap_summaries
from hashchat.actions.schedule import list_schedules
from hashchat.actions.series import get_series, may_in_series
from hashchat.actions.views import ChatView, SeriesView
from hashchat.domain import announce
from hashchat.domain.schedule import ScheduleError, SeriesSchedule, announcement_line
from hashchat.formats.ics import CalendarEntry, calendar_ics, calendar_name
from hashchat.web.downloads import content_disposition
from hashchat.web.pages.common import context_of, page, refusal, viewer_of
from hashchat.web.pages.feeds import RecapEntry, recaps_atom
from hashchat.web.pages.views import ChatSummary, rule_description

router = APIRouter()

PAST_STATES = ("late_answers", "closed")


def announcement_zones(series: SeriesView) -> tuple[str, ...]:
    """The zones the host chose (settings), else the series' own zone first, then the usual
    ones it does not already cover."""
    return announce.announcement_zones(series.timezone, series.announcement_zones)


def guide_text(series: SeriesView) -> str:
    """The participation guide for calendar descriptions: the host's words when she wrote
    them, then the rules in one paragraph."""
    return announce.guide_text(series.tag, series.guide, series.char_limit, series.char_rule)


def _announcement(series: SeriesView, chat: ChatView) -> str:
    try:
        return announcement_line(chat.starts_at, announcement_zones(series))
    except ScheduleError:
        return ""  # a row from before the date window: shown by its UTC time alone


def _summary(series: SeriesView, chat: ChatView) -> ChatSummary:
    return ChatSummary(
        id=chat.id,
        title=chat.title,
        starts_at=chat.starts_at,
        duration_minutes=chat.duration_minutes,
        state=chat.state,
        announcement=_announcement(series, chat),
        topic=chat.topic,
    )


@router.get("/series/{tag}", response_class=HTMLResponse)
def series_page(request: Request, tag: str) -> HTMLResponse:
    """Description, hosts, next chats, the guide, the calendar link and past recaps."""
    ctx = context_of(request)
    try:
        detail = get_series(ctx, tag)
    except NotFoundError:
        return refusal(request, 404, "No such series", f"There is no series #{tag}.")
    series = detail.series
    chats = list(reversed(detail.chats))  # earliest first
    hosts = sorted(
        (m for m in detail.members if m.role in HOSTS), key=lambda m: (m.role != "owner", m.name)
    )
    cadence = cadence_from_json(chats[-1].cadence if chats else None)
    viewer = viewer_of(request)
    may = may_in_series(ctx, viewer, series.tag) if viewer else frozenset()
    return page(
        request,
        "series.html",
        f"#{series.tag}",
        series=series,
        hosts=hosts,
        live_chats=[_summary(series, c) for c in chats if c.state == "live"],
        upcoming=[_summary(series, c) for c in chats if c.state == "scheduled"],
        past=[_summary(series, c) for c in reversed(chats) if c.state in PAST_STATES],
        cadence_minutes=cadence.question_interval_minutes,
        rule_description=rule_description(series.char_rule),
        schedules=[s for s in list_schedules(ctx, series.tag) if not s.stopped],
        may_edit=Mutation.EDIT_SERIES in may,
        may_schedule=Mutation.SCHEDULE_CHATS in may,
        may_see_people=Mutation.SEE_PEOPLE in may,
    )


@router.get("/series/{tag}/calendar.ics")
def series_calendar(request: Request, tag: str) -> Response:
    """The series' chats as one calendar, each with reminders 2 h and 30 min before.

    Which chats, and at what times, is `actions.calendar.calendar_of_series`'s to say: live and past
    ones stay (at the times they happened), for CALENDAR_PAST_DAYS.
    """
    try:
        feed = calendar_of_series(context_of(request), tag)
    except NotFoundError:
        return refusal(request, 404, "No such series", f"There is no series #{tag}.")
    series, chats = feed.series, feed.chats
    calendar = Calendar()
    calendar.add("prodid", "-//hashchat//hashchat calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", calendar_name(f"#{series.tag} — {series.title}"))
    zones_seen: set[str] = set()
    for chat in chats:
        try:
            schedule = SeriesSchedule(
                timezone=series.timezone,
                first_start=chat.start,
                duration_minutes=chat.duration_minutes,
            )
        except ScheduleError:
            continue  # a row from before the date window has no place in a calendar
        entry = CalendarEntry(
            tag=f"#{series.tag}",
            title=chat.title,
            schedule=schedule,
            announcement_zones=announcement_zones(series),
            guide=guide_text(series),
            url=str(request.url_for("room_page", chat_id=chat.id)),
            chat_id=str(chat.id),
        )
        single = Calendar.from_ical(calendar_ics(entry))
        for component in single.subcomponents:
            if component.name == "VTIMEZONE":
                # One VTIMEZONE per zone; each chat's covers its own date, so keep the first
                # and let clients use their zone database for the rest (RFC 7809 style).
                if str(component.get("tzid")) in zones_seen:
                    continue
                zones_seen.add(str(component.get("tzid")))
            calendar.add_component(component)
    return Response(
        calendar.to_ical(),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": content_disposition(f"{series.tag}.ics")},
    )


@router.get("/series/{tag}/recaps.atom")
def series_recaps_feed(request: Request, tag: str) -> Response:
    """An Atom entry per chat past its live hour, linking to its recap."""
    ctx = context_of(request)
    entries: list[RecapEntry] = []
    try:
        detail = get_series(ctx, tag)
    except NotFoundError:
        return refusal(request, 404, "No such series", f"There is no series #{tag}.")
    series = detail.series
    past = [c for c in reversed(detail.chats) if c.state in PAST_STATES]
    # Stored once per change of each chat (actions.recap.recap_summaries), not rebuilt per request.
    summaries = recap_summaries(ctx, [chat.id for chat in past])
    for chat in past:
        if chat.id not in summaries:
            continue
        published = chat.ended_at or chat.starts_at
        entries.append(
            RecapEntry(
                chat_id=chat.id,
                title=f"Recap: {chat.title}",
                url=str(request.url_for("recap_page", chat_id=chat.id)),
                updated=chat.closed_at or published,
                published=published,
                summary=summaries[chat.id],
            )
        )
    body = recaps_atom(
        series,
        feed_url=str(request.url),
        page_url=str(request.url_for("series_page", tag=series.tag)),
        entries=entries,
        quiet_since=ctx.now(),
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")
