"""Zone lookup: valid names load, bad ones name the nearest valid zone."""

from __future__ import annotations

from datetime import datetime

import pytest

from hashchat.domain.schedule import ScheduleError, UnknownTimeZoneError, load_zone
from hashchat.domain.schedule.zones import nearest_zone_name, require_aware


def test_a_valid_zone_loads() -> None:
    assert load_zone("Australia/Sydney").key == "Australia/Sydney"


def test_a_misspelt_zone_names_the_nearest_valid_one() -> None:
    with pytest.raises(UnknownTimeZoneError) as raised:
        load_zone("Europe/Londn")
    assert str(raised.value) == "unknown time zone 'Europe/Londn' (did you mean Europe/London?)"


def test_a_zone_in_the_wrong_case_suggests_the_right_case() -> None:
    assert nearest_zone_name("america/new_york") == "America/New_York"
    with pytest.raises(UnknownTimeZoneError, match=r"did you mean America/New_York\?"):
        load_zone("america/new_york")


@pytest.mark.parametrize("name", ["", "../../etc/passwd", "/etc/hosts", "Nowhere/Atall"])
def test_names_that_are_not_zones_are_refused_as_unknown(name: str) -> None:
    with pytest.raises(UnknownTimeZoneError, match="unknown time zone"):
        load_zone(name)


def test_the_unknown_zone_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        load_zone("Mars/Olympus")


def test_a_naive_instant_is_refused_by_name() -> None:
    with pytest.raises(ScheduleError, match="after 2026-01-01T00:00:00 has no time zone"):
        require_aware(datetime(2026, 1, 1), "after")
