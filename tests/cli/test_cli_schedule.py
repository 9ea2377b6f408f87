"""`hashchat when` and `hashchat calendar`, run through the real Typer app."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import recurring_ical_events
from icalendar import Calendar
from typer.testing import CliRunner

from hashchat.cli import app

runner = CliRunner()
KAIZEN_ZONES = "Europe/London,America/New_York,America/Los_Angeles"
SERIES = [
    "calendar",
    "--tag",
    "#KaizenBiz",
    "--title",
    "Kaizen Business Chat",
    "--timezone",
    "Europe/London",
    "--start",
    "2026-12-04T17:00",
]


def starts_in(ics: bytes, first: datetime, last: datetime) -> list[datetime]:
    events = recurring_ical_events.of(Calendar.from_ical(ics)).between(first, last)
    return sorted(event["DTSTART"].dt.astimezone(UTC) for event in events)


def test_when_prints_the_announcement_line() -> None:
    result = runner.invoke(app, ["when", "2013-01-25T17:00Z", "--zones", KAIZEN_ZONES])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Friday, January 25, 2013 at 5pm GMT/12pm ET/9am PT\n"


def test_when_reads_an_offset_and_takes_a_naive_instant_as_utc() -> None:
    with_offset = runner.invoke(app, ["when", "2013-01-25T12:00-05:00", "--zones", KAIZEN_ZONES])
    naive = runner.invoke(app, ["when", "2013-01-25T17:00", "--zones", KAIZEN_ZONES])
    assert (
        with_offset.stdout
        == naive.stdout
        == ("Friday, January 25, 2013 at 5pm GMT/12pm ET/9am PT\n")
    )


def test_when_with_a_zone_on_the_next_day() -> None:
    result = runner.invoke(
        app, ["when", "2026-07-03T16:00Z", "--zones", "Europe/London, Australia/Sydney"]
    )
    assert result.stdout == "Friday, July 3, 2026 at 5pm BST/Sat 2am AEST\n"


def test_when_names_an_unknown_zone_and_the_nearest_valid_one() -> None:
    result = runner.invoke(app, ["when", "2013-01-25T17:00Z", "--zones", "Europe/Londn,UTC"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "unknown time zone 'Europe/Londn' (did you mean Europe/London?)" in result.stderr


@pytest.mark.parametrize("instant", ["2013-02-30T17:00Z", "next friday", ""])
def test_when_names_a_malformed_instant(instant: str) -> None:
    result = runner.invoke(app, ["when", instant, "--zones", "UTC"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"instant {instant!r} is not an ISO date-time" in result.stderr


def test_when_needs_at_least_one_zone() -> None:
    result = runner.invoke(app, ["when", "2013-01-25T17:00Z", "--zones", " , "])
    assert result.exit_code == 2
    assert "--zones needs at least one time zone" in result.stderr


def test_calendar_writes_a_weekly_series_with_skips_to_stdout() -> None:
    result = runner.invoke(
        app,
        [
            *SERIES,
            "--weekly",
            "--skip",
            "2026-12-25",
            "--skip",
            "2027-01-01",
            "--zones",
            KAIZEN_ZONES,
        ],
    )
    assert result.exit_code == 0, result.stderr
    ics = result.stdout_bytes
    assert ics.startswith(b"BEGIN:VCALENDAR\r\n")
    starts = starts_in(ics, datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 20, tzinfo=UTC))
    assert [start.day for start in starts] == [4, 11, 18, 8, 15]
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert str(event["UID"]) == "series-kaizenbiz@hashchat"
    assert str(event["DESCRIPTION"]).startswith(
        "Friday, December 4, 2026 at 5pm GMT/12pm ET/9am PT"
    )


def test_calendar_writes_the_same_bytes_every_time() -> None:
    first = runner.invoke(app, [*SERIES, "--weekly"])
    second = runner.invoke(app, [*SERIES, "--weekly"])
    assert first.stdout_bytes == second.stdout_bytes


def test_calendar_monthly_last_thursday_with_a_count_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "kaizen.ics"
    result = runner.invoke(
        app,
        [
            *SERIES[:-1],
            "2026-12-31T17:00",
            "--monthly-nth",
            "last",
            "--weekday",
            "thu",
            "--count",
            "3",
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    starts = starts_in(target.read_bytes(), datetime(2026, 1, 1), datetime(2028, 1, 1))
    assert starts == [
        datetime(2026, 12, 31, 17, tzinfo=UTC),
        datetime(2027, 1, 28, 17, tzinfo=UTC),
        datetime(2027, 2, 25, 17, tzinfo=UTC),
    ]
    assert list(tmp_path.iterdir()) == [target]


def test_calendar_every_two_weeks_until_a_date() -> None:
    result = runner.invoke(app, [*SERIES, "--every-weeks", "2", "--until", "2027-01-15"])
    assert result.exit_code == 0, result.stderr
    starts = starts_in(result.stdout_bytes, datetime(2026, 1, 1), datetime(2028, 1, 1))
    assert [start.date().isoformat() for start in starts] == [
        "2026-12-04",
        "2026-12-18",
        "2027-01-01",
        "2027-01-15",
    ]


def test_calendar_without_a_recurrence_writes_a_single_chat() -> None:
    result = runner.invoke(
        app,
        ["calendar", "--tag", "AgChat", "--timezone", "America/Chicago", "--start",
         "2026-07-10T11:00", "--duration", "90", "--chat-id", "42"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    event = Calendar.from_ical(result.stdout_bytes).walk("VEVENT")[0]
    assert "RRULE" not in event
    assert str(event["UID"]) == "chat-agchat-42@hashchat"
    assert str(event["SUMMARY"]) == "#AgChat"
    assert starts_in(result.stdout_bytes, datetime(2026, 1, 1), datetime(2027, 1, 1)) == [
        datetime(2026, 7, 10, 16, tzinfo=UTC)
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--weekly", "--skip", "2026-12-26"], "skipped date 2026-12-26 (Saturday) is not one"),
        (["--skip", "2026-12-25"], "--skip needs a recurrence"),
        (
            ["--weekly", "--monthly-nth", "1"],
            "choose one of --weekly, --every-weeks, --monthly-nth",
        ),
        (["--monthly-nth", "5"], "a monthly series needs nth 1, 2, 3, 4 or -1 (last), not 5"),
        (["--monthly-nth", "first"], "--monthly-nth 'first' is not 1, 2, 3, 4 or last"),
        (["--weekly", "--weekday", "fryday"], "--weekday 'fryday' is not a weekday"),
        (["--every-weeks", "0"], "interval must be 1 to 520, not 0"),
        (["--weekly", "--count", "3", "--until", "2027-01-01"], "either a count or an until"),
        (["--weekly", "--until", "2027-13-01"], "--until '2027-13-01' is not an ISO date"),
        (["--weekly", "--zones", "America/Chicgo"], "did you mean America/Chicago?"),
        (["--duration", "0"], "duration must be 1 to 10080 minutes, not 0"),
    ],
)
def test_calendar_refuses_bad_input_and_writes_no_file(
    tmp_path: Path, extra: list[str], message: str
) -> None:
    target = tmp_path / "out.ics"
    result = runner.invoke(app, [*SERIES, *extra, "-o", str(target)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_calendar_names_a_bad_zone_and_a_bad_start(tmp_path: Path) -> None:
    bad_zone = runner.invoke(
        app,
        [
            "calendar",
            "--tag",
            "#K",
            "--timezone",
            "Australia/Sidney",
            "--start",
            "2026-12-04T17:00",
        ],
    )
    assert bad_zone.exit_code == 2
    assert (
        "unknown time zone 'Australia/Sidney' (did you mean Australia/Sydney?)" in bad_zone.stderr
    )
    bad_start = runner.invoke(
        app, ["calendar", "--tag", "#K", "--timezone", "UTC", "--start", "Friday 5pm"]
    )
    assert bad_start.exit_code == 2
    assert "--start 'Friday 5pm' is not an ISO date-time" in bad_start.stderr


def test_calendar_reports_an_unwritable_output(tmp_path: Path) -> None:
    result = runner.invoke(app, [*SERIES, "-o", str(tmp_path / "missing" / "out.ics")])
    assert result.exit_code == 2
    assert "cannot write" in result.stderr
    assert not (tmp_path / "missing").exists()


def test_an_existing_file_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "kaizen.ics"
    target.write_text("old calendar")
    assert runner.invoke(app, [*SERIES, "--weekly", "-o", str(target)]).exit_code == 0
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR")
    failed = runner.invoke(app, [*SERIES, "--every-weeks", "0", "-o", str(target)])
    assert failed.exit_code == 2
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR")
