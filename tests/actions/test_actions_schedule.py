"""Scheduling chats: recurring schedules made ahead (DST-correct), one chat, skip and move, and
who may do each (the permission matrix)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ConflictError, ForbiddenError, InvalidInputError
from hashchat.actions.posts import NewPost, store_post
from hashchat.actions.schedule import (
    AHEAD_COUNT,
    do_create_schedule,
    do_move_chat,
    do_schedule_chat,
    do_skip_chat,
    do_stop_schedule,
    do_top_up_schedules,
    list_schedules,
    skipped_dates,
)
from hashchat.actions.series import do_add_member, do_create_series, get_series
from hashchat.actions.views import UserView
from hashchat.store.models import ChatRow, ScheduleOccurrence, User

Clock = Any
Setup = tuple[AppContext, UserView]


@pytest.fixture
def host(new_context: Callable[[], AppContext], clock: Clock) -> Setup:
    # 2026-03-20 is a Friday a week before Europe/London goes to summer time (29 March).
    clock.now = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
    ctx = new_context()
    owner = do_register(ctx, "owner", "correct horse battery")
    do_create_series(ctx, owner, "KaizenBiz", "Kaizen", "Europe/London")
    return ctx, owner


def _starts(ctx: AppContext) -> list[datetime]:
    return sorted(chat.starts_at for chat in get_series(ctx, "KaizenBiz").chats)


def test_weekly_schedule_makes_the_next_chats_at_local_time_across_dst(host: Setup) -> None:
    ctx, owner = host
    made = do_create_schedule(
        ctx, owner, "kaizenbiz", title="Weekly", first_start=datetime(2026, 3, 20, 17, 0)
    )
    assert made.schedule is not None
    assert made.schedule.summary == "Every week on Friday at 17:00 (Europe/London)"
    assert len(made.chats) == AHEAD_COUNT
    # 17:00 GMT, then 17:00 BST (16:00 UTC) from 29 March on.
    assert _starts(ctx) == [
        datetime(2026, 3, 20, 17, 0, tzinfo=UTC),
        datetime(2026, 3, 27, 17, 0, tzinfo=UTC),
        datetime(2026, 4, 3, 16, 0, tzinfo=UTC),
        datetime(2026, 4, 10, 16, 0, tzinfo=UTC),
    ]
    assert all(chat.state == "scheduled" and chat.questions == () for chat in made.chats)


def test_every_two_weeks_until_a_date(host: Setup) -> None:
    ctx, owner = host
    made = do_create_schedule(
        ctx,
        owner,
        "KaizenBiz",
        title="Fortnightly",
        first_start=datetime(2026, 3, 20, 17, 0),
        every_weeks=2,
        until=date(2026, 4, 17),
    )
    assert made.schedule is not None
    assert made.schedule.every_weeks == 2
    assert [c.starts_at.date() for c in made.chats] == [
        date(2026, 3, 20),
        date(2026, 4, 3),
        date(2026, 4, 17),
    ]


def test_top_up_makes_the_next_date_once_time_moves_on(host: Setup, clock: Clock) -> None:
    ctx, owner = host
    do_create_schedule(ctx, owner, "KaizenBiz", title="W", first_start=datetime(2026, 3, 20, 17))
    assert do_top_up_schedules(ctx) == 0  # nothing new within reach
    clock.advance(days=7)
    assert do_top_up_schedules(ctx) == 1
    assert do_top_up_schedules(ctx) == 0  # and never twice
    assert _starts(ctx)[-1] == datetime(2026, 4, 17, 16, 0, tzinfo=UTC)
    assert len(_starts(ctx)) == AHEAD_COUNT + 1


def test_skip_removes_the_chat_and_the_schedule_does_not_make_it_again(
    host: Setup, clock: Clock
) -> None:
    ctx, owner = host
    made = do_create_schedule(
        ctx, owner, "KaizenBiz", title="W", first_start=datetime(2026, 3, 20, 17)
    )
    second = made.chats[1]
    skipped = do_skip_chat(ctx, owner, second.id)
    assert skipped.id == second.id
    assert second.starts_at not in _starts(ctx)
    do_top_up_schedules(ctx)
    assert second.starts_at not in _starts(ctx)
    [(schedule, when)] = skipped_dates(ctx, "KaizenBiz")
    assert when == second.starts_at
    assert schedule.title == "W"
    with ctx.store.read() as session:
        assert session.get(ChatRow, second.id) is None
        row = session.scalar(
            sa.select(ScheduleOccurrence).where(
                ScheduleOccurrence.occurrence_start == second.starts_at
            )
        )
        assert row is not None
        assert row.chat_id is None
        assert row.skipped_at is not None


def test_move_keeps_the_date_filled(host: Setup) -> None:
    ctx, owner = host
    made = do_create_schedule(
        ctx, owner, "KaizenBiz", title="W", first_start=datetime(2026, 3, 20, 17)
    )
    first = made.chats[0]
    moved = do_move_chat(ctx, owner, first.id, datetime(2026, 3, 21, 10, 0, tzinfo=UTC))
    assert moved.starts_at == datetime(2026, 3, 21, 10, 0, tzinfo=UTC)
    assert do_top_up_schedules(ctx) == 0  # the moved chat still fills 20 March
    assert first.starts_at not in _starts(ctx)


def test_a_started_chat_neither_moves_nor_is_skipped(host: Setup, clock: Clock) -> None:
    ctx, owner = host
    made = do_schedule_chat(
        ctx,
        owner,
        "KaizenBiz",
        title="Once",
        starts_at=clock.now + timedelta(hours=1),
        questions=["Q?"],
    )
    chat = made.chats[0]
    assert made.schedule is None
    assert [q.text for q in chat.questions] == ["Q?"]
    do_start_chat(ctx, owner, chat.id)
    with pytest.raises(ConflictError):
        do_skip_chat(ctx, owner, chat.id)
    with pytest.raises(ConflictError):
        do_move_chat(ctx, owner, chat.id, clock.now + timedelta(days=1))


def test_bad_schedules_are_refused_with_a_reason(host: Setup, clock: Clock) -> None:
    ctx, owner = host
    first = datetime(2026, 3, 20, 17)
    bad = [
        ({"every_weeks": 0}, "interval"),
        ({"until": date(2026, 3, 1)}, "until"),
        ({"timezone": "Mars/Olympus"}, "Mars/Olympus"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"first_start": datetime(2026, 3, 20, 17, 0, 30)}, "whole minute"),
        ({"title": "  "}, "title"),
        ({"title": "a\x00b"}, "control"),
    ]
    for change, reason in bad:
        arguments = {"title": "W", "first_start": first, **change}
        with pytest.raises(InvalidInputError, match=reason):
            do_create_schedule(ctx, owner, "KaizenBiz", **arguments)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="future"):
        do_schedule_chat(ctx, owner, "KaizenBiz", title="x", starts_at=clock.now)
    with pytest.raises(InvalidInputError, match="UTC offset"):
        do_schedule_chat(ctx, owner, "KaizenBiz", title="x", starts_at=datetime(2026, 5, 1))
    assert get_series(ctx, "KaizenBiz").chats == ()


def test_stopped_schedule_makes_no_more_chats(host: Setup, clock: Clock) -> None:
    ctx, owner = host
    made = do_create_schedule(
        ctx, owner, "KaizenBiz", title="W", first_start=datetime(2026, 3, 20, 17)
    )
    assert made.schedule is not None
    stopped = do_stop_schedule(ctx, owner, "KaizenBiz", made.schedule.id)
    assert stopped.stopped
    assert list_schedules(ctx, "KaizenBiz")[0].stopped
    clock.advance(days=14)
    assert do_top_up_schedules(ctx) == 0


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("owner", True),
        ("cohost", True),
        ("moderator", False),
        ("participant", False),
        (None, False),
    ],
)
def test_who_may_schedule_skip_and_move(host: Setup, role: str | None, allowed: bool) -> None:
    ctx, owner = host
    person = do_register(ctx, "person", "correct horse battery")
    if role == "owner" or role == "cohost" or role is not None:
        do_add_member(ctx, owner, "KaizenBiz", "person", role)
    made = do_create_schedule(
        ctx, owner, "KaizenBiz", title="W", first_start=datetime(2026, 3, 20, 17)
    )
    later = datetime(2026, 3, 21, 9, 0, tzinfo=UTC)
    attempts: list[Callable[[], object]] = [
        lambda: do_create_schedule(
            ctx, person, "KaizenBiz", title="P", first_start=datetime(2026, 3, 21, 17)
        ),
        lambda: do_schedule_chat(ctx, person, "KaizenBiz", title="P", starts_at=later),
        lambda: do_move_chat(ctx, person, made.chats[0].id, later),
        lambda: do_skip_chat(ctx, person, made.chats[1].id),
    ]
    for attempt in attempts:
        if allowed:
            attempt()
        else:
            with pytest.raises(ForbiddenError):
                attempt()


def test_a_chat_holding_imported_posts_is_not_skipped(host: Setup) -> None:
    ctx, owner = host
    made = do_create_schedule(
        ctx, owner, "KaizenBiz", title="W", first_start=datetime(2026, 3, 20, 17)
    )
    chat_id = made.chats[0].id
    with ctx.store.write() as session:
        chat = session.get(ChatRow, chat_id)
        author = session.get(User, owner.id)
        assert chat is not None
        assert author is not None
        store_post(
            session, chat, NewPost(author, "imported", network="mastodon"), ctx.now(), is_host=False
        )
    with pytest.raises(ConflictError, match="1 posts"):
        do_skip_chat(ctx, owner, chat_id)
    assert made.chats[0].starts_at in _starts(ctx)


def test_top_ups_racing_make_each_date_once(
    host: Setup, new_context: Callable[[], AppContext], clock: Clock
) -> None:
    ctx, owner = host
    do_create_schedule(ctx, owner, "KaizenBiz", title="W", first_start=datetime(2026, 3, 20, 17))
    clock.advance(days=21)
    others = [new_context() for _ in range(3)]
    start = threading.Barrier(len(others))
    made: list[int] = []

    def top_up(context: AppContext) -> None:
        start.wait()
        made.append(do_top_up_schedules(context))

    threads = [threading.Thread(target=top_up, args=(c,)) for c in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    starts = _starts(ctx)
    assert len(starts) == len(set(starts)) == AHEAD_COUNT + 3
    assert sum(made) == 3
