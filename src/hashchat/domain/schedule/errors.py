"""The one error family of schedules: bad input that names what is wrong."""

from __future__ import annotations


class ScheduleError(ValueError):
    """A schedule, zone, announcement or cadence was given input it cannot work with."""


class UnknownTimeZoneError(ScheduleError):
    """A time zone name that zoneinfo does not know; the message suggests the nearest one."""
