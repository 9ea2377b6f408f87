"""Migration 0006: a database whose hidden posts still had their text in the event log (hidden
before replays served current state) gets those events rewritten, on both backends."""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import command

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.posts import do_create_post
from hashchat.actions.series import do_create_series
from hashchat.assembly import build_context
from hashchat.settings import Settings
from hashchat.store.events import events_after
from hashchat.store.migrate import alembic_config, upgrade
from hashchat.store.models import PostRow


def test_upgrading_redacts_the_post_events_of_posts_hidden_before(
    empty_database_url: str,
) -> None:
    upgrade(empty_database_url)
    ctx = build_context(Settings(database_url=empty_database_url, argon2_time_cost=1))
    try:
        host = do_register(ctx, "host", "correct horse battery")
        do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
        chat = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, ["One?"])
        do_start_chat(ctx, host, chat.id)
        spam = do_create_post(ctx, host, chat.id, "buy leaked-words now")
        kept = do_create_post(ctx, host, chat.id, "a kept answer")
        with ctx.store.write() as session:  # hidden the way the old code did: the event kept it
            session.execute(sa.update(PostRow).where(PostRow.id == spam.id).values(hidden=True))
        assert "leaked-words" in "".join(e.data for e in events_after(ctx.store, chat.id, 0))

        command.downgrade(alembic_config(empty_database_url), "0005")
        upgrade(empty_database_url)

        posts = {
            data["id"]: data
            for data in (json.loads(e.data) for e in events_after(ctx.store, chat.id, 0))
            if "text" in data or data.get("hidden")
        }
        assert posts[spam.id] == {"id": spam.id, "chat_id": chat.id, "hidden": True}
        assert posts[kept.id]["text"] == "a kept answer"
    finally:
        ctx.store.dispose()
