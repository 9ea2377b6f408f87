"""Time zones by IANA name, with a helpful error for a name that does not exist."""

from __future__ import annotations

import difflib
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from hashchat.domain.schedule.errors import ScheduleError, UnknownTimeZoneError


@cache
def _known_zone_names() -> tuple[str, ...]:
    # Scanning the zone database is slow, and its contents do not change while we run.
    return tuple(sorted(available_timezones()))


def nearest_zone_name(name: str) -> str | None:
    """The valid zone name closest to `name` (case first, then spelling), or None."""
    known = _known_zone_names()
    by_case = [zone for zone in known if zone.lower() == name.lower()]
    if by_case:
        return by_case[0]
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(name.lower(), [z.lower() for z in known], n=1)
        close = [zone for zone in known if close and zone.lower() == close[0]]
    return close[0] if close else None


def load_zone(name: str) -> ZoneInfo:
    """Return the zone called `name`, or raise UnknownTimeZoneError naming the nearest valid one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # zoneinfo raises ValueError for keys shaped like paths, OSError for odd files.
        pass
    suggestion = nearest_zone_name(name)
    hint = f" (did you mean {suggestion}?)" if suggestion else ""
    raise UnknownTimeZoneError(f"unknown time zone {name!r}{hint}")


def require_aware(value: datetime, what: str) -> None:
    """Raise ScheduleError when `value` carries no UTC offset: instants must be unambiguous."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ScheduleError(f"{what} {value.isoformat()} has no time zone or UTC offset")
