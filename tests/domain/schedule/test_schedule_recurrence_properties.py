"""Properties of any weekly or monthly series in zones of both hemispheres."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from dateutil import rrule
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hashchat.domain.schedule import Recurrence, SeriesSchedule, occurrences

ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "America/St_Johns",
    "America/Santiago",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "Africa/Casablanca",
    "Africa/Johannesburg",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tehran",
)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
QUARTER_HOUR = timedelta(minutes=15)


@cache
def wall_time_changes(zone_name: str, year: int) -> tuple[tuple[datetime, timedelta], ...]:
    """Each (first wall time, length) of the gaps and folds `zone_name` has in `year`.

    A gap is a stretch of wall time the clocks skip; a fold one they show twice.
    """
    zone = ZoneInfo(zone_name)
    changes = []
    instant = datetime(year, 1, 1, tzinfo=UTC)
    previous = instant.astimezone(zone).utcoffset()
    while instant.year == year:
        instant += QUARTER_HOUR
        offset = instant.astimezone(zone).utcoffset()
        assert offset is not None
        assert previous is not None
        if offset != previous:
            first_wall = instant + min(offset, previous)
            changes.append((first_wall.replace(tzinfo=None), abs(offset - previous)))
        previous = offset
    return tuple(changes)


@st.composite
def series_through_a_change(draw: st.DrawFn) -> SeriesSchedule:
    """A series one of whose dates falls on a wall time the zone skips or repeats that day."""
    zone = draw(st.sampled_from(ZONES))
    year = draw(st.integers(2020, 2030))
    changes = wall_time_changes(zone, year)
    assume(changes)
    change_start, length = draw(st.sampled_from(changes))
    wall = change_start + QUARTER_HOUR * draw(st.integers(0, length // QUARTER_HOUR - 1))
    if draw(st.booleans()):
        interval = draw(st.integers(1, 3))
        first = wall - timedelta(weeks=interval * draw(st.integers(0, 5)))
        recurrence = Recurrence("weekly", interval=interval, count=20)
    else:
        last_of_month = (wall + timedelta(weeks=1)).month != wall.month
        nth = -1 if last_of_month and draw(st.booleans()) else min((wall.day - 1) // 7 + 1, 4)
        assume(nth == -1 or (wall.day - 1) // 7 + 1 == nth)
        first = wall - timedelta(days=draw(st.integers(0, 60)))
        recurrence = Recurrence("monthly", weekday=wall.weekday(), nth=nth, count=20)
    return SeriesSchedule(zone, first, 60, recurrence)


@st.composite
def series(draw: st.DrawFn) -> SeriesSchedule:
    zone = draw(st.sampled_from(ZONES))
    day = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))
    # Times around midnight and 1–3am are where the zones put their changes.
    wall_time = time(draw(st.integers(0, 23)), draw(st.sampled_from((0, 15, 30, 45))))
    freq = draw(st.sampled_from(("weekly", "monthly")))
    recurrence = Recurrence(
        freq,
        interval=draw(st.integers(1, 3)),
        weekday=draw(st.none() | st.integers(0, 6)),
        nth=draw(st.sampled_from((1, 2, 3, 4, -1))) if freq == "monthly" else None,
        count=draw(st.integers(1, 60)),
    )
    unskipped = SeriesSchedule(zone, datetime.combine(day, wall_time), 60, recurrence)
    rule_dates = [
        start.astimezone(unskipped.zone).date()
        for start in occurrences(unskipped, after=EPOCH, limit=60)
    ]
    skipped = draw(st.frozensets(st.sampled_from(rule_dates), max_size=5))
    return SeriesSchedule(zone, unskipped.first_start, 60, recurrence, skipped)


@settings(max_examples=200, deadline=None)
@given(st.one_of(series(), series_through_a_change()))
def test_every_start_keeps_the_series_wall_time_in_its_home_zone(schedule: SeriesSchedule) -> None:
    recurrence = schedule.recurrence
    assert recurrence is not None
    assert recurrence.count is not None
    starts = occurrences(schedule, after=EPOCH, limit=100)
    wall_time = schedule.wall_start.time()
    weekday = schedule.wall_start.weekday() if recurrence.weekday is None else recurrence.weekday

    assert len(starts) == recurrence.count - len(schedule.skipped)
    assert all(earlier < later for earlier, later in itertools.pairwise(starts))
    for start in starts:
        assert start.tzinfo is UTC
        local = start.astimezone(schedule.zone)
        assert local.date() not in schedule.skipped
        assert local.weekday() == weekday
        if recurrence.nth is not None:
            month = rrule.rrule(
                rrule.MONTHLY,
                dtstart=local.replace(day=1, tzinfo=None),
                count=1,
                byweekday=rrule.weekday(weekday)(recurrence.nth),
            )
            assert next(iter(month)).date() == local.date()
        for earlier in (timedelta(minutes=30), timedelta(hours=1)):
            # In a fold the first of the two instants showing this wall time is taken.
            assert (start - earlier).astimezone(schedule.zone).time() != local.time()
        if local.time() != wall_time:
            # Only a wall time that does not exist that day may differ: it moves forward by
            # exactly the gap, the offset after the change minus the offset before it.
            offset_before = (start - timedelta(hours=6)).astimezone(schedule.zone).utcoffset()
            assert offset_before is not None
            assert local.utcoffset() is not None
            gap = local.utcoffset() - offset_before
            assert gap > timedelta(0)
            wall = datetime.combine(local.date(), wall_time)
            assert local.replace(tzinfo=None) == wall + gap
