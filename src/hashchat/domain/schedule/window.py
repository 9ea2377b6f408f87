"""The dates hashchat accepts from people: 1970-01-01 to 2200-01-01 UTC, and sane spans.

Every door (API, pages, CLI, recap files) checks a typed date against this one window. A date
outside it is a typo or a probe; refusing it here keeps every later conversion (to a viewer's
zone, to a calendar's wall time, plus an hour) far from the ends of datetime's range, where
Python raises OverflowError instead of answering.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from hashchat.domain.schedule.errors import ScheduleError

EARLIEST_INSTANT = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_INSTANT = datetime(2200, 1, 1, tzinfo=UTC)
# A chat's length: a slow chat runs one question a day for a week.
MAX_DURATION_MINUTES = 7 * 24 * 60
# How often a series repeats: at most every ten years' worth of weeks (or months).
MAX_INTERVAL = 520
# How many dates a series rule may make: a weekly series for well over a century.
MAX_COUNT = 10_000


class OutsideDateWindowError(ScheduleError):
    """A date or time outside the window hashchat accepts."""


def window_text() -> str:
    """The window in words, for messages and docs."""
    return f"{EARLIEST_INSTANT:%Y-%m-%d} and {LATEST_INSTANT:%Y-%m-%d} (UTC)"


def check_instant(value: datetime, what: str) -> datetime:
    """`value` when it lies in the window; a naive value is read as wall time near UTC.

    Raises OutsideDateWindowError naming `what`. The comparison is made without converting
    `value` to UTC first, as that conversion is what overflows at the ends of the calendar.
    """
    try:
        if value.tzinfo is None or value.utcoffset() is None:
            inside = (
                EARLIEST_INSTANT.replace(tzinfo=None)
                <= value
                <= LATEST_INSTANT.replace(tzinfo=None)
            )
        else:
            inside = EARLIEST_INSTANT <= value <= LATEST_INSTANT
    except OverflowError:
        inside = False
    if not inside:
        raise OutsideDateWindowError(f"{what} {value.isoformat()} is not between {window_text()}")
    return value


def check_date(value: date, what: str) -> date:
    """A calendar date inside the window, or OutsideDateWindowError naming `what`."""
    if not EARLIEST_INSTANT.date() <= value <= LATEST_INSTANT.date():
        raise OutsideDateWindowError(f"{what} {value.isoformat()} is not between {window_text()}")
    return value


def check_duration_minutes(minutes: int, what: str = "duration") -> int:
    """A whole number of minutes from 1 to MAX_DURATION_MINUTES (a week)."""
    if not 1 <= minutes <= MAX_DURATION_MINUTES:
        raise ScheduleError(f"{what} must be 1 to {MAX_DURATION_MINUTES} minutes, not {minutes}")
    return minutes
