"""The cadence plan of a chat: welcome, how-to, questions on a beat, close."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hashchat.domain.schedule import (
    Cadence,
    CadenceDoesNotFitError,
    PlannedItem,
    ScheduleError,
    plan_cadence,
)

START = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)


def minute_marks(items: list[PlannedItem]) -> list[tuple[str, int, int | None]]:
    return [
        (item.kind, int((item.at - START).total_seconds()) // 60, item.question) for item in items
    ]


def test_the_usual_hour_with_six_questions() -> None:
    assert minute_marks(plan_cadence(START, 60, 6)) == [
        ("welcome", 0, None),
        ("howto", 5, None),
        ("question", 6, 1),
        ("question", 15, 2),
        ("question", 24, 3),
        ("question", 33, 4),
        ("question", 42, 5),
        ("question", 51, 6),
        ("close", 60, None),
    ]


def test_seven_questions_at_the_usual_beat_do_not_fit_and_say_why() -> None:
    with pytest.raises(CadenceDoesNotFitError) as raised:
        plan_cadence(START, 60, 7)
    assert str(raised.value) == (
        "7 questions every 9 minutes from :06 need 60 minutes until the last question is posted "
        "and 1 more before the close, but the chat lasts 60 minutes"
    )
    assert isinstance(raised.value, ValueError)


def test_the_last_question_may_come_exactly_the_lead_before_the_close() -> None:
    # Q7 at :06 + 6 * 8 = :54; with a lead of 6 minutes that is just in time, 7 is too much.
    fits = Cadence(question_interval_minutes=8, last_question_lead_minutes=6)
    assert plan_cadence(START, 60, 7, fits)[-2].at == START + timedelta(minutes=54)
    with pytest.raises(CadenceDoesNotFitError, match="need 54 minutes"):
        plan_cadence(
            START, 60, 7, Cadence(question_interval_minutes=8, last_question_lead_minutes=7)
        )


def test_every_offset_is_configurable() -> None:
    cadence = Cadence(
        welcome_minute=2, howto_minute=4, first_question_minute=10, question_interval_minutes=15
    )
    assert minute_marks(plan_cadence(START, 90, 5, cadence)) == [
        ("welcome", 2, None),
        ("howto", 4, None),
        ("question", 10, 1),
        ("question", 25, 2),
        ("question", 40, 3),
        ("question", 55, 4),
        ("question", 70, 5),
        ("close", 90, None),
    ]


def test_a_slow_chat_posts_one_question_a_day_for_a_week() -> None:
    day = 24 * 60
    cadence = Cadence(howto_minute=1, first_question_minute=2, question_interval_minutes=day)
    plan = plan_cadence(START, 7 * day, 7, cadence)
    questions = [item.at for item in plan if item.kind == "question"]
    assert questions == [START + timedelta(days=n, minutes=2) for n in range(7)]
    assert plan[-1] == PlannedItem("close", START + timedelta(days=7))


def test_items_are_in_posting_order_even_when_the_howto_follows_q1() -> None:
    plan = plan_cadence(START, 60, 2, Cadence(howto_minute=8))
    assert [item.kind for item in plan] == ["welcome", "question", "howto", "question", "close"]


def test_a_chat_across_a_dst_change_lasts_its_real_minutes() -> None:
    # London clocks go back at 2am BST on Oct 25, 2026: the hour from 1:30 BST is 60 real minutes.
    london = ZoneInfo("Europe/London")
    start = datetime(2026, 10, 25, 1, 30, tzinfo=london)
    plan = plan_cadence(start, 60, 6)
    assert [item.kind for item in plan][-2:] == ["question", "close"]
    elapsed = [int((item.at.astimezone(UTC) - start).total_seconds()) // 60 for item in plan]
    assert elapsed == [0, 5, 6, 15, 24, 33, 42, 51, 60]
    assert plan[-1].at.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert all(item.at.tzinfo is london for item in plan)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((START, 0, 6), "duration must be at least 1 minute, not 0"),
        ((START, 60, 0), "at least 1 question, not 0"),
        ((START.replace(tzinfo=None), 60, 6), "has no time zone"),
        ((START, 60, 1, Cadence(welcome_minute=60)), "the welcome at :60 is not before the close"),
        ((START, 30, 1, Cadence(howto_minute=30)), "the how-to at :30 is not before the close"),
    ],
)
def test_bad_plans_name_the_problem(arguments: tuple[object, ...], message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        plan_cadence(*arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"question_interval_minutes": 0}, "question interval must be at least 1 minute, not 0"),
        ({"welcome_minute": -1}, "welcome minute must not be negative"),
        ({"first_question_minute": -5}, "first question minute must not be negative"),
        ({"last_question_lead_minutes": -1}, "last question lead must not be negative"),
    ],
)
def test_bad_cadences_name_the_problem(fields: dict[str, int], message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        Cadence(**fields)


def test_a_closing_post_comes_after_the_last_question_and_before_the_close() -> None:
    plan = plan_cadence(START, 60, 2, Cadence(closing_minute=55))
    assert minute_marks(plan)[-3:] == [
        ("question", 15, 2),
        ("closing", 55, None),
        ("close", 60, None),
    ]


def test_a_closing_post_at_the_last_question_follows_it() -> None:
    plan = plan_cadence(START, 60, 2, Cadence(closing_minute=15))
    assert [item.kind for item in plan][-3:] == ["question", "closing", "close"]


@pytest.mark.parametrize("minute", [14, 60, 61])
def test_a_closing_post_out_of_place_is_refused(minute: int) -> None:
    with pytest.raises(ScheduleError, match=f"the closing post at :{minute:02d} must come after"):
        plan_cadence(START, 60, 2, Cadence(closing_minute=minute))


def test_a_negative_closing_minute_is_refused() -> None:
    with pytest.raises(ScheduleError, match="closing minute must not be negative"):
        Cadence(closing_minute=-1)
