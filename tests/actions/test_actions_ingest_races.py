"""The ingest door re-attributes only what a call touches, from the questions and live hour it
reads under the chat's event lock; so what changes those (a question asked, the hour ending, a
hide) re-attributes the chat under the same lock and sees the posts such a call commits. The
race (PostgreSQL: several writers): a question asked while an ingest call holds the lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from foreign_posts_support import foreign_post
from sqlalchemy.orm import Session

from hashchat.actions import ingest
from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_next_question, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.ingest import do_ingest_posts
from hashchat.actions.segments import refresh_chat_segments
from hashchat.actions.series import do_create_series
from hashchat.actions.views import ChatView, UserView
from hashchat.store.models import ChatRow, PostRow


def _chat_at_question_one(ctx: AppContext) -> tuple[UserView, ChatView]:
    """A live chat of #KaizenBiz with three questions, Q1 asked."""
    host = do_register(ctx, "kaizencoach", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat = do_create_chat(
        ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, ["Wins?", "Tools?", "Why?"]
    )
    do_start_chat(ctx, host, chat.id)
    do_next_question(ctx, host, chat.id)  # Q1
    return host, chat


def _question_and_repairs(
    ctx: AppContext, chat_id: int, which: sa.ColumnElement[bool]
) -> tuple[int | None, int]:
    """The stored question of the post `which`, and how many posts the whole chat's recompute
    changes (0: nothing was left stale)."""
    with ctx.store.write() as session:
        question = session.scalar(sa.select(PostRow.question).where(which))
        chat_row = session.get(ChatRow, chat_id)
        assert chat_row is not None
        return question, refresh_chat_segments(session, chat_row)


@pytest.mark.pg
@pytest.mark.parametrize("database_url", ["pg"], indirect=True)  # SQLite: one writer at a time
def test_a_question_asked_during_an_ingest_call_files_its_posts_under_it(
    new_context: Callable[[], AppContext], monkeypatch: pytest.MonkeyPatch, clock: object
) -> None:
    ctx = new_context()
    t0 = ctx.now()
    host, chat = _chat_at_question_one(ctx)
    for n in range(6):
        do_ingest_posts(ctx, "x", chat.id, [foreign_post(f"o{n}", "hi", t0 + timedelta(seconds=n))])
    clock.advance(minutes=10)  # type: ignore[attr-defined]
    asker = threading.Thread(target=do_next_question, args=(ctx, host, chat.id))  # Q2 at :10
    hold = ingest._hold_chat

    def hold_then_race(session: Session, chat_id: int) -> None:
        hold(session, chat_id)
        asker.start()
        time.sleep(1.0)  # Q2 is marked asked and waits to re-attribute the chat

    monkeypatch.setattr(ingest, "_hold_chat", hold_then_race)
    racer = foreign_post("racer", "the van shelving", t0 + timedelta(minutes=11))
    do_ingest_posts(ctx, "x", chat.id, [racer])
    asker.join()
    monkeypatch.setattr(ingest, "_hold_chat", hold)
    later = foreign_post("later", "ok", t0 + timedelta(seconds=30))
    do_ingest_posts(ctx, "x", chat.id, [later])  # touches nothing of the racer's
    assert _question_and_repairs(ctx, chat.id, PostRow.external_id == "racer") == (2, 0)


@pytest.mark.pg
@pytest.mark.parametrize("database_url", ["pg"], indirect=True)  # SQLite: one writer at a time
def test_a_question_asked_while_a_post_is_typed_files_the_post_under_it(
    new_context: Callable[[], AppContext], monkeypatch: pytest.MonkeyPatch, clock: object
) -> None:
    from hashchat.actions import posts
    from hashchat.actions.posts import do_create_post

    ctx = new_context()
    host, chat = _chat_at_question_one(ctx)
    ana = do_register(ctx, "ana", "correct horse battery")
    clock.advance(minutes=10)  # type: ignore[attr-defined]
    asker = threading.Thread(target=do_next_question, args=(ctx, host, chat.id))  # Q2 now
    store = posts.store_segments_of_new_post

    def store_then_race(*args: object) -> None:
        store(*args)  # type: ignore[arg-type]
        asker.start()
        time.sleep(1.0)  # Q2 is marked asked and waits to re-attribute the chat

    monkeypatch.setattr(posts, "store_segments_of_new_post", store_then_race)
    typed = do_create_post(ctx, ana, chat.id, "the van shelving")
    asker.join()
    assert _question_and_repairs(ctx, chat.id, PostRow.id == typed.id) == (2, 0)
