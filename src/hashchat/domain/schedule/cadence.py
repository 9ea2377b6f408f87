"""A chat's plan of timed items: welcome, how-to, the questions on a fixed beat, and the close.

The fitting rule: the last question must be posted at least `last_question_lead_minutes`
(default 1) before the chat closes, so that it gets at least that long for answers inside the
hour. The usual hour (welcome :00, how-to :05, Q1 :06, one question every 9 minutes) fits six
questions (Q6 at :51); a seventh would land at :60, on the close, and is refused.

A closing post (the host's thanks, issue 9) is optional: at `closing_minute`, not before the
last question and before the close. A slow chat is the same plan on a longer beat: one
question a day (`question_interval_minutes=1440`) over a week-long live period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from hashchat.domain.schedule.errors import ScheduleError
from hashchat.domain.schedule.zones import require_aware

ItemKind = Literal["welcome", "howto", "question", "closing", "close"]


class CadenceDoesNotFitError(ScheduleError):
    """The questions, at the chosen beat, do not fit in the chat's duration."""


@dataclass(frozen=True, slots=True)
class Cadence:
    """Minutes after the start at which each kind of item is posted."""

    welcome_minute: int = 0
    howto_minute: int = 5
    first_question_minute: int = 6
    question_interval_minutes: int = 9
    last_question_lead_minutes: int = 1
    closing_minute: int | None = None  # the host's closing post; None: no closing post

    def __post_init__(self) -> None:
        for name in ("welcome_minute", "howto_minute", "first_question_minute"):
            if getattr(self, name) < 0:
                raise ScheduleError(f"{name.replace('_', ' ')} must not be negative")
        if self.question_interval_minutes < 1:
            raise ScheduleError(
                f"question interval must be at least 1 minute, not {self.question_interval_minutes}"
            )
        if self.last_question_lead_minutes < 0:
            raise ScheduleError("last question lead must not be negative")
        if self.closing_minute is not None and self.closing_minute < 0:
            raise ScheduleError("closing minute must not be negative")


DEFAULT_CADENCE = Cadence()


@dataclass(frozen=True, slots=True)
class PlannedItem:
    """One item of the plan: what is posted and when; `question` is its number for questions."""

    kind: ItemKind
    at: datetime
    question: int | None = None


def _minute_mark(minutes: int) -> str:
    return f":{minutes:02d}"


def plan_cadence(
    start: datetime,
    duration_minutes: int,
    question_count: int,
    cadence: Cadence = DEFAULT_CADENCE,
) -> list[PlannedItem]:
    """The timed items of a chat starting at the aware `start`, in posting order.

    Each `at` is `start` plus elapsed minutes (a DST change inside the chat does not stretch
    it), expressed in `start`'s own zone.

    Raises CadenceDoesNotFitError when an item would come too late (see the module's rule).
    """
    require_aware(start, "start")
    if duration_minutes < 1:
        raise ScheduleError(f"duration must be at least 1 minute, not {duration_minutes}")
    if question_count < 1:
        raise ScheduleError(f"a chat needs at least 1 question, not {question_count}")
    for label, minute in (("welcome", cadence.welcome_minute), ("how-to", cadence.howto_minute)):
        if minute >= duration_minutes:
            raise CadenceDoesNotFitError(
                f"the {label} at {_minute_mark(minute)} is not before the close: "
                f"the chat lasts {duration_minutes} minutes"
            )
    last_question = (
        cadence.first_question_minute + (question_count - 1) * cadence.question_interval_minutes
    )
    latest_allowed = duration_minutes - cadence.last_question_lead_minutes
    if last_question > latest_allowed:
        raise CadenceDoesNotFitError(
            f"{question_count} questions every {cadence.question_interval_minutes} minutes "
            f"from {_minute_mark(cadence.first_question_minute)} need {last_question} minutes "
            f"until the last question is posted and {cadence.last_question_lead_minutes} more "
            f"before the close, but the chat lasts {duration_minutes} minutes"
        )

    closing = cadence.closing_minute
    if closing is not None and not last_question <= closing < duration_minutes:
        raise CadenceDoesNotFitError(
            f"the closing post at {_minute_mark(closing)} must come after the last question "
            f"({_minute_mark(last_question)}) and before the close "
            f"({_minute_mark(duration_minutes)})"
        )

    # Aware arithmetic in one zone adds wall-clock time; elapsed minutes need UTC.
    start_utc = start.astimezone(UTC)
    timed: list[tuple[int, ItemKind, int | None]] = [
        (cadence.welcome_minute, "welcome", None),
        (cadence.howto_minute, "howto", None),
        *(
            (
                cadence.first_question_minute + index * cadence.question_interval_minutes,
                "question",
                index + 1,
            )
            for index in range(question_count)
        ),
        *(((closing, "closing", None),) if closing is not None else ()),
        (duration_minutes, "close", None),
    ]
    # Sorted by minute, not by `at`: aware times in one zone compare by wall clock, which
    # repeats in a fold. The sort is stable: a how-to placed after Q1 lands there, ties keep
    # the order above.
    return [
        PlannedItem(kind, (start_utc + timedelta(minutes=minute)).astimezone(start.tzinfo), number)
        for minute, kind, number in sorted(timed, key=lambda entry: entry[0])
    ]
