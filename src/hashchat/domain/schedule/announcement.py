"""The start time written the way hosts announce it: `Friday, January 25, 2013 at 5pm GMT/12pm ET`.

Rules, in order of the zones given:
- The date part is the first zone's local date.
- A time is `5pm`, `5:30pm`, `12pm` (noon) or `12am` (midnight); minutes only when not zero.
- A zone whose local date differs from the first zone's gets its short weekday: `Sat 4am AEDT`.
- Each zone is labelled with its own abbreviation for that date from zoneinfo (GMT/BST,
  CET/CEST, AEDT/AEST, IST), except the mainland US and Canadian zones, which are labelled the way
  North Americans write them, ET/CT/MT/PT, chosen by the zone's standard UTC offset (so Phoenix
  and Regina, which keep standard time all year, are still MT and CT). Other North American zones
  (Halifax, St John's, Alaska, Hawaii) keep their own AST/NST/AKST/HST.
- Where the zone database has no letters, only a numeric name like `+04` or `+0530`, the label
  is `UTC+4` / `UTC+5:30`, which readers recognise at once.
- Two zones that print the very same text (New York and Toronto) are written once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from hashchat.domain.schedule.errors import ScheduleError
from hashchat.domain.schedule.recurrence import WEEKDAY_NAMES
from hashchat.domain.schedule.window import check_instant
from hashchat.domain.schedule.zones import load_zone, require_aware

# Zones in the US and Canada (zone.tab, plus the old names the tz database keeps as links);
# a test checks this against the installed zone.tab so a new zone cannot slip through.
NORTH_AMERICAN_ZONES = frozenset(
    {
        "America/Adak", "America/Anchorage", "America/Atikokan", "America/Blanc-Sablon",
        "America/Boise", "America/Cambridge_Bay", "America/Chicago", "America/Creston",
        "America/Dawson", "America/Dawson_Creek", "America/Denver", "America/Detroit",
        "America/Edmonton", "America/Fort_Nelson", "America/Glace_Bay", "America/Goose_Bay",
        "America/Halifax", "America/Indiana/Indianapolis", "America/Indiana/Knox",
        "America/Indiana/Marengo", "America/Indiana/Petersburg", "America/Indiana/Tell_City",
        "America/Indiana/Vevay", "America/Indiana/Vincennes", "America/Indiana/Winamac",
        "America/Inuvik", "America/Iqaluit", "America/Juneau", "America/Kentucky/Louisville",
        "America/Kentucky/Monticello", "America/Los_Angeles", "America/Menominee",
        "America/Metlakatla", "America/Moncton", "America/New_York", "America/Nome",
        "America/North_Dakota/Beulah", "America/North_Dakota/Center",
        "America/North_Dakota/New_Salem", "America/Phoenix", "America/Rankin_Inlet",
        "America/Regina", "America/Resolute", "America/Sitka", "America/St_Johns",
        "America/Swift_Current", "America/Toronto", "America/Vancouver", "America/Whitehorse",
        "America/Winnipeg", "America/Yakutat",
        # Links kept by the tz database for old names.
        "America/Atka", "America/Fort_Wayne", "America/Indianapolis", "America/Knox_IN",
        "America/Louisville", "America/Montreal", "America/Nipigon", "America/Pangnirtung",
        "America/Rainy_River", "America/Shiprock", "America/Thunder_Bay", "America/Yellowknife",
    }
)  # fmt: skip

_NORTH_AMERICAN_LABELS = {
    timedelta(hours=-5): "ET",
    timedelta(hours=-6): "CT",
    timedelta(hours=-7): "MT",
    timedelta(hours=-8): "PT",
}
# English names of our own: strftime's %A and %B follow the process locale.
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_NUMERIC_NAME = re.compile(r"^(?P<sign>[+-])(?P<hours>\d{2})(?P<minutes>\d{2})?$")


def zone_label(local: datetime, zone_name: str) -> str:
    """How a reader names the zone of the aware local time `local` (see the module rules)."""
    if zone_name in NORTH_AMERICAN_ZONES or zone_name.startswith(("US/", "Canada/")):
        offset, dst = local.utcoffset(), local.dst()
        if offset is not None and dst is not None and offset - dst in _NORTH_AMERICAN_LABELS:
            return _NORTH_AMERICAN_LABELS[offset - dst]
    name = local.tzname() or zone_name
    numeric = _NUMERIC_NAME.match(name)
    if numeric is None:
        return name
    hours = int(numeric["hours"])
    minutes = f":{numeric['minutes']}" if numeric["minutes"] not in (None, "00") else ""
    return f"UTC{numeric['sign']}{hours}{minutes}"


def clock_text(local: datetime) -> str:
    """`5pm`, `5:30pm`, `12pm` for noon, `12am` for midnight."""
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def announcement_line(instant: datetime, zones: Sequence[str]) -> str:
    """The start `instant` (aware) in each of `zones`, as one line a host would post."""
    require_aware(instant, "instant")
    check_instant(instant, "start")
    if not zones:
        raise ScheduleError("give at least one time zone for the announcement")
    locals_by_zone = [(name, instant.astimezone(load_zone(name))) for name in zones]
    first_date = locals_by_zone[0][1].date()
    parts: list[str] = []
    for name, local in locals_by_zone:
        weekday = f"{WEEKDAY_NAMES[local.weekday()][:3]} " if local.date() != first_date else ""
        part = f"{weekday}{clock_text(local)} {zone_label(local, name)}"
        if part not in parts:
            parts.append(part)
    day = f"{WEEKDAY_NAMES[first_date.weekday()]}, {MONTH_NAMES[first_date.month - 1]}"
    return f"{day} {first_date.day}, {first_date.year} at {'/'.join(parts)}"
