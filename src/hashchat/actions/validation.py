"""Checks of untrusted input shared by several actions."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from hashchat.actions.errors import InvalidInputError


def check_timezone(name: str) -> str:
    """An IANA zone name (e.g. Europe/London), or InvalidInputError naming it."""
    cleaned = name.strip()
    if cleaned != "UTC" and cleaned not in _zones():
        raise InvalidInputError(f"unknown time zone {name!r}; use an IANA name like Europe/London")
    try:
        ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(f"unknown time zone {name!r}") from None
    return cleaned


_ZONES: set[str] = set()


def _zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


def check_text(value: str, what: str, max_length: int) -> str:
    """`value` stripped, non-empty and at most `max_length` characters."""
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInputError(f"{what} must not be empty")
    if len(cleaned) > max_length:
        raise InvalidInputError(f"{what} has more than {max_length} characters")
    return cleaned


def check_aware(value: datetime, what: str) -> datetime:
    """`value` when it carries a UTC offset; naive times are ambiguous across zones."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError(f"{what} needs a UTC offset, e.g. 2026-01-09T17:00:00Z")
    return value
