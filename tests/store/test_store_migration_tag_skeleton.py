"""Migration 0005 on a database that already holds series and people: tag keys are case-folded
NFKC, look-alikes already there keep their rows (the younger one without a skeleton), stored
zones become canonical, and no new look-alike can join afterwards (issue 8, points 11 and 18)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from hashchat.store.db import make_engine
from hashchat.store.migrate import upgrade

SERIES = [
    # tag, old tag_key (lower()), timezone
    ("KaizenBiz", "kaizenbiz", "US/Eastern"),
    ("KaizenBız", "kaizenbız", "localtime"),  # a look-alike created before 0005
    ("ＳｔｒａｓｓｅＣｈａｔ", "ｓｔｒａｓｓｅｃｈａｔ", "Europe/Oslo"),
    ("Other", "other", "Etc/UTC"),
]


def test_existing_rows_are_migrated_and_look_alikes_kept(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0004")
    engine = make_engine(empty_database_url)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    try:
        with engine.begin() as connection:
            for tag, key, zone in SERIES:
                connection.execute(
                    sa.text(
                        "INSERT INTO series (tag, tag_key, title, timezone, char_rule, char_limit,"
                        " description, created_at) VALUES (:tag, :key, 't', :zone, 'x', 280, '',"
                        " :now)"
                    ),
                    {"tag": tag, "key": key, "zone": zone, "now": now},
                )
            connection.execute(
                sa.text(
                    "INSERT INTO users (name, display_name, password_hash, timezone, is_admin,"
                    " created_at) VALUES ('old', 'Old', 'x', 'Factory', false, :now)"
                ),
                {"now": now},
            )
        upgrade(empty_database_url)
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT tag, tag_key, tag_skeleton, timezone FROM series ORDER BY id")
            ).all()
            user_zone = connection.execute(sa.text("SELECT timezone FROM users")).scalar()
        assert [(r.tag_key, r.timezone) for r in rows] == [
            ("kaizenbiz", "America/New_York"),
            ("kaizenbız", "UTC"),
            ("strassechat", "Europe/Oslo"),
            ("other", "UTC"),
        ]
        assert rows[0].tag_skeleton is not None
        assert rows[1].tag_skeleton is None  # it shares the skeleton of the older series
        assert user_zone == "UTC"
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO series (tag, tag_key, tag_skeleton, title, timezone, char_rule,"
                    " char_limit, description, created_at) VALUES ('x', 'x', :skeleton, 't',"
                    " 'UTC', 'x', 280, '', :now)"
                ),
                {"skeleton": rows[0].tag_skeleton, "now": now},
            )
    finally:
        engine.dispose()
