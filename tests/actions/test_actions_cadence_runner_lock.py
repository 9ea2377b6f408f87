"""Several server processes on one PostgreSQL database: exactly one runs each chat's cadence,
and when its connection dies another takes over at its next tick, nothing posted twice or lost."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from hashchat.actions.accounts import do_register
from hashchat.actions.cadence import run_due
from hashchat.actions.chats import do_create_chat, do_start_chat, get_chat
from hashchat.actions.context import AppContext
from hashchat.actions.posts import list_posts
from hashchat.actions.series import do_create_series
from hashchat.store.locks import AdvisoryRunnerLocks, SingleRunner, runner_locks
from hashchat.store.models import EventRow

QUESTIONS = 6


def _started_chat(ctx: AppContext) -> int:
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    texts = [f"Question {n}?" for n in range(1, QUESTIONS + 1)]
    chat = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, texts)
    do_start_chat(ctx, host, chat.id)
    return chat.id


def _question_events(ctx: AppContext, chat_id: int) -> list[int]:
    with ctx.store.read() as session:
        rows = session.scalars(
            sa.select(EventRow.data)
            .where(EventRow.chat_id == chat_id, EventRow.type == "question")
            .order_by(EventRow.id)
        ).all()
    return [int(row.split('"number":')[1].split(",")[0]) for row in rows]


def _host_posts(ctx: AppContext, chat_id: int) -> int:
    return len(list_posts(ctx, chat_id))


def _kill_lock_holder(ctx: AppContext, chat_id: int) -> None:
    """What the death of a process does to its locks: PostgreSQL ends its connection."""
    with ctx.store.engine.connect() as connection:
        namespace = connection.execute(
            sa.text("SELECT hashtext(current_schema() || '/cadence')")
        ).scalar_one()
        pids = connection.execute(
            sa.text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory'"
                " AND classid = :namespace AND objid = :chat_id"
            ),
            {"namespace": namespace & 0xFFFFFFFF, "chat_id": chat_id},  # oid is unsigned
        ).scalars()
        killed = [
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            for pid in list(pids)
        ]
    assert len(killed) == 1, "exactly one process holds the chat"


@pytest.fixture(params=[pytest.param("pg", marks=pytest.mark.pg)])
def database_url(pg_database_url: str) -> str:
    """These tests are about PostgreSQL's locks (the conftest fixture, PostgreSQL only)."""
    return pg_database_url


def test_sqlite_runs_every_chat_in_its_one_process(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'one.sqlite3'}")
    try:
        assert isinstance(runner_locks(engine), SingleRunner)
        assert runner_locks(engine).hold([3, 1]) == {1, 3}
    finally:
        engine.dispose()


def test_one_runner_holds_a_chat_and_another_takes_over_when_it_dies(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    first, second = new_context(), new_context()
    first_locks = AdvisoryRunnerLocks(first.store.engine)
    second_locks = AdvisoryRunnerLocks(second.store.engine)
    try:
        chat_id = _started_chat(first)
        assert _host_posts(first, chat_id) == 1  # the welcome, at the start
        clock.advance(minutes=6)  # the how-to and Q1 are due
        assert run_due(second, clock.now, runner=second_locks) == 2  # the first tick wins it
        assert run_due(first, clock.now, runner=first_locks) == 0
        clock.advance(minutes=9)  # Q2 is due
        assert run_due(first, clock.now, runner=first_locks) == 0  # held by the second
        assert _question_events(first, chat_id) == [1]

        _kill_lock_holder(first, chat_id)  # the second process dies
        assert run_due(first, clock.now, runner=first_locks) == 1  # taken over: Q2 at once
        assert run_due(second, clock.now, runner=second_locks) == 0  # finds its lock gone
        clock.advance(minutes=9)
        assert run_due(second, clock.now, runner=second_locks) == 0  # and cannot take it back
        assert run_due(first, clock.now, runner=first_locks) == 1  # Q3
        assert _question_events(first, chat_id) == [1, 2, 3]
    finally:
        first_locks.close()
        second_locks.close()


def test_two_runners_ticking_together_post_every_question_exactly_once(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    runners = [new_context(), new_context()]
    locks = [AdvisoryRunnerLocks(ctx.store.engine) for ctx in runners]
    done = [0, 0]
    try:
        chat_id = _started_chat(runners[0])
        for minute in range(1, 62):
            clock.advance(minutes=1)
            if minute == 30:
                _kill_lock_holder(runners[0], chat_id)  # whichever process holds it dies

            def tick(index: int) -> None:
                done[index] += run_due(runners[index], clock.now, runner=locks[index])

            threads = [threading.Thread(target=tick, args=(i,)) for i in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
        assert _question_events(runners[0], chat_id) == list(range(1, QUESTIONS + 1))
        assert _host_posts(runners[0], chat_id) == 2  # welcome and how-to, once each
        assert get_chat(runners[0], chat_id).state == "late_answers"
        assert sum(done) == 1 + QUESTIONS + 1  # how-to, the questions, the close
    finally:
        for lock in locks:
            lock.close()
