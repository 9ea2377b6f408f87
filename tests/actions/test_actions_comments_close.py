"""Ending a chat sets when comments close (default 24 hours later); the runner closes them on
time; until then the closing time moves; the plan says what happened (issue 9)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from hashchat.actions.accounts import do_register
from hashchat.actions.cadence import run_due
from hashchat.actions.chats import (
    chat_plan,
    do_close_chat,
    do_create_chat,
    do_end_chat,
    do_move_comments_close,
    do_next_question,
    do_start_chat,
    get_chat,
)
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ConflictError, InvalidInputError
from hashchat.actions.series import do_create_series
from hashchat.actions.views import UserView


def _live(ctx: AppContext) -> tuple[UserView, int]:
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, ["A?", "B?", "C?"])
    do_start_chat(ctx, host, chat.id)
    return host, chat.id


def test_ending_without_a_time_closes_comments_24_hours_later(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    ctx = new_context()
    host, chat_id = _live(ctx)
    ended = do_end_chat(ctx, host, chat_id)
    assert ended.comments_close_at == clock.now + timedelta(hours=24)
    clock.advance(hours=23, minutes=59)
    run_due(ctx, clock.now)
    assert get_chat(ctx, chat_id).state == "late_answers"
    clock.advance(minutes=1)
    run_due(ctx, clock.now)
    closed = get_chat(ctx, chat_id)
    assert (closed.state, closed.closed_at) == ("closed", clock.now)


def test_a_live_hour_that_ends_by_itself_closes_comments_24_hours_later(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    """The cadence ends the hour (no host pressed End): comments still close by themselves,
    24 hours after the end, with the countdown the console shows."""
    ctx = new_context()
    _host, chat_id = _live(ctx)
    for _ in range(8):  # the plan's items, then the end of the hour
        clock.advance(minutes=10)
        run_due(ctx, clock.now)
    ended = get_chat(ctx, chat_id)
    assert ended.state == "late_answers"
    assert ended.ended_at is not None
    assert ended.comments_close_at == ended.ended_at + timedelta(hours=24)
    clock.advance(hours=25)
    run_due(ctx, clock.now)
    assert get_chat(ctx, chat_id).state == "closed"


def test_the_closing_time_moves_until_comments_close(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    ctx = new_context()
    host, chat_id = _live(ctx)
    do_end_chat(ctx, host, chat_id, clock.now + timedelta(hours=2))
    later = clock.now + timedelta(hours=48)
    assert do_move_comments_close(ctx, host, chat_id, later).comments_close_at == later
    with pytest.raises(InvalidInputError, match="in the future"):
        do_move_comments_close(ctx, host, chat_id, clock.now - timedelta(minutes=1))
    clock.advance(hours=3)
    run_due(ctx, clock.now)
    assert get_chat(ctx, chat_id).state == "late_answers"  # moved: not closed at the old time
    do_close_chat(ctx, host, chat_id)
    with pytest.raises(ConflictError, match="only while late answers are open"):
        do_move_comments_close(ctx, host, chat_id, clock.now + timedelta(hours=1))


def test_a_live_chat_has_no_closing_time_to_move(new_context: Callable[[], AppContext]) -> None:
    ctx = new_context()
    host, chat_id = _live(ctx)
    with pytest.raises(ConflictError, match="the chat is live"):
        do_move_comments_close(ctx, host, chat_id, ctx.now() + timedelta(hours=1))


def test_the_plan_of_a_chat_ended_early_says_what_was_posted_and_what_was_skipped(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    ctx = new_context()
    host, chat_id = _live(ctx)
    do_next_question(ctx, host, chat_id)
    clock.advance(minutes=10)
    do_end_chat(ctx, host, chat_id)
    plan = [(p.kind, p.question, p.state, p.done_at) for p in chat_plan(ctx, chat_id)]
    start = clock.now - timedelta(minutes=10)
    assert plan == [
        ("welcome", None, "done", start),
        ("howto", None, "skipped", clock.now),
        ("question", 1, "done", start),
        ("question", 2, "skipped", clock.now),
        ("question", 3, "skipped", clock.now),
        ("close", None, "skipped", clock.now),
    ]
