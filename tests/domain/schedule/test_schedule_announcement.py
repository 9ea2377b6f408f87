"""The announcement line, as hosts write it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from hashchat.domain.schedule import ScheduleError, UnknownTimeZoneError, announcement_line
from hashchat.domain.schedule.announcement import NORTH_AMERICAN_ZONES, clock_text, zone_label
from hashchat.domain.schedule.zones import load_zone

KAIZEN_ZONES = ("Europe/London", "America/New_York", "America/Los_Angeles")


def test_the_issue_example_exactly() -> None:
    line = announcement_line(datetime(2013, 1, 25, 17, tzinfo=UTC), KAIZEN_ZONES)
    assert line == "Friday, January 25, 2013 at 5pm GMT/12pm ET/9am PT"


def test_summer_time_uses_bst_and_the_same_et_pt_letters() -> None:
    line = announcement_line(datetime(2026, 7, 3, 16, tzinfo=UTC), KAIZEN_ZONES)
    assert line == "Friday, July 3, 2026 at 5pm BST/12pm ET/9am PT"


def test_the_weeks_when_europe_and_america_have_not_both_changed() -> None:
    # US clocks went forward on March 8, 2026; the UK's only on March 29.
    line = announcement_line(datetime(2026, 3, 13, 17, tzinfo=UTC), KAIZEN_ZONES)
    assert line == "Friday, March 13, 2026 at 5pm GMT/1pm ET/10am PT"


def test_minutes_show_only_when_not_zero() -> None:
    line = announcement_line(datetime(2026, 1, 9, 17, 30, tzinfo=UTC), ("Europe/London",))
    assert line == "Friday, January 9, 2026 at 5:30pm GMT"


def test_cest_in_summer_and_cet_in_winter() -> None:
    summer = announcement_line(datetime(2026, 6, 5, 10, tzinfo=UTC), ("Europe/Berlin",))
    winter = announcement_line(datetime(2026, 12, 4, 10, tzinfo=UTC), ("Europe/Paris",))
    assert summer == "Friday, June 5, 2026 at 12pm CEST"
    assert winter == "Friday, December 4, 2026 at 11am CET"


def test_a_zone_on_another_date_gets_its_short_weekday() -> None:
    line = announcement_line(
        datetime(2013, 1, 25, 17, tzinfo=UTC), ("Europe/London", "Australia/Sydney")
    )
    assert line == "Friday, January 25, 2013 at 5pm GMT/Sat 4am AEDT"


def test_sydney_in_its_winter_is_aest() -> None:
    line = announcement_line(
        datetime(2026, 7, 3, 16, tzinfo=UTC), ("Europe/London", "Australia/Sydney")
    )
    assert line == "Friday, July 3, 2026 at 5pm BST/Sat 2am AEST"


def test_an_earlier_local_date_also_gets_its_weekday_and_the_date_is_the_first_zones() -> None:
    line = announcement_line(
        datetime(2026, 7, 4, 2, tzinfo=UTC), ("Asia/Tokyo", "America/Los_Angeles")
    )
    assert line == "Saturday, July 4, 2026 at 11am JST/Fri 7pm PT"


def test_half_hour_and_quarter_hour_zones() -> None:
    line = announcement_line(
        datetime(2026, 1, 9, 17, tzinfo=UTC), ("Europe/London", "Asia/Kolkata", "Asia/Kathmandu")
    )
    assert line == "Friday, January 9, 2026 at 5pm GMT/10:30pm IST/10:45pm UTC+5:45"


def test_numeric_zone_names_print_as_utc_offsets() -> None:
    line = announcement_line(
        datetime(2026, 1, 9, 12, tzinfo=UTC), ("Asia/Dubai", "America/Sao_Paulo", "UTC")
    )
    assert line == "Friday, January 9, 2026 at 4pm UTC+4/9am UTC-3/12pm UTC"


def test_noon_and_midnight() -> None:
    assert clock_text(datetime(2026, 1, 1, 12, 0)) == "12pm"
    assert clock_text(datetime(2026, 1, 1, 0, 0)) == "12am"
    assert clock_text(datetime(2026, 1, 1, 0, 5)) == "12:05am"
    assert clock_text(datetime(2026, 1, 1, 23, 59)) == "11:59pm"
    assert clock_text(datetime(2026, 1, 1, 1, 0)) == "1am"


@pytest.mark.parametrize(
    ("zone", "winter", "summer"),
    [
        ("America/New_York", "ET", "ET"),
        ("America/Toronto", "ET", "ET"),
        ("America/Detroit", "ET", "ET"),
        ("America/Indiana/Indianapolis", "ET", "ET"),
        ("America/Chicago", "CT", "CT"),
        ("America/Winnipeg", "CT", "CT"),
        ("America/Regina", "CT", "CT"),
        ("America/Denver", "MT", "MT"),
        ("America/Edmonton", "MT", "MT"),
        ("America/Phoenix", "MT", "MT"),
        ("America/Los_Angeles", "PT", "PT"),
        ("America/Vancouver", "PT", "PT"),
        ("US/Pacific", "PT", "PT"),
        ("Canada/Eastern", "ET", "ET"),
        ("America/Halifax", "AST", "ADT"),
        ("America/St_Johns", "NST", "NDT"),
        ("America/Anchorage", "AKST", "AKDT"),
        ("America/Mexico_City", "CST", "CST"),
        ("America/Havana", "CST", "CDT"),
        ("Europe/Dublin", "GMT", "IST"),
    ],
)
def test_zone_labels_in_winter_and_summer(zone: str, winter: str, summer: str) -> None:
    tz = load_zone(zone)
    assert zone_label(datetime(2026, 1, 15, 12, tzinfo=UTC).astimezone(tz), zone) == winter
    assert zone_label(datetime(2026, 7, 15, 12, tzinfo=UTC).astimezone(tz), zone) == summer


def test_zones_printing_the_same_text_are_written_once() -> None:
    line = announcement_line(
        datetime(2026, 1, 9, 17, tzinfo=UTC),
        ("America/New_York", "America/Toronto", "America/Chicago"),
    )
    assert line == "Friday, January 9, 2026 at 12pm ET/11am CT"


def test_an_instant_with_any_offset_is_the_same_instant() -> None:
    instant = datetime(2013, 1, 25, 12, tzinfo=timezone(timedelta(hours=-5)))
    assert announcement_line(instant, KAIZEN_ZONES) == (
        "Friday, January 25, 2013 at 5pm GMT/12pm ET/9am PT"
    )


def test_bad_input_is_named() -> None:
    with pytest.raises(ScheduleError, match="at least one time zone"):
        announcement_line(datetime(2026, 1, 1, tzinfo=UTC), ())
    with pytest.raises(ScheduleError, match="has no time zone"):
        announcement_line(datetime(2026, 1, 1), KAIZEN_ZONES)
    with pytest.raises(UnknownTimeZoneError, match="did you mean America/Chicago"):
        announcement_line(datetime(2026, 1, 1, tzinfo=UTC), ("America/Chicgo",))


def _zone_tab() -> Path:
    import tzdata

    return Path(tzdata.__file__).parent / "zoneinfo" / "zone.tab"


def test_every_us_and_canadian_zone_of_the_zone_table_is_known_as_north_american() -> None:
    listed = set()
    for line in _zone_tab().read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        country, _, name, *_ = line.split("\t")
        if country in ("US", "CA") and name.startswith("America/"):
            listed.add(name)
    assert listed, "zone.tab lists no US or Canadian zone: the table was not read"
    assert listed <= NORTH_AMERICAN_ZONES
