"""On both backends: the recaps feed's stored sentences are computed once and again only after
the chat changes; a late answer's picked question is stored as its tag (issue 9)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_end_chat, do_next_question, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.errors import InvalidInputError
from hashchat.actions.moderation import do_hide_post
from hashchat.actions.posts import do_create_post
from hashchat.actions.recap import recap_summaries
from hashchat.actions.series import do_create_series
from hashchat.store.models import RecapSummaryRow


def test_summaries_are_stored_and_follow_changes(new_context: Callable[[], AppContext]) -> None:
    ctx = new_context()
    host = do_register(ctx, "host", "correct horse battery")
    ann = do_register(ctx, "ann", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat = do_create_chat(ctx, host, "KaizenBiz", "Wins", ctx.now(), 60, ["One?", "Two?"])
    do_start_chat(ctx, host, chat.id)
    do_next_question(ctx, host, chat.id)
    do_create_post(ctx, ann, chat.id, "A1 first")
    second = do_create_post(ctx, ann, chat.id, "A1 second")
    do_end_chat(ctx, host, chat.id)
    assert recap_summaries(ctx, []) == {}
    first = recap_summaries(ctx, [chat.id, 999])
    assert "2 answers to 1 question" in first[chat.id]
    assert 999 not in first
    with ctx.store.write() as session:
        row = session.get(RecapSummaryRow, chat.id)
        assert row is not None
        row.summary = "stored"
    assert recap_summaries(ctx, [chat.id]) == {chat.id: "stored"}
    # A second server process on the same database reads the same row.
    assert recap_summaries(new_context(), [chat.id]) == {chat.id: "stored"}
    do_hide_post(ctx, host, second.id)
    assert "1 answer to 1 question" in recap_summaries(ctx, [chat.id])[chat.id]

    # After the live hour a picked question becomes the post's tag; one never asked is refused.
    late = do_create_post(ctx, ann, chat.id, "@host thanks", question=1)
    assert late.text == "@host A1 thanks"
    assert late.question == 1
    assert late.late is True
    with pytest.raises(InvalidInputError, match="Q2 has not been asked"):
        do_create_post(ctx, ann, chat.id, "more", question=2)
