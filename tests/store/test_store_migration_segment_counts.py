"""Migration 0020: each post gets its stored segments' counts (answers, late answers, replies,
questions), what the series insights count per author (issue 13); a hidden post, which has no
segments, gets none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_end_chat, do_next_question, do_start_chat
from hashchat.actions.moderation import do_hide_post
from hashchat.actions.posts import do_create_post
from hashchat.actions.series import do_create_series
from hashchat.assembly import build_context
from hashchat.settings import Settings
from hashchat.store.migrate import alembic_config, upgrade

NOW = datetime(2026, 11, 6, 17, 0, tzinfo=UTC)
COUNTS = "answer_segments, late_answer_segments, reply_segments, question_segments"


def test_posts_get_their_segments_counts(empty_database_url: str) -> None:
    # The posts are made with today's models, then the schema goes back to 0019 (the columns
    # dropped) and forward again, running the backfill.
    upgrade(empty_database_url)
    clock = [NOW]
    settings = Settings(
        database_url=empty_database_url,
        clock=lambda: clock[0],
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    )
    ctx = build_context(settings)
    try:
        host = do_register(ctx, "host", "correct horse battery")
        ana = do_register(ctx, "ana", "correct horse battery")
        do_create_series(ctx, host, "Counts", "Counts", "UTC")
        chat = do_create_chat(ctx, host, "Counts", "Habits", NOW, 60, ["One?", "Two?"])
        do_start_chat(ctx, host, chat.id)
        do_next_question(ctx, host, chat.id)
        clock[0] += timedelta(minutes=1)
        both = do_create_post(ctx, ana, chat.id, "A1 & A2: both")
        reply = do_create_post(ctx, host, chat.id, "nice", both.id)
        asked = do_create_post(ctx, host, chat.id, "Q3 a bonus?")
        spam = do_create_post(ctx, ana, chat.id, "A1 buy followers")
        do_hide_post(ctx, host, spam.id)
        clock[0] += timedelta(minutes=59)
        do_end_chat(ctx, host, chat.id)
        clock[0] += timedelta(minutes=10)
        late = do_create_post(ctx, ana, chat.id, "A2 after the hour")
        ctx.store.dispose()

        command.downgrade(alembic_config(empty_database_url), "0019")
        upgrade(empty_database_url)

        with ctx.store.engine.connect() as conn:
            counts = {
                post_id: tuple(rest)
                for post_id, *rest in conn.execute(
                    sa.text(f"SELECT id, {COUNTS} FROM posts WHERE chat_id = :c"),
                    {"c": chat.id},
                )
            }
        assert counts[both.id] == (2, 0, 0, 0)
        assert counts[reply.id] == (0, 0, 1, 0)
        assert counts[asked.id] == (0, 0, 0, 1)
        assert counts[spam.id] == (0, 0, 0, 0)
        assert counts[late.id] == (1, 1, 0, 0)
    finally:
        ctx.store.dispose()
