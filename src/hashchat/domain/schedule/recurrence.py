"""When a series' chats happen: weekly, every N weeks or monthly on the nth weekday, in its zone.

Every date is worked out in the series' home zone on local wall time (the host says "Fridays at
5pm London time", whatever the offset is that week) and only then turned into UTC. A wall time
that falls in a daylight-saving gap is shifted forward by the length of the gap, as RFC 5545
(3.3.5) says; a wall time that happens twice in a fold is taken at its first occurrence. Both fall
out of zoneinfo's `fold=0`, which is also what calendar clients reading our ICS do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil import rrule

from hashchat.domain.schedule.errors import ScheduleError
from hashchat.domain.schedule.window import (
    MAX_COUNT,
    MAX_INTERVAL,
    check_date,
    check_duration_minutes,
    check_instant,
)
from hashchat.domain.schedule.zones import load_zone, require_aware

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_RRULE_WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)
_NTH_ALLOWED = (1, 2, 3, 4, -1)
# A week is cut at Monday both here and in the RRULE we write (RFC 5545's default WKST),
# so "every 2 weeks" means the same weeks to dateutil and to every calendar client.
_WEEK_START = rrule.MO

Frequency = Literal["weekly", "monthly"]


@dataclass(frozen=True, slots=True)
class Recurrence:
    """How a series repeats; the time of day comes from the series' first start.

    - `freq="weekly"`: every `interval` weeks on `weekday`.
    - `freq="monthly"`: every `interval` months on the `nth` `weekday` of the month
      (`nth` 1..4, or -1 for the last one, e.g. last Thursday).
    - `weekday` (0 = Monday … 6 = Sunday) defaults to the weekday of the first start; when it is
      another day, the series begins on the first such day after the first start.
    - `count` is how many dates the rule makes. A skipped date still uses one up, the way an
      EXDATE does in RFC 5545, so calendars and `occurrences` always agree.
    - `until` is the last local date a chat may fall on (inclusive). `count` and `until` exclude
      each other, as in RFC 5545; with neither the series runs for ever.
    """

    freq: Frequency
    interval: int = 1
    weekday: int | None = None
    nth: int | None = None
    count: int | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.freq not in ("weekly", "monthly"):
            raise ScheduleError(f"unknown frequency {self.freq!r} (use weekly or monthly)")
        if not 1 <= self.interval <= MAX_INTERVAL:
            raise ScheduleError(f"interval must be 1 to {MAX_INTERVAL}, not {self.interval}")
        if self.weekday is not None and not 0 <= self.weekday <= 6:
            raise ScheduleError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")
        if self.freq == "monthly" and self.nth not in _NTH_ALLOWED:
            raise ScheduleError(
                f"a monthly series needs nth 1, 2, 3, 4 or -1 (last), not {self.nth}"
            )
        if self.freq == "weekly" and self.nth is not None:
            raise ScheduleError("nth applies to monthly series only, not weekly ones")
        if self.count is not None and not 1 <= self.count <= MAX_COUNT:
            raise ScheduleError(f"count must be 1 to {MAX_COUNT}, not {self.count}")
        if self.count is not None and self.until is not None:
            raise ScheduleError("give either a count or an until date, not both")
        if self.until is not None:
            check_date(self.until, "until")


@dataclass(frozen=True, slots=True)
class SeriesSchedule:
    """A series' (or a one-off chat's) place in time.

    `first_start` is local wall time in `timezone` when naive; an aware value is first turned
    into that zone's wall time. It must fall on a whole minute. With `recurrence=None` this is a
    one-off chat at `first_start`. `skipped` holds local dates the rule makes but the chat skips
    (holidays); a date the rule never makes is an error, as it is almost always a typo.
    """

    timezone: str
    first_start: datetime
    duration_minutes: int = 60
    recurrence: Recurrence | None = None
    skipped: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        load_zone(self.timezone)
        check_duration_minutes(self.duration_minutes)
        check_instant(self.first_start, "start")
        if self.first_start.second or self.first_start.microsecond:
            raise ScheduleError(f"start {self.first_start.isoformat()} is not on a whole minute")
        if self.recurrence is None:
            if self.skipped:
                raise ScheduleError("a one-off chat has no dates to skip")
            return
        until = self.recurrence.until
        if until is not None and until < self.wall_start.date():
            raise ScheduleError(
                f"until {until.isoformat()} is before the first start "
                f"{self.wall_start.date().isoformat()}"
            )
        rule = local_rule(self)
        if next(iter(rule), None) is None:
            raise ScheduleError(
                f"the series has no dates between {self.wall_start.date().isoformat()} "
                f"and until {until}"
            )
        for skipped in sorted(self.skipped):
            check_date(skipped, "skipped date")
            day = (datetime.combine(skipped, time.min), datetime.combine(skipped, time.max))
            if not rule.between(*day, inc=True):
                raise ScheduleError(
                    f"skipped date {skipped.isoformat()} ({WEEKDAY_NAMES[skipped.weekday()]}) "
                    "is not one of the series' dates"
                )

    @property
    def zone(self) -> ZoneInfo:
        """The home zone."""
        return load_zone(self.timezone)

    @property
    def wall_start(self) -> datetime:
        """The first start as naive local wall time in the home zone."""
        if self.first_start.tzinfo is None:
            return self.first_start
        return self.first_start.astimezone(self.zone).replace(tzinfo=None)

    @property
    def duration(self) -> timedelta:
        """How long each chat lasts."""
        return timedelta(minutes=self.duration_minutes)


def local_rule(schedule: SeriesSchedule) -> rrule.rrule:
    """The dateutil rule of a recurring series, on naive local wall times of its home zone."""
    recurrence = schedule.recurrence
    if recurrence is None:
        raise ScheduleError("a one-off chat has no recurrence rule")
    start = schedule.wall_start
    weekday = _RRULE_WEEKDAYS[start.weekday() if recurrence.weekday is None else recurrence.weekday]
    until = None if recurrence.until is None else datetime.combine(recurrence.until, time.max)
    return rrule.rrule(
        rrule.WEEKLY if recurrence.freq == "weekly" else rrule.MONTHLY,
        dtstart=start,
        interval=recurrence.interval,
        wkst=_WEEK_START,
        byweekday=weekday if recurrence.nth is None else weekday(recurrence.nth),
        count=recurrence.count,
        until=until,
    )


def wall_time_to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of naive local `wall` in `zone`: gaps shift forward, folds take the first."""
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def local_starts(
    schedule: SeriesSchedule, *, not_before: datetime | None = None
) -> Iterator[datetime]:
    """Naive local wall-time starts in order, skipped dates left out; `not_before` is local."""
    if schedule.recurrence is None:
        if not_before is None or schedule.wall_start >= not_before:
            yield schedule.wall_start
        return
    rule = local_rule(schedule)
    starts = rule if not_before is None else rule.xafter(not_before, inc=True)
    for start in starts:
        if start.date() not in schedule.skipped:
            yield start


def occurrences(schedule: SeriesSchedule, *, after: datetime, limit: int) -> list[datetime]:
    """Up to `limit` chat starts, as aware UTC datetimes, at or after the aware instant `after`."""
    require_aware(after, "after")
    if limit < 0:
        raise ScheduleError(f"limit must not be negative, not {limit}")
    zone = schedule.zone
    found: list[datetime] = []
    if limit == 0:
        return found
    try:
        # A day of slack covers any UTC offset; the exact cut is made on UTC below.
        local_after: datetime | None = after.astimezone(zone).replace(tzinfo=None) - timedelta(
            days=1
        )
    except OverflowError:
        # Only the ends of datetime's range get here: from year 1 on everything counts,
        # and past year 9999 there is nothing.
        if after.year > 1:
            return found
        local_after = None
    for wall in local_starts(schedule, not_before=local_after):
        try:
            instant = wall_time_to_utc(wall, zone)
        except OverflowError:
            break
        if instant >= after:
            found.append(instant)
            if len(found) == limit:
                break
    return found
