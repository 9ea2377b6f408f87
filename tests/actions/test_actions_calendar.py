"""The calendar feed's chats: a chat stays once it starts (live, late answers, closed) at the
times it happened, for CALENDAR_PAST_DAYS; older ones leave the feed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from hashchat.actions.accounts import do_register
from hashchat.actions.calendar import CALENDAR_PAST_DAYS, CalendarChat, calendar_of_series
from hashchat.actions.chats import do_close_chat, do_create_chat, do_end_chat, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.series import do_create_series
from hashchat.actions.views import UserView


def _chat(ctx: AppContext, host: UserView, title: str, in_minutes: int = 5) -> int:
    starts_at = ctx.now() + timedelta(minutes=in_minutes)
    return do_create_chat(ctx, host, "KaizenBiz", title, starts_at, 60, ["Q?"]).id


def test_a_chat_stays_in_the_feed_in_every_state_at_its_actual_times(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    ctx = new_context()
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "Europe/London")

    too_old = _chat(ctx, host, "Too old")
    clock.advance(minutes=12)
    do_start_chat(ctx, host, too_old)
    old_start = clock.now
    clock.advance(minutes=40)
    do_end_chat(ctx, host, too_old)
    do_close_chat(ctx, host, too_old)

    clock.advance(days=2)
    closed = _chat(ctx, host, "Closed")
    clock.advance(minutes=7, seconds=42)
    do_start_chat(ctx, host, closed)
    closed_start = clock.now
    clock.advance(minutes=50)
    do_end_chat(ctx, host, closed)
    do_close_chat(ctx, host, closed)

    late = _chat(ctx, host, "Late answers")
    clock.advance(minutes=6)
    do_start_chat(ctx, host, late)
    late_start = clock.now
    clock.advance(minutes=30)
    do_end_chat(ctx, host, late)

    live = _chat(ctx, host, "Live")
    clock.advance(minutes=8)
    do_start_chat(ctx, host, live)
    live_start = clock.now

    planned = clock.now + timedelta(days=7)
    scheduled = do_create_chat(ctx, host, "KaizenBiz", "Scheduled", planned, 45, ["Q?"]).id

    # The oldest chat went live just over CALENDAR_PAST_DAYS ago, the closed one just under.
    clock.now = old_start + timedelta(days=CALENDAR_PAST_DAYS, minutes=1)
    feed = calendar_of_series(ctx, "kaizenbiz")
    assert feed.series.tag == "KaizenBiz"
    assert feed.chats == (
        CalendarChat(closed, "Closed", "closed", closed_start.replace(second=0), 50),
        CalendarChat(late, "Late answers", "late_answers", late_start.replace(second=0), 30),
        CalendarChat(live, "Live", "live", live_start.replace(second=0), 60),
        CalendarChat(scheduled, "Scheduled", "scheduled", planned.replace(second=0), 45),
    )

    clock.now = old_start + timedelta(days=CALENDAR_PAST_DAYS)
    assert next(c.id for c in calendar_of_series(ctx, "KaizenBiz").chats) == too_old


def test_a_chat_ended_at_once_is_a_one_minute_event(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    ctx = new_context()
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat = _chat(ctx, host, "Oops")
    do_start_chat(ctx, host, chat)
    do_end_chat(ctx, host, chat)
    (event,) = calendar_of_series(ctx, "KaizenBiz").chats
    assert event.duration_minutes == 1
