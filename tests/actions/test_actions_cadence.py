"""The cadence runner: the plan lives in the database, survives a restart, posts nothing twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from hashchat.actions.accounts import do_register, get_user
from hashchat.actions.cadence import run_due
from hashchat.actions.chats import do_create_chat, do_next_question, do_start_chat, get_chat
from hashchat.actions.context import AppContext
from hashchat.actions.posts import list_posts
from hashchat.actions.series import do_add_member, do_create_series
from hashchat.store.models import EventRow


def _started_chat(ctx: AppContext, questions: int = 6) -> int:
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    texts = [f"Question {n}?" for n in range(1, questions + 1)]
    chat = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, texts)
    do_start_chat(ctx, host, chat.id)
    return chat.id


def _asked(ctx: AppContext, chat_id: int) -> list[int]:
    return [q.number for q in get_chat(ctx, chat_id).questions if q.asked_at is not None]


def _question_events(ctx: AppContext, chat_id: int) -> list[int]:
    with ctx.store.read() as session:
        rows = session.scalars(
            sa.select(EventRow.data).where(EventRow.chat_id == chat_id, EventRow.type == "question")
        ).all()
    return [int(row.split('"number":')[1].split(",")[0]) for row in rows]


def test_the_plan_posts_welcome_howto_and_questions_on_time(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    ctx = new_context()
    chat_id = _started_chat(ctx)
    assert len(list_posts(ctx, chat_id)) == 1  # the welcome, due at once
    clock.advance(minutes=5)
    assert run_due(ctx, clock.now) == 1  # the how-to
    clock.advance(minutes=1)
    run_due(ctx, clock.now)
    assert _asked(ctx, chat_id) == [1]
    clock.advance(minutes=9 * 2)
    run_due(ctx, clock.now)
    assert _asked(ctx, chat_id) == [1, 2, 3]
    clock.advance(minutes=60)
    run_due(ctx, clock.now)
    chat = get_chat(ctx, chat_id)
    assert _asked(ctx, chat_id) == [1, 2, 3, 4, 5, 6]
    assert chat.state == "late_answers"  # the plan's close item ended the live hour


def test_a_restart_mid_chat_resumes_without_posting_twice(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    before = new_context()
    chat_id = _started_chat(before)
    clock.advance(minutes=16)
    run_due(before, clock.now)
    run_due(before, clock.now)  # a second tick at the same moment does nothing more
    assert _asked(before, chat_id) == [1, 2]
    before.store.dispose()

    after = new_context()  # the server restarted on the same database
    assert run_due(after, clock.now) == 0
    clock.advance(minutes=9)
    run_due(after, clock.now)
    run_due(new_context(), clock.now)  # even a second runner finds nothing left to do
    assert _asked(after, chat_id) == [1, 2, 3]
    assert _question_events(after, chat_id) == [1, 2, 3]


def test_next_question_now_keeps_the_rest_of_the_plan_and_never_doubles(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    ctx = new_context()
    chat_id = _started_chat(ctx)
    host = do_register(ctx, "cohost", "correct horse battery")
    owner = get_user(ctx, "host")
    do_add_member(ctx, owner, "KaizenBiz", "cohost", "cohost")
    clock.advance(minutes=2)
    assert do_next_question(ctx, host, chat_id).number == 1  # early, at :02
    clock.advance(minutes=4)
    run_due(ctx, clock.now)  # :06, when Q1 was planned: nothing is posted again
    assert _asked(ctx, chat_id) == [1]
    clock.advance(minutes=9)
    run_due(ctx, clock.now)  # :15, Q2 on its own time
    assert _question_events(ctx, chat_id) == [1, 2]
