"""Recurring series and one-off chats: wall time in the home zone, UTC out, across DST."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from hashchat.domain.schedule import (
    Recurrence,
    ScheduleError,
    SeriesSchedule,
    UnknownTimeZoneError,
    occurrences,
)

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def weekly(zone: str, start: datetime, **recurrence: object) -> SeriesSchedule:
    return SeriesSchedule(zone, start, 60, Recurrence("weekly", **recurrence))  # type: ignore[arg-type]


def test_london_fridays_at_5pm_across_the_march_and_october_changes() -> None:
    series = weekly("Europe/London", datetime(2026, 3, 20, 17, 0))
    spring = occurrences(series, after=EPOCH, limit=3)
    assert spring == [utc(2026, 3, 20, 17), utc(2026, 3, 27, 17), utc(2026, 4, 3, 16)]
    autumn = occurrences(series, after=utc(2026, 10, 20), limit=2)
    assert autumn == [utc(2026, 10, 23, 16), utc(2026, 10, 30, 17)]


def test_new_york_noon_across_the_march_and_november_changes() -> None:
    series = weekly("America/New_York", datetime(2026, 3, 6, 12, 0))
    assert occurrences(series, after=EPOCH, limit=2) == [utc(2026, 3, 6, 17), utc(2026, 3, 13, 16)]
    autumn = occurrences(series, after=utc(2026, 10, 29), limit=2)
    assert autumn == [utc(2026, 10, 30, 16), utc(2026, 11, 6, 17)]


def test_sydney_saturday_4am_across_the_april_and_october_changes() -> None:
    series = weekly("Australia/Sydney", datetime(2026, 3, 28, 4, 0))
    autumn = occurrences(series, after=EPOCH, limit=3)
    # Sydney leaves daylight time on April 5, 2026: +11 before, +10 after.
    assert autumn == [utc(2026, 3, 27, 17), utc(2026, 4, 3, 17), utc(2026, 4, 10, 18)]
    spring = occurrences(series, after=utc(2026, 10, 1), limit=2)
    assert spring == [utc(2026, 10, 2, 18), utc(2026, 10, 9, 17)]


@pytest.mark.parametrize(
    ("zone", "wall", "expected_utc"),
    [
        # Each wall time does not exist that day; it moves forward by the gap (RFC 5545).
        ("America/New_York", datetime(2026, 3, 8, 2, 30), utc(2026, 3, 8, 7, 30)),
        ("Europe/London", datetime(2026, 3, 29, 1, 30), utc(2026, 3, 29, 1, 30)),
        ("Australia/Sydney", datetime(2026, 10, 4, 2, 30), utc(2026, 10, 3, 16, 30)),
    ],
)
def test_a_wall_time_in_a_gap_shifts_forward(
    zone: str, wall: datetime, expected_utc: datetime
) -> None:
    series = weekly(zone, wall - timedelta(weeks=1))
    gap_day = occurrences(series, after=EPOCH, limit=3)[1]
    assert gap_day == expected_utc
    assert gap_day.astimezone(series.zone).replace(tzinfo=None) == wall + timedelta(hours=1)


@pytest.mark.parametrize(
    ("zone", "wall", "expected_utc"),
    [
        # Each wall time happens twice that day; the first is taken.
        ("America/New_York", datetime(2026, 11, 1, 1, 30), utc(2026, 11, 1, 5, 30)),
        ("Europe/London", datetime(2026, 10, 25, 1, 30), utc(2026, 10, 25, 0, 30)),
        ("Australia/Sydney", datetime(2026, 4, 5, 2, 30), utc(2026, 4, 4, 15, 30)),
    ],
)
def test_a_wall_time_in_a_fold_takes_the_first(
    zone: str, wall: datetime, expected_utc: datetime
) -> None:
    series = weekly(zone, wall - timedelta(weeks=1))
    assert occurrences(series, after=EPOCH, limit=3)[1] == expected_utc


def test_every_two_weeks() -> None:
    series = weekly("Europe/London", datetime(2026, 1, 2, 17, 0), interval=2)
    starts = occurrences(series, after=EPOCH, limit=3)
    assert starts == [utc(2026, 1, 2, 17), utc(2026, 1, 16, 17), utc(2026, 1, 30, 17)]


def test_monthly_first_friday() -> None:
    series = SeriesSchedule(
        "Europe/London", datetime(2026, 12, 4, 17, 0), 60, Recurrence("monthly", nth=1)
    )
    starts = occurrences(series, after=EPOCH, limit=4)
    assert [start.date() for start in starts] == [
        date(2026, 12, 4),
        date(2027, 1, 1),
        date(2027, 2, 5),
        date(2027, 3, 5),
    ]


def test_monthly_last_thursday_named_apart_from_the_start() -> None:
    # The start is a Monday; the series begins on the first last-Thursday after it.
    series = SeriesSchedule(
        "America/New_York",
        datetime(2026, 1, 5, 20, 0),
        60,
        Recurrence("monthly", weekday=3, nth=-1),
    )
    starts = occurrences(series, after=EPOCH, limit=3)
    assert starts == [utc(2026, 1, 30, 1), utc(2026, 2, 27, 1), utc(2026, 3, 27, 0)]


def test_weekly_on_another_weekday_than_the_start_begins_on_the_next_such_day() -> None:
    series = weekly("Europe/London", datetime(2026, 1, 5, 17, 0), weekday=4)
    assert occurrences(series, after=EPOCH, limit=1) == [utc(2026, 1, 9, 17)]


def test_skipped_dates_are_left_out_and_still_use_up_the_count() -> None:
    series = SeriesSchedule(
        "Europe/London",
        datetime(2026, 12, 4, 17, 0),
        60,
        Recurrence("weekly", count=5),
        frozenset({date(2026, 12, 25)}),
    )
    starts = occurrences(series, after=EPOCH, limit=10)
    assert [start.date() for start in starts] == [
        date(2026, 12, 4),
        date(2026, 12, 11),
        date(2026, 12, 18),
        date(2027, 1, 1),
    ]


def test_until_is_an_inclusive_local_date() -> None:
    # 4am in Sydney on Jan 16 is still Jan 15 in UTC: the local date is what counts.
    series = weekly("Australia/Sydney", datetime(2026, 1, 2, 4, 0), until=date(2026, 1, 16))
    starts = occurrences(series, after=EPOCH, limit=10)
    assert starts == [utc(2026, 1, 1, 17), utc(2026, 1, 8, 17), utc(2026, 1, 15, 17)]


def test_after_is_inclusive_and_limit_cuts() -> None:
    series = weekly("Europe/London", datetime(2026, 1, 2, 17, 0))
    assert occurrences(series, after=utc(2026, 1, 9, 17), limit=2) == [
        utc(2026, 1, 9, 17),
        utc(2026, 1, 16, 17),
    ]
    assert occurrences(series, after=utc(2026, 1, 9, 17, 1), limit=1) == [utc(2026, 1, 16, 17)]
    assert occurrences(series, after=EPOCH, limit=0) == []


def test_far_future_queries_of_an_open_series_stay_on_the_beat() -> None:
    series = weekly("Europe/London", datetime(2026, 1, 2, 17, 0))
    assert occurrences(series, after=utc(2126, 1, 1), limit=1) == [utc(2126, 1, 4, 17)]
    assert occurrences(series, after=utc(2126, 7, 1), limit=1) == [utc(2126, 7, 5, 16)]


def test_an_aware_first_start_becomes_home_wall_time() -> None:
    eastern = timezone(timedelta(hours=-5))
    series = weekly("Europe/London", datetime(2026, 1, 2, 12, 0, tzinfo=eastern))
    assert series.wall_start == datetime(2026, 1, 2, 17, 0)
    assert occurrences(series, after=utc(2026, 6, 1), limit=1) == [utc(2026, 6, 5, 16)]


def test_a_one_off_chat_has_exactly_one_occurrence() -> None:
    chat = SeriesSchedule("America/Los_Angeles", datetime(2026, 7, 3, 9, 0))
    assert occurrences(chat, after=EPOCH, limit=5) == [utc(2026, 7, 3, 16)]
    assert occurrences(chat, after=utc(2026, 7, 3, 16, 1), limit=5) == []


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Recurrence("weekly", interval=0), "interval must be 1 to 520, not 0"),
        (lambda: Recurrence("monthly", nth=5), r"nth 1, 2, 3, 4 or -1 \(last\), not 5"),
        (lambda: Recurrence("monthly"), "a monthly series needs nth"),
        (lambda: Recurrence("weekly", nth=1), "nth applies to monthly series only"),
        (lambda: Recurrence("daily"), "unknown frequency 'daily'"),  # type: ignore[arg-type]
        (lambda: Recurrence("weekly", weekday=7), "weekday must be 0 .Monday. to 6"),
        (lambda: Recurrence("weekly", count=0), "count must be 1 to 10000, not 0"),
        (
            lambda: Recurrence("weekly", count=3, until=date(2027, 1, 1)),
            "either a count or an until date",
        ),
    ],
)
def test_bad_recurrences_name_the_problem(build: object, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        build()  # type: ignore[operator]


def test_bad_schedules_name_the_problem() -> None:
    start = datetime(2026, 12, 4, 17, 0)
    with pytest.raises(UnknownTimeZoneError, match=r"'Europe/Londn' \(did you mean Europe/London"):
        SeriesSchedule("Europe/Londn", start)
    with pytest.raises(ScheduleError, match="duration must be 1 to 10080 minutes, not 0"):
        SeriesSchedule("Europe/London", start, 0)
    with pytest.raises(ScheduleError, match="not on a whole minute"):
        SeriesSchedule("Europe/London", start.replace(second=30))
    with pytest.raises(ScheduleError, match="a one-off chat has no dates to skip"):
        SeriesSchedule("Europe/London", start, skipped=frozenset({date(2026, 12, 4)}))
    with pytest.raises(ScheduleError, match=r"skipped date 2026-12-26 \(Saturday\) is not one"):
        SeriesSchedule(
            "Europe/London", start, 60, Recurrence("weekly"), frozenset({date(2026, 12, 26)})
        )
    with pytest.raises(ScheduleError, match="until 2026-11-01 is before the first start"):
        SeriesSchedule("Europe/London", start, 60, Recurrence("weekly", until=date(2026, 11, 1)))
    with pytest.raises(ScheduleError, match="the series has no dates"):
        SeriesSchedule(
            "Europe/London", start, 60, Recurrence("weekly", weekday=0, until=date(2026, 12, 6))
        )


def test_bad_queries_name_the_problem() -> None:
    series = weekly("Europe/London", datetime(2026, 1, 2, 17, 0))
    with pytest.raises(ScheduleError, match="has no time zone"):
        occurrences(series, after=datetime(2026, 1, 1), limit=1)
    with pytest.raises(ScheduleError, match="limit must not be negative"):
        occurrences(series, after=EPOCH, limit=-1)


def test_the_ends_of_the_calendar_do_not_crash() -> None:
    series = weekly("America/New_York", datetime(2026, 1, 2, 17, 0))
    assert occurrences(series, after=datetime.min.replace(tzinfo=UTC), limit=1) == [
        utc(2026, 1, 2, 22)
    ]
    assert occurrences(series, after=datetime.max.replace(tzinfo=UTC), limit=1) == []
    # Friday Dec 31, 9999 at 5pm in Los Angeles would be in the year 10000 in UTC.
    pacific = weekly("America/Los_Angeles", datetime(2026, 1, 2, 17, 0))
    assert occurrences(pacific, after=utc(9999, 12, 20), limit=5) == [utc(9999, 12, 25, 1)]


def test_schedules_far_outside_our_era_are_refused_as_typos() -> None:
    window = r"not between 1970-01-01 and 2200-01-01 \(UTC\)"
    with pytest.raises(ScheduleError, match=window):
        SeriesSchedule("Europe/London", datetime(9999, 12, 31, 17, 0), 60, Recurrence("weekly"))
    with pytest.raises(ScheduleError, match=window):
        SeriesSchedule("Europe/London", datetime(1, 1, 1, 0, 0, tzinfo=UTC))
    with pytest.raises(ScheduleError, match=window):
        SeriesSchedule("Europe/London", datetime(2200, 1, 2, 0, 0))
    with pytest.raises(ScheduleError, match=f"until 9999-12-31 is {window}"):
        Recurrence("weekly", until=date(9999, 12, 31))
    with pytest.raises(ScheduleError, match=f"skipped date 9999-12-31 is {window}"):
        SeriesSchedule(
            "Europe/London",
            datetime(2026, 1, 2, 17, 0),
            60,
            Recurrence("weekly"),
            frozenset({date(9999, 12, 31)}),
        )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Recurrence("weekly", interval=99_999_999_999), "interval must be 1 to 520"),
        (lambda: Recurrence("weekly", count=99_999_999_999), "count must be 1 to 10000"),
        (
            lambda: SeriesSchedule("UTC", datetime(2026, 1, 2, 17, 0), 99_999_999_999_999_999_999),
            "duration must be 1 to 10080 minutes",
        ),
    ],
)
def test_extreme_numbers_are_refused(make: Callable[[], object], message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        make()
