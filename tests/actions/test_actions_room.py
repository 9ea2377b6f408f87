"""The room's one read (actions.room.get_room): what a reader may do there comes from the
permission matrix and the posting rule that `do_create_post` applies, so the compose box and
the host's buttons appear exactly when the action would accept them (issue 9, read side)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_end_chat, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ActionError, NotFoundError
from hashchat.actions.ingest import do_ingest_posts
from hashchat.actions.moderation import do_block_user, do_hide_post
from hashchat.actions.permissions import Mutation
from hashchat.actions.posts import do_create_post
from hashchat.actions.room import get_room
from hashchat.actions.series import do_add_member, do_create_series
from hashchat.domain.ingest import ForeignPost, Network

PASSWORD = "correct horse battery"


def test_the_room_read_agrees_with_the_posting_action(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    host = do_register(ctx, "host", PASSWORD)
    cohost = do_register(ctx, "cohost", PASSWORD)
    mod = do_register(ctx, "mod", PASSWORD)
    ann = do_register(ctx, "ann", PASSWORD)
    spam = do_register(ctx, "spam", PASSWORD)
    admin = do_register(ctx, "admin", PASSWORD, is_admin=True)
    do_create_series(ctx, host, "RoomRead", "Room", "UTC")
    do_add_member(ctx, host, "RoomRead", "cohost", "cohost")
    do_add_member(ctx, host, "RoomRead", "mod", "moderator")
    do_block_user(ctx, host, "RoomRead", "spam")
    chat = do_create_chat(ctx, host, "RoomRead", "Read", ctx.now(), 60, ["One?"])

    readers = {"host": host, "cohost": cohost, "mod": mod, "ann": ann, "spam": spam}
    readers["admin"] = admin
    for state in ("scheduled", "live", "late_answers"):
        if state == "live":
            do_start_chat(ctx, host, chat.id)
        if state == "late_answers":
            do_end_chat(ctx, host, chat.id)
        for name, reader in readers.items():
            room = get_room(ctx, chat.id, reader)
            assert room.chat.state == state
            if state != "scheduled":  # the box is hidden before the start, shown after
                try:
                    do_create_post(ctx, reader, chat.id, f"A1 from {name} in {state}")
                    accepted = True
                except ActionError:
                    accepted = False
                assert room.can_post == accepted, (name, state)
            assert room.can_post == (name != "spam"), (name, state)
            assert room.is_host == (name in ("host", "cohost")), name
            assert (Mutation.START_CHAT in room.may) == (name in ("host", "cohost", "admin"))
            assert (Mutation.HIDE_POST in room.may) == (name != "ann" and name != "spam")
    anonymous = get_room(ctx, chat.id, None)
    assert (anonymous.can_post, anonymous.may, anonymous.role) == (False, frozenset(), None)


def test_the_room_shows_posts_in_the_one_order_without_the_hidden(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    host = do_register(ctx, "host", PASSWORD)
    do_create_series(ctx, host, "RoomOrder", "Room", "UTC")
    chat = do_create_chat(ctx, host, "RoomOrder", "Order", ctx.now(), 60, ["One?"])
    do_start_chat(ctx, host, chat.id)
    kept = do_create_post(ctx, host, chat.id, "A1 kept")
    gone = do_create_post(ctx, host, chat.id, "A1 gone")
    do_hide_post(ctx, host, gone.id)
    older = ForeignPost(
        network=Network.BLUESKY,
        source="bsky.social",
        external_id="at://did:plc:x/app.bsky.feed.post/1",
        author_handle="ann.bsky.social",
        display_name="Ann",
        text="A1 from before",
        created_at=ctx.now() - timedelta(minutes=1),
    )
    do_ingest_posts(ctx, "test", chat.id, [older])
    room = get_room(ctx, chat.id, None)
    assert room.posts[0].text == "A1 from before"  # filed last, written first
    assert [(p.created_at, p.id) for p in room.posts] == sorted(
        (p.created_at, p.id) for p in room.posts
    )
    assert gone.id not in {post.id for post in room.posts}
    assert kept.id in {post.id for post in room.posts}
    assert room.resume_after > 0


def test_an_unknown_chat_is_not_found(new_context: Callable[[], AppContext]) -> None:
    with pytest.raises(NotFoundError):
        get_room(new_context(), 12345, None)
