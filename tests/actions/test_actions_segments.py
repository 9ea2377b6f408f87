"""The stored segments: kept current when what they depend on changes, equal to a full
recompute, filed as `hashchat recap FILE` files the same posts, and readable with SQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from hashchat.actions.accounts import do_register
from hashchat.actions.cadence import run_due
from hashchat.actions.chats import do_create_chat, do_end_chat, do_next_question, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.moderation import do_hide_post
from hashchat.actions.posts import do_create_post
from hashchat.actions.recap import get_recap, transcript_of
from hashchat.actions.segments import refresh_chat_segments
from hashchat.actions.series import do_create_series
from hashchat.actions.views import UserView
from hashchat.domain.chat import Post
from hashchat.domain.recap import Transcript, recap_chat, walk_entries
from hashchat.store.models import ChatRow, PostRow, SegmentRow


def _chat(ctx: AppContext, questions: int = 3) -> tuple[UserView, int]:
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    texts = [f"Question {n}?" for n in range(1, questions + 1)]
    chat = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, texts)
    do_start_chat(ctx, host, chat.id)
    return host, chat.id


def _filed(transcript: Transcript) -> dict[str, tuple[str, int | None, bool]]:
    """Where each visible post's first segment went: kind, question, inferred."""
    filed: dict[str, tuple[str, int | None, bool]] = {}
    for thread in transcript.questions:
        for depth, entry in walk_entries(thread.answers):
            filed.setdefault(
                entry.post.id,
                ("reply" if depth else "answer", entry.attribution.question, entry.inferred),
            )
    for depth, entry in walk_entries(transcript.conversation):
        kind = "reply" if depth else "conversation"
        filed.setdefault(entry.post.id, (kind, entry.attribution.question, entry.inferred))
    return filed


def _cli_transcript(ctx: AppContext, chat_id: int) -> Transcript:
    """The same chat as `hashchat recap FILE` reads it: its posts, the hosts' question posts,
    the hidden ones marked, the live hour from the chat."""
    with ctx.store.read() as session:
        chat = session.get(ChatRow, chat_id)
        assert chat is not None
        rows = session.scalars(sa.select(PostRow).where(PostRow.chat_id == chat_id)).all()
        data = get_recap(ctx, chat_id)
        posts = [
            Post(
                str(row.id),
                row.author_handle,
                row.text,
                row.created_at,
                reply_to=None if row.reply_to_post_id is None else str(row.reply_to_post_id),
            )
            for row in rows
        ]
        hidden = frozenset(str(row.id) for row in rows if row.hidden)
        started, ended = chat.started_at, chat.ended_at
    questions = [
        Post(f"q{t.question.number}", "host", f"Q{t.question.number} {t.question.text}", asked)
        for t in data.transcript.questions
        if (asked := t.question.asked_at) is not None
    ]
    return recap_chat(
        [*questions, *posts],
        frozenset({"host"}),
        hidden_ids=hidden,
        started_at=started,
        ended_at=ended,
    )


def _stored_is_a_full_recompute(ctx: AppContext, chat_id: int) -> None:
    with ctx.store.write() as session:
        chat = session.get(ChatRow, chat_id)
        assert chat is not None
        assert refresh_chat_segments(session, chat) == 0


