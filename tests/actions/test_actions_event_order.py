"""Concurrent writers: a chat's events become visible in id order, so a reader that follows
`id > last seen` (as every live stream does) misses nothing and sees nothing twice."""

from __future__ import annotations

import threading
from collections.abc import Callable

import sqlalchemy as sa

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.posts import do_create_post
from hashchat.actions.series import do_create_series
from hashchat.store.events import events_after
from hashchat.store.models import EventRow

WRITERS = 6
POSTS_EACH = 30


def test_a_follower_of_the_event_table_misses_nothing_under_concurrent_writers(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat_id = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, ["Q?"]).id
    do_start_chat(ctx, host, chat_id)
    writers_done = threading.Event()
    followed: list[int] = []

    def follow() -> None:
        last = 0
        while True:
            finished = writers_done.is_set()  # read before the query: one more pass after
            for event in events_after(ctx.store, chat_id, last):
                followed.append(event.id)
                last = event.id
            if finished:
                return

    def write() -> None:
        for n in range(POSTS_EACH):
            do_create_post(ctx, host, chat_id, f"A1 post {n} from {threading.get_ident()}")

    follower = threading.Thread(target=follow)
    follower.start()
    writers = [threading.Thread(target=write) for _ in range(WRITERS)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
    writers_done.set()
    follower.join(timeout=60)
    assert not follower.is_alive()
    with ctx.store.read() as session:
        stored = list(
            session.scalars(
                sa.select(EventRow.id).where(EventRow.chat_id == chat_id).order_by(EventRow.id)
            )
        )
    assert len(stored) >= WRITERS * POSTS_EACH
    assert followed == stored
