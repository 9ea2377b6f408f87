"""Each visible post's copy of its segments' counts (answers, late answers, replies, questions;
migration 0020, what the series insights count per author) stays equal to its stored segments
through every path that writes them: typed posts, questions asked, hide and unhide, the end of
the live hour, and the ingest door's new posts, late parents, edits, deletions, reposts and
re-imports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from foreign_posts_support import foreign_post as _post

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_end_chat, do_next_question, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.ingest import do_ingest_posts
from hashchat.actions.moderation import do_hide_post, do_unhide_post
from hashchat.actions.posts import do_create_post
from hashchat.actions.series import do_create_series
from hashchat.store.models import PostRow, SegmentRow

Counts = tuple[int, int, int, int]  # answers, late answers, replies, questions


def _copies_match_segments(ctx: AppContext, chat_id: int) -> dict[int, Counts]:
    """Assert every visible post's counts are its stored segments' counts; return them."""
    s = SegmentRow
    with ctx.store.read() as session:
        copied = {
            row.id: (
                row.answer_segments,
                row.late_answer_segments,
                row.reply_segments,
                row.question_segments,
            )
            for row in session.scalars(
                sa.select(PostRow).where(PostRow.chat_id == chat_id, PostRow.hidden.is_(False))
            )
        }
        answer = s.kind == "answer"
        counted = {
            post_id: (int(answers), int(late), int(replies), int(questions))
            for post_id, answers, late, replies, questions in session.execute(
                sa.select(
                    s.post_id,
                    sa.func.count().filter(answer),
                    sa.func.count().filter(sa.and_(answer, s.late.is_(True))),
                    sa.func.count().filter(s.kind == "reply"),
                    sa.func.count().filter(s.kind == "question"),
                )
                .where(s.chat_id == chat_id)
                .group_by(s.post_id)
            )
        }
    assert copied == {post_id: counted.get(post_id, (0, 0, 0, 0)) for post_id in copied}
    return copied


def test_typed_posts_hide_unhide_and_the_end_keep_the_counts_true(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    ctx = new_context()
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, ["One?", "Two?"])
    do_start_chat(ctx, host, chat.id)
    ana = do_register(ctx, "ana", "correct horse battery")
    bea = do_register(ctx, "bea", "correct horse battery")
    do_next_question(ctx, host, chat.id)
    clock.advance(minutes=1)
    both = do_create_post(ctx, ana, chat.id, "A1 & A2: both at once")
    clock.advance(minutes=1)
    reply = do_create_post(ctx, bea, chat.id, "same here", both.id)
    clock.advance(minutes=1)
    comment = do_create_post(ctx, host, chat.id, "thanks all")
    asked = do_create_post(ctx, host, chat.id, "Q3 and a bonus one?")
    counts = _copies_match_segments(ctx, chat.id)
    assert counts[both.id] == (2, 0, 0, 0)
    assert counts[reply.id] == (0, 0, 1, 0)
    assert counts[comment.id] == (0, 0, 0, 0)
    assert counts[asked.id] == (0, 0, 0, 1)

    do_hide_post(ctx, host, both.id)  # the reply now stands alone: an inferred answer
    counts = _copies_match_segments(ctx, chat.id)
    assert both.id not in counts
    assert counts[reply.id] == (1, 0, 0, 0)
    do_unhide_post(ctx, host, both.id)
    counts = _copies_match_segments(ctx, chat.id)
    assert (counts[both.id], counts[reply.id]) == ((2, 0, 0, 0), (0, 0, 1, 0))

    do_end_chat(ctx, host, chat.id)
    clock.advance(minutes=5)
    late = do_create_post(ctx, bea, chat.id, "A2 after the hour")
    assert _copies_match_segments(ctx, chat.id)[late.id] == (1, 1, 0, 0)


def test_the_ingest_door_keeps_the_counts_true(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    ctx = new_context()
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, ["One?", "Two?"])
    do_start_chat(ctx, host, chat.id)
    do_next_question(ctx, host, chat.id)
    t0 = ctx.now()
    first = [
        _post("1", "A1 & A2: van shelving", t0 + timedelta(minutes=1)),
        # a reply whose parent ("3") arrives in a later call
        _post("2", "agreed", t0 + timedelta(minutes=3), author_handle="lucy", reply_to="3"),
        _post("4", "A1 boosted", t0 + timedelta(minutes=4), author_handle="rt", repost_of="1"),
    ]
    do_ingest_posts(ctx, "test", chat.id, first)
    ids = _ids(ctx, chat.id)
    counts = _copies_match_segments(ctx, chat.id)
    assert counts[ids["1"]] == (2, 0, 0, 0)
    assert counts[ids["2"]] == (1, 0, 0, 0)  # no parent yet: inferred answer

    parent = _post("3", "A1 a label printer", t0 + timedelta(minutes=2), author_handle="max")
    do_ingest_posts(ctx, "test", chat.id, [parent])
    ids = _ids(ctx, chat.id)
    counts = _copies_match_segments(ctx, chat.id)
    assert counts[ids["2"]] == (0, 0, 1, 0)  # re-attributed: now a reply
    assert counts[ids["3"]] == (1, 0, 0, 0)

    edited = _post(
        "1", "no tag any more", t0 + timedelta(minutes=1), edited_at=t0 + timedelta(minutes=9)
    )
    deleted = _post(
        "3", "A1 a label printer", t0 + timedelta(minutes=2), author_handle="max", deleted=True
    )
    do_ingest_posts(ctx, "test", chat.id, [edited, deleted])
    counts = _copies_match_segments(ctx, chat.id)
    assert ids["3"] not in counts  # hidden
    assert counts[ids["2"]] == (1, 0, 0, 0)  # its parent hidden: an answer again
    assert counts[ids["1"]][0] <= 1  # the two-question answer is gone

    do_ingest_posts(ctx, "test", chat.id, [edited, *first[1:], deleted])  # a re-import
    assert _copies_match_segments(ctx, chat.id) == counts


def _ids(ctx: AppContext, chat_id: int) -> dict[str, int]:
    with ctx.store.read() as session:
        return {
            external_id: post_id
            for external_id, post_id in session.execute(
                sa.select(PostRow.external_id, PostRow.id).where(PostRow.chat_id == chat_id)
            )
            if external_id
        }
