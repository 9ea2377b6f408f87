"""A hand-made series whose right answers are known (tests/actions/test_actions_insights.py
states them): reposts, a hidden post, hosts, a late answer, a changed display name, one person
on two networks once she linked them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import (
    do_close_chat,
    do_create_chat,
    do_end_chat,
    do_next_question,
    do_start_chat,
)
from hashchat.actions.context import AppContext
from hashchat.actions.ingest import do_ingest_posts, do_link_handle
from hashchat.actions.moderation import do_hide_post
from hashchat.actions.posts import do_create_post
from hashchat.actions.series import do_add_member, do_create_series
from hashchat.domain.ingest import ForeignPost, Network


class Clock(Protocol):
    """The hand-moved clock of tests/actions/conftest.py."""

    now: datetime

    def advance(self, **delta: float) -> datetime: ...


# A module-level helper type: the hand-made series returns its cast for the assertions.
Cast = dict[str, Any]


def _x(external_id: str, handle: str, name: str, text: str, at: Any, **more: Any) -> ForeignPost:
    return ForeignPost(
        network=Network.X,
        source="x.com",
        external_id=external_id,
        author_handle=handle,
        display_name=name,
        text=text,
        created_at=at,
        **more,
    )


def hand_made_series(ctx: AppContext, clock: Clock) -> Cast:
    """Two chats a week apart with known figures (see the assertions)."""
    coach = do_register(ctx, "coach", "correct horse battery")
    cora = do_register(ctx, "cora", "correct horse battery")
    ann = do_register(ctx, "ann", "correct horse battery", "Ann")
    bob = do_register(ctx, "bob", "correct horse battery")
    carl = do_register(ctx, "carl", "correct horse battery")
    lucy = do_register(ctx, "lucy", "correct horse battery")
    do_create_series(ctx, coach, "KaizenBiz", "Kaizen", "UTC")
    do_add_member(ctx, coach, "KaizenBiz", "cora", "cohost")

    # Chat 1: ann, bob (local) and tom (x) take part; carl's only post is hidden; rita only
    # reposts; coach hosts. Answers: ann A1, bob A1, tom A1, ann "A1 & A2" (two), bob's late
    # A2 = 6, one late. Bob's reply to ann is a reply, and a conversation.
    start1 = clock.now
    chat1 = do_create_chat(ctx, coach, "KaizenBiz", "Habits", start1, 60, ["Wins?", "Tools?"])
    do_start_chat(ctx, coach, chat1.id)
    clock.advance(minutes=1)
    do_next_question(ctx, coach, chat1.id)
    clock.advance(minutes=1)
    ann1 = do_create_post(ctx, ann, chat1.id, "A1 a list on the fridge")
    clock.advance(minutes=1)
    do_create_post(ctx, bob, chat1.id, "A1 kitchen timers")
    clock.advance(minutes=1)
    do_create_post(ctx, bob, chat1.id, "good point", reply_to=ann1.id)
    hidden = do_create_post(ctx, carl, chat1.id, "A1 buy my course")
    do_hide_post(ctx, coach, hidden.id)
    do_ingest_posts(
        ctx,
        "test",
        chat1.id,
        [
            _x("t1", "tradietom", "Tom", "A1 van shelving", clock.now),
            _x("r1", "rita", "Rita", "RT", clock.now, repost_of="t1"),
        ],
    )
    clock.advance(minutes=10)
    do_next_question(ctx, coach, chat1.id)
    clock.advance(minutes=1)
    do_create_post(ctx, ann, chat1.id, "A1 & A2: both, with a timer")
    clock.now = start1 + timedelta(minutes=61)
    do_end_chat(ctx, coach, chat1.id)
    clock.advance(minutes=5)
    do_create_post(ctx, bob, chat1.id, "A2 late, but a notebook")
    do_close_chat(ctx, coach, chat1.id)

    # Chat 2, a week later: ann returns, tom returns as "Tommy T", lucy comes twice (here and
    # as @lucyx on x, linked to her account), cora (co-host) answers: a host, not a participant.
    clock.now = start1 + timedelta(days=7)
    do_link_handle(ctx, "lucy", "x", "lucyx")
    chat2 = do_create_chat(ctx, coach, "KaizenBiz", "Tools", clock.now, 60, ["Apps?"])
    do_start_chat(ctx, coach, chat2.id)
    clock.advance(minutes=1)
    do_next_question(ctx, coach, chat2.id)
    clock.advance(minutes=3)
    do_create_post(ctx, ann, chat2.id, "A1 a notes app")
    do_create_post(ctx, lucy, chat2.id, "A1 paper")
    do_create_post(ctx, cora, chat2.id, "A1 mine is a whiteboard")
    do_ingest_posts(
        ctx,
        "test",
        chat2.id,
        [
            _x("t2", "TradieTom", "Tommy T", "A1 a clipboard", clock.now),
            _x("l2", "lucyx", "Lucy on X", "A1 and a pencil", clock.now),
        ],
    )
    return {"chat1": chat1.id, "chat2": chat2.id, "coach": coach, "ann": ann, "bob": bob}
