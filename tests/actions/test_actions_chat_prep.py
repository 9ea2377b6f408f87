"""Before a chat starts the host frames it (topic), writes its questions (add, remove,
reorder) and sets its cadence; once it starts all of that is fixed (issue 9)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from hashchat.actions.accounts import do_register
from hashchat.actions.cadence import run_due
from hashchat.actions.chats import (
    chat_plan,
    do_create_chat,
    do_edit_chat,
    do_start_chat,
    get_chat,
)
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ConflictError, InvalidInputError, NotFoundError
from hashchat.actions.posts import do_create_post, list_posts
from hashchat.actions.questions import (
    do_add_question,
    do_move_question,
    do_remove_question,
    do_reorder_questions,
)
from hashchat.actions.schedule import do_schedule_chat
from hashchat.actions.series import do_create_series
from hashchat.actions.views import UserView
from hashchat.domain.schedule import Cadence
from hashchat.store.events import events_after

DAY = 24 * 60


def _chat(ctx: AppContext, questions: int = 3, starts_in: int = 60) -> tuple[UserView, int]:
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    texts = [f"Question {n}?" for n in range(1, questions + 1)]
    start = ctx.now() + timedelta(minutes=starts_in)
    chat = do_create_chat(ctx, host, "KaizenBiz", "Habits", start, 60, texts)
    return host, chat.id


def _texts(ctx: AppContext, chat_id: int) -> list[str]:
    return [q.text for q in get_chat(ctx, chat_id).questions]


def test_the_topic_is_written_and_edited_until_the_chat_starts(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    host, chat_id = _chat(ctx)
    assert get_chat(ctx, chat_id).topic == ""
    post = "Why habits stick.\r\n\r\nRead the post first: https://example.com/habits"
    edited = do_edit_chat(ctx, host, chat_id, topic=post)
    assert edited.topic == "Why habits stick.\n\nRead the post first: https://example.com/habits"
    assert get_chat(ctx, chat_id).topic == edited.topic
    assert do_edit_chat(ctx, host, chat_id, topic="  ").topic == ""  # empty clears it
    with pytest.raises(InvalidInputError, match="topic has more than"):
        do_edit_chat(ctx, host, chat_id, topic="x" * 20_001)
    do_start_chat(ctx, host, chat_id)
    with pytest.raises(ConflictError, match="the chat is live"):
        do_edit_chat(ctx, host, chat_id, topic="Too late")


def test_an_edit_tells_open_rooms_to_reload(new_context: Callable[[], AppContext]) -> None:
    ctx = new_context()
    host, chat_id = _chat(ctx)
    do_edit_chat(ctx, host, chat_id, topic="New framing")
    do_add_question(ctx, host, chat_id, "Four?")
    assert [e.type for e in events_after(ctx.store, chat_id, 0)] == ["resync", "resync"]


def test_questions_are_added_removed_and_reordered_before_the_start(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    host, chat_id = _chat(ctx)
    do_add_question(ctx, host, chat_id, "Last?")
    do_add_question(ctx, host, chat_id, "First?", position=1)
    assert _texts(ctx, chat_id) == ["First?", "Question 1?", "Question 2?", "Question 3?", "Last?"]
    do_remove_question(ctx, host, chat_id, 2)
    assert _texts(ctx, chat_id) == ["First?", "Question 2?", "Question 3?", "Last?"]
    do_reorder_questions(ctx, host, chat_id, [4, 3, 2, 1])
    assert _texts(ctx, chat_id) == ["Last?", "Question 3?", "Question 2?", "First?"]
    do_move_question(ctx, host, chat_id, 4, 1)
    assert _texts(ctx, chat_id) == ["First?", "Last?", "Question 3?", "Question 2?"]
    numbers = [q.number for q in get_chat(ctx, chat_id).questions]
    assert numbers == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda c, h, i: do_reorder_questions(c, h, i, [1, 1, 2]), InvalidInputError, "exactly"),
        (lambda c, h, i: do_reorder_questions(c, h, i, [1, 2]), InvalidInputError, "exactly"),
        (lambda c, h, i: do_remove_question(c, h, i, 9), NotFoundError, "no question 9"),
        (lambda c, h, i: do_add_question(c, h, i, "x?", 9), InvalidInputError, "position"),
        (lambda c, h, i: do_add_question(c, h, i, " "), InvalidInputError, "must not be empty"),
    ],
)
def test_bad_question_changes_are_refused_and_lose_nothing(
    new_context: Callable[[], AppContext], change: Any, error: type[Exception], message: str
) -> None:
    ctx = new_context()
    host, chat_id = _chat(ctx)
    with pytest.raises(error, match=message):
        change(ctx, host, chat_id)
    assert _texts(ctx, chat_id) == ["Question 1?", "Question 2?", "Question 3?"]


def test_the_last_question_cannot_be_removed(new_context: Callable[[], AppContext]) -> None:
    ctx = new_context()
    host, chat_id = _chat(ctx, questions=1)
    with pytest.raises(InvalidInputError, match="1 to 50 questions"):
        do_remove_question(ctx, host, chat_id, 1)


def test_a_question_that_does_not_fit_the_hour_is_refused(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    host, chat_id = _chat(ctx, questions=6)  # the usual hour fits six
    with pytest.raises(InvalidInputError, match="7 questions every 9 minutes"):
        do_add_question(ctx, host, chat_id, "Seventh?")
    assert len(_texts(ctx, chat_id)) == 6


def test_after_the_start_the_list_is_fixed(new_context: Callable[[], AppContext]) -> None:
    ctx = new_context()
    host, chat_id = _chat(ctx, starts_in=0)
    do_start_chat(ctx, host, chat_id)
    for change in (
        lambda: do_add_question(ctx, host, chat_id, "More?"),
        lambda: do_remove_question(ctx, host, chat_id, 3),
        lambda: do_reorder_questions(ctx, host, chat_id, [3, 2, 1]),
    ):
        with pytest.raises(ConflictError, match="only before it starts"):
            change()
    assert _texts(ctx, chat_id) == ["Question 1?", "Question 2?", "Question 3?"]


def test_the_plan_is_previewed_before_the_start_and_follows_the_cadence(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    host, chat_id = _chat(ctx, questions=2)
    start = get_chat(ctx, chat_id).starts_at
    do_edit_chat(
        ctx,
        host,
        chat_id,
        cadence=Cadence(howto_minute=2, first_question_minute=10, closing_minute=50),
    )
    plan = chat_plan(ctx, chat_id)
    assert [(p.kind, p.question, p.state) for p in plan] == [
        ("welcome", None, "preview"),
        ("howto", None, "preview"),
        ("question", 1, "preview"),
        ("question", 2, "preview"),
        ("closing", None, "preview"),
        ("close", None, "preview"),
    ]
    assert [int((p.due_at - start).total_seconds()) // 60 for p in plan] == [0, 2, 10, 19, 50, 60]


def test_a_cadence_that_does_not_fit_is_refused_and_the_old_one_stays(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    host, chat_id = _chat(ctx, questions=3)
    with pytest.raises(InvalidInputError, match="3 questions every 30 minutes"):
        do_edit_chat(ctx, host, chat_id, cadence=Cadence(question_interval_minutes=30))
    assert get_chat(ctx, chat_id).cadence is None


def test_a_slow_chat_posts_one_question_a_day_and_stays_live_all_week(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    ctx = new_context()
    host, chat_id = _chat(ctx, questions=6, starts_in=0)
    slow = Cadence(howto_minute=1, first_question_minute=2, question_interval_minutes=DAY)
    do_edit_chat(ctx, host, chat_id, cadence=slow, duration_minutes=7 * DAY)
    do_add_question(ctx, host, chat_id, "Seventh?")  # fits the week, not the usual hour
    do_start_chat(ctx, host, chat_id)
    clock.advance(days=3, minutes=2)
    run_due(ctx, clock.now)
    chat = get_chat(ctx, chat_id)
    assert (chat.state, chat.current_question) == ("live", 4)
    late_to_q1 = do_register(ctx, "late", "correct horse battery")
    posted = do_create_post(ctx, late_to_q1, chat_id, "A1 still counts on day four #KaizenBiz")
    assert (posted.question, posted.late) == (1, False)  # the chat is live all week
    clock.advance(days=4)
    run_due(ctx, clock.now)
    assert get_chat(ctx, chat_id).state == "late_answers"


def test_the_closing_post_is_posted_by_the_host_on_its_minute(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    ctx = new_context()
    host, chat_id = _chat(ctx, questions=2, starts_in=0)
    do_edit_chat(ctx, host, chat_id, cadence=Cadence(closing_minute=40))
    do_start_chat(ctx, host, chat_id)
    clock.advance(minutes=40)
    run_due(ctx, clock.now)
    last = list_posts(ctx, chat_id)[-1]
    assert (last.author, last.is_host, last.question) == ("host", True, None)
    assert "thank you" in last.text


def test_a_chat_without_questions_yet_gets_its_cadence_and_first_question(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    start = ctx.now() + timedelta(days=1)
    made = do_schedule_chat(ctx, host, "KaizenBiz", title="Open", starts_at=start)
    chat_id = made.chats[0].id
    do_edit_chat(ctx, host, chat_id, cadence=Cadence(closing_minute=30))
    do_add_question(ctx, host, chat_id, "First?")
    assert _texts(ctx, chat_id) == ["First?"]
