"""Migration 0019: a chat whose live hour ended without a closing time for comments (the cadence
ended it, before lifecycle set the default) gets one, 24 hours after it ended; the runner then
closes it as it would have. Chats with a time, or not ended, are left alone (issue 9)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command

from hashchat.actions.accounts import do_register
from hashchat.actions.cadence import run_due
from hashchat.actions.chats import do_create_chat, do_end_chat, do_start_chat, get_chat
from hashchat.actions.series import do_create_series
from hashchat.assembly import build_context
from hashchat.settings import Settings
from hashchat.store.migrate import alembic_config, upgrade

NOW = datetime(2026, 11, 6, 17, 0, tzinfo=UTC)


def test_stuck_chats_get_their_closing_time(empty_database_url: str) -> None:
    # The chats are made with today's models, then the schema goes back to 0018 (0019 changes
    # data only; 0020 adds posts columns the models have) and forward again, running 0019.
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
        do_create_series(ctx, host, "Stuck", "Stuck", "UTC")
        stuck, ended, live = (
            do_create_chat(ctx, host, "Stuck", title, NOW, 60, ["One?"]).id
            for title in ("stuck", "ended by the host", "live")
        )
        for chat_id in (stuck, ended, live):
            do_start_chat(ctx, host, chat_id)
        clock[0] = NOW + timedelta(hours=1)
        do_end_chat(ctx, host, stuck)
        do_end_chat(ctx, host, ended, NOW + timedelta(hours=5))
        with ctx.store.write() as session:  # as the cadence's end left it before the fix
            session.execute(
                sa.text("UPDATE chats SET comments_close_at = NULL WHERE id = :id"), {"id": stuck}
            )
        ctx.store.dispose()

        command.downgrade(alembic_config(empty_database_url), "0018")
        upgrade(empty_database_url)

        assert get_chat(ctx, stuck).comments_close_at == NOW + timedelta(hours=25)
        assert get_chat(ctx, ended).comments_close_at == NOW + timedelta(hours=5)
        assert get_chat(ctx, live).comments_close_at is None
        clock[0] = NOW + timedelta(hours=25)
        run_due(ctx, clock[0])
        assert get_chat(ctx, stuck).state == "closed"
        after = get_chat(ctx, live)  # its hour ended by the cadence, now with the default
        assert after.state == "late_answers"
        assert after.comments_close_at == clock[0] + timedelta(hours=24)
    finally:
        ctx.store.dispose()
