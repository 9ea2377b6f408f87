"""Hide and spotlight are undone: an unhidden post is back everywhere, its replies inherit
its answer again, and the event stream serves it as it now is (issue 9)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_next_question, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.moderation import do_hide_post, do_spotlight_post, do_unhide_post
from hashchat.actions.posts import do_create_post, list_posts
from hashchat.actions.series import do_create_series
from hashchat.actions.views import to_json
from hashchat.store.events import events_after, last_event_id
from hashchat.store.models import SegmentRow


def _segments(ctx: AppContext, post_id: int) -> list[tuple[str, int | None]]:
    with ctx.store.read() as session:
        rows = session.execute(
            sa.select(SegmentRow.kind, SegmentRow.question)
            .where(SegmentRow.post_id == post_id)
            .order_by(SegmentRow.position)
        ).all()
    return [(kind, question) for kind, question in rows]


def test_unhide_restores_the_post_its_replies_segments_and_event(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    host = do_register(ctx, "host", "correct horse battery")
    ann = do_register(ctx, "ann", "correct horse battery")
    bob = do_register(ctx, "bob", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, ["One?", "Two?"])
    do_start_chat(ctx, host, chat.id)
    do_next_question(ctx, host, chat.id)
    answer = do_create_post(ctx, ann, chat.id, "A1 small steps #KaizenBiz")
    reply = do_create_post(ctx, bob, chat.id, "so true #KaizenBiz", reply_to=answer.id)
    reply_before = _segments(ctx, reply.id)
    assert reply_before == [("reply", 1)]  # filed under Q1 through its parent

    do_hide_post(ctx, host, answer.id)
    assert answer.id not in [p.id for p in list_posts(ctx, chat.id)]
    assert _segments(ctx, answer.id) == []
    assert _segments(ctx, reply.id) != reply_before  # a hidden parent files nothing

    restored = do_unhide_post(ctx, host, answer.id)
    assert (restored.hidden, restored.question, restored.text) == (
        False,
        1,
        "A1 small steps #KaizenBiz",
    )
    assert answer.id in [p.id for p in list_posts(ctx, chat.id)]
    assert _segments(ctx, answer.id) == [("answer", 1)]
    assert _segments(ctx, reply.id) == reply_before
    events = events_after(ctx.store, chat.id, 0)
    post_event = next(
        json.loads(e.data)
        for e in events
        if e.type == "post" and json.loads(e.data)["id"] == answer.id
    )
    assert (post_event["hidden"], post_event["text"]) == (False, "A1 small steps #KaizenBiz")
    unhide = json.loads(events[-1].data)
    assert events[-1].type == "unhide"
    assert (unhide["post_id"], unhide["post"]["text"]) == (answer.id, "A1 small steps #KaizenBiz")
    # idempotent: a second unhide writes nothing
    do_unhide_post(ctx, host, answer.id)
    assert len(events_after(ctx.store, chat.id, 0)) == len(events)


def test_a_spotlight_is_taken_off(new_context: Callable[[], AppContext]) -> None:
    ctx = new_context()
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, ["One?"])
    do_start_chat(ctx, host, chat.id)
    post = list_posts(ctx, chat.id)[0]
    assert do_spotlight_post(ctx, host, post.id).spotlight is True
    assert do_spotlight_post(ctx, host, post.id, on=False).spotlight is False
    assert list_posts(ctx, chat.id)[0].spotlight is False


def _apply(posts: dict[int, dict[str, object]], kind: str, data: dict[str, Any]) -> None:
    """One event applied to a room's visible posts, as a client does."""
    if kind == "post":
        if data.get("hidden"):
            posts.pop(data["id"], None)
        else:
            posts[data["id"]] = data
    elif kind == "hide":
        posts.pop(data["post_id"], None)
    elif kind == "unhide":
        posts[data["post_id"]] = data["post"]


def test_a_fetch_at_any_moment_plus_the_later_events_gives_the_posts_as_they_are_now(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    host = do_register(ctx, "host", "correct horse battery")
    ann = do_register(ctx, "ann", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, ["One?"])
    do_start_chat(ctx, host, chat.id)
    fetches: list[tuple[int, dict[int, dict[str, object]]]] = []

    def fetch() -> None:  # what a client loads: the posts and the id to resume after
        resume = last_event_id(ctx.store, chat.id)
        posts = {p.id: to_json(p) for p in list_posts(ctx, chat.id)}
        fetches.append((resume, posts))

    fetch()
    back = do_create_post(ctx, ann, chat.id, "A1 back again #KaizenBiz")
    gone = do_create_post(ctx, ann, chat.id, "A1 gone #KaizenBiz")
    fetch()
    do_hide_post(ctx, host, back.id)
    fetch()
    do_hide_post(ctx, host, gone.id)
    do_unhide_post(ctx, host, back.id)
    fetch()
    fresh = {p.id: p.text for p in list_posts(ctx, chat.id)}
    assert back.id in fresh
    assert gone.id not in fresh
    for resume, posts in fetches:
        for event in events_after(ctx.store, chat.id, resume):
            _apply(posts, event.type, json.loads(event.data))
        assert {i: p["text"] for i, p in posts.items()} == fresh, resume
