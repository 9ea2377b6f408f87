"""Migration 0007 on a database that holds a series and its chats: the series gets an empty
guide and default announcement zones, its chats stay, and a schedule can then make chats beside
them (issue 9, series setup)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from hashchat.store.db import make_engine
from hashchat.store.migrate import upgrade


def test_series_and_chats_from_before_keep_their_rows(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0006")
    engine = make_engine(empty_database_url)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO series (tag, tag_key, tag_skeleton, title, timezone, char_rule,"
                    " char_limit, description, created_at) VALUES ('KaizenBiz', 'kaizenbiz',"
                    " 'kaizenbiz', 't', 'Europe/London', 'x', 280, 'd', :now)"
                ),
                {"now": now},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO chats (series_id, title, starts_at, duration_minutes, state,"
                    " created_at) VALUES (1, 'Old chat', :now, 60, 'closed', :now)"
                ),
                {"now": now},
            )
        upgrade(empty_database_url)
        with engine.begin() as connection:
            series = connection.execute(
                sa.text("SELECT guide, announcement_zones, description FROM series")
            ).one()
            assert tuple(series) == ("", "", "d")
            assert connection.execute(sa.text("SELECT count(*) FROM chats")).scalar() == 1
            connection.execute(
                sa.text(
                    "INSERT INTO chat_schedules (series_id, title, timezone, wall_start,"
                    " duration_minutes, freq, interval, created_at) VALUES (1, 'W',"
                    " 'Europe/London', '2026-01-09T17:00', 60, 'weekly', 1, :now)"
                ),
                {"now": now},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO schedule_occurrences (schedule_id, occurrence_start, chat_id)"
                    " VALUES (1, :now, 1)"
                ),
                {"now": now},
            )
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM chats"))
            # The date stays taken when its chat goes (the skip keeps it).
            assert connection.execute(
                sa.text("SELECT chat_id FROM schedule_occurrences")
            ).one() == (None,)
    finally:
        engine.dispose()
