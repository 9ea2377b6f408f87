"""A post's stored `post` event always says what the post is now, also when moderators change
the same post at once (on PostgreSQL two transactions may read the post before either commits)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.moderation import do_hide_post, do_spotlight_post
from hashchat.actions.posts import do_create_post, post_event_data
from hashchat.actions.series import do_create_series
from hashchat.store.events import events_after
from hashchat.store.models import PostRow

ROUNDS = 12


def test_concurrent_hide_and_spotlight_leave_the_post_event_as_the_post(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat_id = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, ["Q?"]).id
    do_start_chat(ctx, host, chat_id)
    for round_ in range(ROUNDS):
        post = do_create_post(ctx, host, chat_id, f"A1 secret-{round_} words")
        start = threading.Barrier(2)

        def hide(post_id: int = post.id, barrier: threading.Barrier = start) -> None:
            barrier.wait()
            do_hide_post(ctx, host, post_id)

        def spotlight(post_id: int = post.id, barrier: threading.Barrier = start) -> None:
            barrier.wait()
            do_spotlight_post(ctx, host, post_id)

        threads = [threading.Thread(target=hide), threading.Thread(target=spotlight)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        with ctx.store.read() as session:
            row = session.get(PostRow, post.id)
            assert row is not None
            expected = post_event_data(row)
        stored = [
            json.loads(e.data)
            for e in events_after(ctx.store, chat_id, 0)
            if e.type == "post" and json.loads(e.data)["id"] == post.id
        ]
        assert stored == [expected]
        assert expected == {"id": post.id, "chat_id": chat_id, "hidden": True}
