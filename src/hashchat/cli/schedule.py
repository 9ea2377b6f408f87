"""`hashchat when` (the announcement line) and `hashchat calendar` (an ICS feed)."""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from hashchat.cli.errors import fail
from hashchat.domain.schedule import (
    Recurrence,
    ScheduleError,
    SeriesSchedule,
    announcement_line,
    load_zone,
)
from hashchat.domain.schedule.window import check_date, check_instant
from hashchat.domain.text.controls import code_point, first_control_character
from hashchat.formats.ics import CalendarEntry, calendar_ics

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _parse_instant(text: str, what: str) -> datetime:
    try:
        return check_instant(datetime.fromisoformat(text.strip()), what)
    except ScheduleError as error:
        fail(str(error))
    except ValueError:
        fail(f"{what} {text!r} is not an ISO date-time such as 2026-12-04T17:00Z")


def _parse_date(text: str, what: str) -> date:
    try:
        return check_date(date.fromisoformat(text.strip()), what)
    except ScheduleError as error:
        fail(str(error))
    except ValueError:
        fail(f"{what} {text!r} is not an ISO date such as 2026-12-25")


def _one_line(text: str, what: str) -> str:
    found = first_control_character(text)
    if found is not None:
        fail(f"{what} must be one line without control characters (found {code_point(found)})")
    return text


def _parse_zones(text: str) -> tuple[str, ...]:
    zones = tuple(zone.strip() for zone in text.split(",") if zone.strip())
    if not zones:
        fail("--zones needs at least one time zone, e.g. Europe/London,America/New_York")
    for zone in zones:
        try:
            load_zone(zone)
        except ScheduleError as error:
            fail(str(error))
    return zones


def _parse_weekday(text: str) -> int:
    key = text.strip().lower()[:3]
    if key not in _WEEKDAYS or not text.strip().lower().startswith(key):
        fail(f"--weekday {text!r} is not a weekday (mon, tue, wed, thu, fri, sat, sun)")
    return _WEEKDAYS.index(key)


def _parse_nth(text: str) -> int:
    if text.strip().lower() == "last":
        return -1
    try:
        return int(text)
    except ValueError:
        fail(f"--monthly-nth {text!r} is not 1, 2, 3, 4 or last")


def when(
    instant: Annotated[
        str,
        typer.Argument(
            metavar="ISO-INSTANT",
            help="ISO instant, e.g. 2013-01-25T17:00Z; without offset it is UTC.",
        ),
    ],
    zones: Annotated[
        str, typer.Option(help="Comma-separated IANA zones; the first one gives the date.")
    ],
) -> None:
    """Print the start time the way hosts announce it: `Friday, … at 5pm GMT/12pm ET/9am PT`."""
    moment = _parse_instant(instant, "instant")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        line = announcement_line(moment, _parse_zones(zones))
    except (ValueError, OverflowError) as error:
        fail(str(error))
    typer.echo(line)


def _recurrence(
    *,
    weekly: bool,
    every_weeks: int | None,
    monthly_nth: str | None,
    weekday: str | None,
    count: int | None,
    until: str | None,
    skip: list[str],
) -> Recurrence | None:
    chosen = [
        name
        for name, given in (
            ("--weekly", weekly),
            ("--every-weeks", every_weeks is not None),
            ("--monthly-nth", monthly_nth is not None),
        )
        if given
    ]
    if len(chosen) > 1:
        fail(f"choose one of --weekly, --every-weeks, --monthly-nth, not {' and '.join(chosen)}")
    if not chosen:
        extras = [
            name
            for name, given in (
                ("--weekday", weekday is not None),
                ("--count", count is not None),
                ("--until", until is not None),
                ("--skip", bool(skip)),
            )
            if given
        ]
        if extras:
            fail(
                f"{', '.join(extras)} needs a recurrence: --weekly, --every-weeks or --monthly-nth"
            )
        return None
    return Recurrence(
        freq="monthly" if monthly_nth is not None else "weekly",
        interval=every_weeks if every_weeks is not None else 1,
        weekday=None if weekday is None else _parse_weekday(weekday),
        nth=None if monthly_nth is None else _parse_nth(monthly_nth),
        count=count,
        until=None if until is None else _parse_date(until, "--until"),
    )


