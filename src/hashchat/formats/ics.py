"""Calendar feeds (RFC 5545) of a series or a single chat, so readers get the time in their zone.

A series is one VEVENT with an RRULE (and EXDATEs for skipped dates) whose DTSTART is local wall
time with the TZID of the series' home zone, plus the VTIMEZONE describing that zone, so every
client repeats the chat at the host's wall time across daylight-saving changes. A single chat is
one VEVENT without RRULE. Both carry two DISPLAY reminders, 2 hours and 30 minutes before.

Output is deterministic: the UID comes from the tag (and the chat id or start of a single chat)
and DTSTAMP from the injected `stamp`, or else from the first start, so the same input always
gives the same bytes and re-importing a feed updates the event instead of duplicating it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from icalendar import Alarm, Calendar, Event, Timezone, vRecur

from hashchat.domain.schedule import Recurrence, SeriesSchedule, announcement_line
from hashchat.domain.schedule.recurrence import (
    local_rule,
    local_starts,
    wall_time_to_utc,
)
from hashchat.domain.schedule.zones import require_aware
from hashchat.domain.text.controls import one_line, plain_lines

PRODUCT_ID = "-//hashchat//hashchat calendar//EN"
REMINDERS = (timedelta(hours=2), timedelta(minutes=30))
_ICS_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_OPEN_SERIES_YEARS = 20


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """What goes into a feed: the schedule, and the words around it.

    `announcement_zones` are the zones of the announcement line in the description (the home
    zone alone when empty); `guide` is the participation guide text that follows it.
    `chat_id` makes the UID of a single chat (its start in UTC is used without one).
    """

    tag: str
    title: str
    schedule: SeriesSchedule
    announcement_zones: tuple[str, ...] = ()
    guide: str = ""
    url: str | None = None
    chat_id: str | None = None


def _slug(text: str) -> str:
    # Letters of any script stay, so #日本語 and #café do not collapse into one UID.
    return re.sub(r"\W+", "-", text.casefold()).strip("-_") or "chat"


def event_uid(entry: CalendarEntry) -> str:
    """The stable UID: `series-TAG@hashchat`, or `chat-TAG-ID@hashchat` for a single chat."""
    tag = _slug(entry.tag)
    if entry.schedule.recurrence is not None:
        return f"series-{tag}@hashchat"
    start = wall_time_to_utc(entry.schedule.wall_start, entry.schedule.zone)
    chat = _slug(entry.chat_id) if entry.chat_id else f"{start:%Y%m%dT%H%MZ}".lower()
    return f"chat-{tag}-{chat}@hashchat"


def _summary(entry: CalendarEntry) -> str:
    # Stored or imported text may hold any control character; a one-line property gets none
    # (icalendar leaves a bare CR, VT or NEL in place, and a lenient parser breaks a line there).
    title, tag = one_line(entry.title), one_line(entry.tag)
    if tag.lower() in title.lower():
        return title
    return f"{title} {tag}".strip()


def _description(entry: CalendarEntry, first_start_utc: datetime | None) -> str:
    lines = []
    if first_start_utc is not None:
        zones = entry.announcement_zones or (entry.schedule.timezone,)
        lines.append(announcement_line(first_start_utc, zones))
    if entry.guide:
        lines.append(plain_lines(entry.guide))
    return "\n\n".join(lines)


def _rrule(recurrence: Recurrence, schedule: SeriesSchedule) -> vRecur:
    weekday_index = (
        schedule.wall_start.weekday() if recurrence.weekday is None else recurrence.weekday
    )
    weekday = _ICS_WEEKDAYS[weekday_index]
    rule = vRecur(freq=recurrence.freq.upper())
    if recurrence.interval != 1:
        rule["interval"] = recurrence.interval
    rule["byday"] = weekday if recurrence.nth is None else f"{recurrence.nth}{weekday}"
    if recurrence.count is not None:
        rule["count"] = recurrence.count
    if recurrence.until is not None:
        rule["until"] = _until_utc(recurrence.until, schedule)
    return rule


def _in_words(span: timedelta) -> str:
    minutes = int(span.total_seconds()) // 60
    if minutes % 60:
        return f"{minutes} minutes"
    return "1 hour" if minutes == 60 else f"{minutes // 60} hours"


def _until_utc(until: date, schedule: SeriesSchedule) -> datetime:
    """RFC 5545 wants UNTIL in UTC with a zoned DTSTART: the end of the host's last local day."""
    return wall_time_to_utc(datetime.combine(until, time(23, 59, 59)), schedule.zone)


def _alarm(before: timedelta, entry: CalendarEntry) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -before)
    alarm.add("description", f"{_summary(entry)} starts in {_in_words(before)}")
    return alarm


def _timezone_window(entry: CalendarEntry, first_wall: datetime) -> tuple[date, date]:
    """The dates the VTIMEZONE covers: from a year before the first chat to its last one.

    Open or far-reaching series are cut at `_OPEN_SERIES_YEARS`; clients fall back on their
    own zone database beyond it, and nobody can know the rules of a zone that far ahead.
    """
    first = first_wall.date()
    horizon = first + timedelta(days=round(365.25 * _OPEN_SERIES_YEARS))
    recurrence = entry.schedule.recurrence
    if recurrence is None:
        last = first
    elif recurrence.until is not None:
        last = min(recurrence.until, horizon)
    elif recurrence.count is not None:
        last = min(list(local_rule(entry.schedule))[-1].date(), horizon)
    else:
        last = horizon
    return first - timedelta(days=366), last + timedelta(days=366)


def calendar_name(text: str) -> str:
    """`text` for X-WR-CALNAME, which icalendar writes without escaping: on one line."""
    return one_line(text)


def calendar_ics(entry: CalendarEntry, *, stamp: datetime | None = None) -> bytes:
    """The ICS bytes of `entry`: a series when its schedule recurs, else a single chat.

    `stamp` (aware) becomes DTSTAMP; without it the first start is used, to keep output stable.
    """
    if stamp is not None:
        require_aware(stamp, "stamp")
    schedule = entry.schedule
    zone = schedule.zone
    first_wall = _first_rule_start(schedule)
    first_chat = next(local_starts(schedule), None)
    first_chat_utc = None if first_chat is None else wall_time_to_utc(first_chat, zone)

    event = Event()
    event.add("uid", event_uid(entry))
    event.add("dtstamp", (stamp or wall_time_to_utc(first_wall, zone)).astimezone(UTC))
    event.add("dtstart", first_wall.replace(tzinfo=zone))
    event.add("duration", schedule.duration)
    event.add("summary", _summary(entry))
    description = _description(entry, first_chat_utc)
    if description:
        event.add("description", description)
    if entry.url:
        event.add("url", one_line(entry.url))
    if schedule.recurrence is not None:
        event.add("rrule", _rrule(schedule.recurrence, schedule))
        if schedule.skipped:
            event.add(
                "exdate",
                [
                    datetime.combine(skipped, first_wall.time()).replace(tzinfo=zone)
                    for skipped in sorted(schedule.skipped)
                ],
            )
    for before in REMINDERS:
        event.add_component(_alarm(before, entry))

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name(_summary(entry)))
    first_date, last_date = _timezone_window(entry, first_wall)
    calendar.add_component(
        Timezone.from_tzid(schedule.timezone, first_date=first_date, last_date=last_date)
    )
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def _first_rule_start(schedule: SeriesSchedule) -> datetime:
    """The first date the rule makes, skipped or not: RFC 5545 counts DTSTART as one."""
    if schedule.recurrence is None:
        return schedule.wall_start
    return next(iter(local_rule(schedule)))
