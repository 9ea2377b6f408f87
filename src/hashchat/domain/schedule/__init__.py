"""Schedules of chats: zones, recurring series, announcement lines and the cadence of an hour."""

from __future__ import annotations

from hashchat.domain.schedule.announcement import announcement_line
from hashchat.domain.schedule.cadence import (
    DEFAULT_CADENCE,
    Cadence,
    CadenceDoesNotFitError,
    PlannedItem,
    plan_cadence,
)
from hashchat.domain.schedule.errors import ScheduleError, UnknownTimeZoneError
from hashchat.domain.schedule.recurrence import Recurrence, SeriesSchedule, occurrences
from hashchat.domain.schedule.zones import load_zone

__all__ = [
    "DEFAULT_CADENCE",
    "Cadence",
    "CadenceDoesNotFitError",
    "PlannedItem",
    "Recurrence",
    "ScheduleError",
    "SeriesSchedule",
    "UnknownTimeZoneError",
    "announcement_line",
    "load_zone",
    "occurrences",
    "plan_cadence",
]