def _write_atomically(path: Path, payload: bytes) -> None:
    # Written beside the target and renamed, so a failed write never leaves half a calendar.
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as error:
        fail(f"cannot write {str(path)!r}: {error.strerror}")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        fail(f"cannot write {str(path)!r}: {error.strerror}")


def calendar(
    tag: Annotated[str, typer.Option(help="The chat's hashtag, e.g. '#KaizenBiz' (# optional).")],
    timezone: Annotated[str, typer.Option(help="The series' home zone, e.g. Europe/London.")],
    start: Annotated[
        str, typer.Option(help="First start, local wall time in --timezone: 2026-12-04T17:00.")
    ],
    title: Annotated[str, typer.Option(help="Event title; the tag is added.")] = "",
    duration: Annotated[int, typer.Option(help="Length of each chat in minutes.")] = 60,
    weekly: Annotated[bool, typer.Option("--weekly", help="Repeat every week.")] = False,
    every_weeks: Annotated[int | None, typer.Option(help="Repeat every N weeks.")] = None,
    monthly_nth: Annotated[
        str | None, typer.Option(help="Repeat monthly on the Nth weekday: 1, 2, 3, 4 or last.")
    ] = None,
    weekday: Annotated[
        str | None, typer.Option(help="Weekday of the series (default: that of --start).")
    ] = None,
    skip: Annotated[
        list[str] | None, typer.Option(help="A local date the series skips; repeatable.")
    ] = None,
    count: Annotated[int | None, typer.Option(help="Number of dates (skipped ones count).")] = None,
    until: Annotated[str | None, typer.Option(help="Last local date of the series.")] = None,
    zones: Annotated[
        str | None, typer.Option(help="Zones of the announcement line (default: --timezone).")
    ] = None,
    guide: Annotated[str, typer.Option(help="Participation guide text for the description.")] = "",
    url: Annotated[str | None, typer.Option(help="Link to the chat room.")] = None,
    chat_id: Annotated[str | None, typer.Option(help="Id of a single chat, for its UID.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to FILE instead of stdout.")
    ] = None,
) -> None:
    """Write the ICS feed of a series (with a recurrence option) or of a single chat."""
    hashtag = tag.strip() if tag.strip().startswith("#") else f"#{tag.strip()}"
    if len(hashtag) < 2:
        fail("--tag needs a hashtag, e.g. '#KaizenBiz'")
    _one_line(hashtag, "--tag")
    _one_line(title, "--title")
    _one_line(timezone, "--timezone")
    _one_line(url or "", "--url")
    _one_line(chat_id or "", "--chat-id")
    if first_control_character(guide, multiline=True) is not None:
        fail("--guide must not contain control characters other than line breaks and tabs")
    try:
        recurrence = _recurrence(
            weekly=weekly,
            every_weeks=every_weeks,
            monthly_nth=monthly_nth,
            weekday=weekday,
            count=count,
            until=until,
            skip=skip or [],
        )
        schedule = SeriesSchedule(
            timezone=timezone,
            first_start=_parse_instant(start, "--start"),
            duration_minutes=duration,
            recurrence=recurrence,
            skipped=frozenset(_parse_date(day, "--skip") for day in skip or []),
        )
        entry = CalendarEntry(
            tag=hashtag,
            title=title or hashtag,
            schedule=schedule,
            announcement_zones=_parse_zones(zones) if zones is not None else (),
            guide=guide,
            url=url,
            chat_id=chat_id,
        )
        payload = calendar_ics(entry)
    except (ValueError, OverflowError) as error:
        # ScheduleError names the option; anything else that made it past the checks is
        # still bad input, never a traceback.
        fail(str(error))
    if output is None:
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
    else:
        _write_atomically(output, payload)


def register(app: typer.Typer) -> None:
    """Add `when` and `calendar` to the main app."""
    app.command()(when)
    app.command()(calendar)