def test_a_reply_to_a_hidden_answer_is_filed_as_the_command_files_it(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    ctx = new_context()
    host, chat_id = _chat(ctx)
    ana = do_register(ctx, "ana", "correct horse battery")
    bea = do_register(ctx, "bea", "correct horse battery")
    do_next_question(ctx, host, chat_id)
    clock.advance(minutes=1)
    spam = do_create_post(ctx, ana, chat_id, "A3 buy followers")
    clock.advance(minutes=1)
    reply = do_create_post(ctx, bea, chat_id, "ignore this", spam.id)
    assert (reply.question, reply.inferred) == (3, False)  # as the room showed it then
    clock.advance(minutes=1)
    do_hide_post(ctx, host, spam.id)
    with ctx.store.read() as session:
        chat = session.get(ChatRow, chat_id)
        assert chat is not None
        server = transcript_of(session, chat)
    assert _filed(server)[str(reply.id)] == ("answer", 1, True)
    assert [t.question.number for t in server.questions] == [1]  # no "Q3 (not asked)"
    assert _filed(server) == _filed(_cli_transcript(ctx, chat_id))
    _stored_is_a_full_recompute(ctx, chat_id)


def test_a_chain_of_replies_inherits_from_the_first_answer_after_the_next_question(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    ctx = new_context()
    host, chat_id = _chat(ctx)
    ana = do_register(ctx, "ana", "correct horse battery")
    do_next_question(ctx, host, chat_id)
    answer = do_create_post(ctx, ana, chat_id, "A1 photos")
    clock.advance(minutes=1)
    first = do_create_post(ctx, ana, chat_id, "and videos", answer.id)
    do_next_question(ctx, host, chat_id)
    clock.advance(minutes=1)
    second = do_create_post(ctx, ana, chat_id, "mostly videos", first.id)
    # the grandparent decides, not the question current when the reply was written
    assert (second.question, second.inferred) == (1, False)
    _stored_is_a_full_recompute(ctx, chat_id)


def test_the_how_to_and_the_hosts_comments_are_never_inferred_answers(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    ctx = new_context()
    host, chat_id = _chat(ctx)
    do_next_question(ctx, host, chat_id)  # Q1 before the how-to is due
    clock.advance(minutes=5)
    run_due(ctx, clock.now)  # the how-to, written as the host
    comment = do_create_post(ctx, host, chat_id, "Great answers so far", auto=True)
    assert comment.text == "Great answers so far #KaizenBiz"
    data = get_recap(ctx, chat_id)
    assert data.transcript.figures.answers == 0
    assert data.transcript.figures.inferred_answers == 0
    assert {e.post.author for e in data.transcript.conversation} == {"host"}
    _stored_is_a_full_recompute(ctx, chat_id)


def test_a_post_of_the_same_instant_as_a_question_or_the_end_is_filed_as_a_recompute_would(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    ctx = new_context()
    host, chat_id = _chat(ctx)
    ana = do_register(ctx, "ana", "correct horse battery")
    do_next_question(ctx, host, chat_id)
    clock.advance(minutes=1)
    same = do_create_post(ctx, ana, chat_id, "a thought")
    do_next_question(ctx, host, chat_id)  # at the very same instant
    clock.advance(minutes=1)
    tagged = do_create_post(ctx, ana, chat_id, "A2 and then")
    do_end_chat(ctx, host, chat_id)  # the same instant again: that answer is late
    data = get_recap(ctx, chat_id)
    filed = {e.post.id: (e.attribution.question, e.late) for e in data.transcript.segments}
    assert filed[str(same.id)] == (2, False)
    assert filed[str(tagged.id)] == (2, True)
    _stored_is_a_full_recompute(ctx, chat_id)


def test_the_table_answers_sql_aggregations_as_the_figures_count(
    new_context: Callable[[], AppContext], clock: Any
) -> None:
    ctx = new_context()
    host, chat_id = _chat(ctx)
    people = [do_register(ctx, name, "correct horse battery") for name in ("ana", "bea")]
    do_next_question(ctx, host, chat_id)
    for person in people:
        clock.advance(minutes=1)
        posted = do_create_post(ctx, person, chat_id, "A1 & A2: both")
        do_create_post(ctx, person, chat_id, "indeed", posted.id)
    do_next_question(ctx, host, chat_id)
    clock.advance(minutes=1)
    do_create_post(ctx, people[0], chat_id, "untagged, inferred")
    with ctx.store.read() as session:
        counted = dict(
            session.execute(
                sa.select(SegmentRow.question, sa.func.count())
                .where(SegmentRow.chat_id == chat_id, SegmentRow.kind == "answer")
                .group_by(SegmentRow.question)
            ).all()
        )
    figures = get_recap(ctx, chat_id).transcript.figures
    assert counted == {q.number: q.answers for q in figures.per_question if q.answers}
    assert counted == {1: 2, 2: 3}
