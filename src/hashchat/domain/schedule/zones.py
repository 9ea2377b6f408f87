"""Time zones by IANA name: which names are zones, their canonical name, a helpful error.

The authority is the `tzdata` package we depend on (the same on every machine), not the
files a system happens to keep beside its zones: `localtime`, `posixrules`, `right/…` and
paths are not zone names. `Factory` is a zone of tzdata that means "local time unknown", so
it is refused too. An alias is stored as its canonical name: a name listed in `zone.tab` (one
per country region, so Europe/Oslo stays Europe/Oslo although tzdata links it to Berlin)
or a zone of its own is canonical; any other link (US/Eastern, Asia/Calcutta, Etc/UTC)
becomes its target, and every spelling of UTC becomes `UTC`.
"""

from __future__ import annotations

import difflib
from datetime import datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hashchat.domain.schedule.errors import ScheduleError, UnknownTimeZoneError

_NOT_A_PLACE = frozenset({"Factory"})
_UTC_ZONE, UTC_NAME = "Etc/UTC", "UTC"


@cache
def _canonical_names() -> dict[str, str]:
    """Every accepted zone name mapped to its canonical name (read once: tzdata is static)."""
    data = resources.files("tzdata")
    names = set(data.joinpath("zones").read_text(encoding="utf-8").split()) - _NOT_A_PLACE
    zoneinfo_dir = data.joinpath("zoneinfo")
    listed = {
        line.split("\t")[2].strip()
        for line in zoneinfo_dir.joinpath("zone.tab").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    links: dict[str, str] = {}
    for line in zoneinfo_dir.joinpath("tzdata.zi").read_text(encoding="utf-8").splitlines():
        if line.startswith("L "):
            _, target, alias = line.split()
            links[alias] = target
    canonical: dict[str, str] = {}
    for name in names:
        target = name if name in listed else links.get(name, name)
        canonical[name] = UTC_NAME if target == _UTC_ZONE else target
    canonical[UTC_NAME] = UTC_NAME
    return canonical


@cache
def _known_zone_names() -> tuple[str, ...]:
    return tuple(sorted(_canonical_names()))


def canonical_zone_name(name: str) -> str:
    """The canonical IANA name of zone `name` (an alias becomes its zone), or
    UnknownTimeZoneError naming the nearest valid one. Surrounding spaces are ignored."""
    found = _canonical_names().get(name.strip())
    if found is None:
        suggestion = nearest_zone_name(name.strip())
        hint = f" (did you mean {suggestion}?)" if suggestion else ""
        raise UnknownTimeZoneError(f"unknown time zone {name!r}{hint}")
    return found


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
    """Return the zone called `name` (an IANA name or alias, see `canonical_zone_name`), or
    raise UnknownTimeZoneError naming the nearest valid one."""
    canonical = canonical_zone_name(name)
    try:
        return ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UnknownTimeZoneError(f"time zone {name!r} cannot be loaded") from None


def require_aware(value: datetime, what: str) -> None:
    """Raise ScheduleError when `value` carries no UTC offset: instants must be unambiguous."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ScheduleError(f"{what} {value.isoformat()} has no time zone or UTC offset")
