"""Migration 0004 fills `post_segments` for the chats already stored, by the recap pipeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from hashchat.store.db import make_engine
from hashchat.store.migrate import upgrade

START = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


def _seed(connection: sa.Connection) -> None:
    tables = sa.MetaData()
    tables.reflect(connection, only=["users", "series", "chats", "questions", "posts"])
    users, series, chats = tables.tables["users"], tables.tables["series"], tables.tables["chats"]
    questions, posts = tables.tables["questions"], tables.tables["posts"]
    connection.execute(
        sa.insert(users),
        [
            {"id": i, "name": name, "display_name": name, "password_hash": "x"}
            | {"timezone": "UTC", "is_admin": False, "created_at": START}
            for i, name in ((1, "host"), (2, "ana"))
        ],
    )
    connection.execute(
        sa.insert(series)
        .values(
            id=1, tag="K", tag_key="k", title="K", timezone="UTC", char_rule="x", char_limit=280
        )
        .values(description="", created_at=START)
    )
    connection.execute(
        sa.insert(chats)
        .values(id=1, series_id=1, title="C", starts_at=START, duration_minutes=60, state="live")
        .values(started_at=START, created_at=START)
    )
    connection.execute(
        sa.insert(questions).values(
            chat_id=1, number=1, text="Q?", asked_at=START + timedelta(minutes=6)
        )
    )
    common = {"chat_id": 1, "network": "hashchat", "part": None, "late": False, "hidden": False}
    stored_as_before = {"question": 1, "inferred": True, "segments": [], "spotlight": False}
    rows = [
        (1, 1, "host", "Great answers so far", True, None),  # inferred Q1 by the old rules
        (2, 2, "ana", "A1 & A2: photos", False, None),
        (3, 2, "ana", "and videos", False, 2),
    ]
    for post_id, author_id, handle, text, is_host, reply_to in rows:
        connection.execute(
            sa.insert(posts).values(
                id=post_id,
                author_id=author_id,
                author_handle=handle,
                display_name=handle,
                text=text,
                created_at=START + timedelta(minutes=6 + post_id),
                reply_to_post_id=reply_to,
                is_host=is_host,
                **common,
                **stored_as_before,
            )
        )


def test_the_segments_of_stored_chats_are_filled_in(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0003")
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            _seed(connection)
        upgrade(empty_database_url, "0004")
        with engine.connect() as connection:
            segments = connection.execute(
                sa.text(
                    "SELECT post_id, position, kind, question, inferred FROM post_segments "
                    "ORDER BY post_id, position"
                )
            ).all()
            host_post = connection.execute(
                sa.text("SELECT question, inferred FROM posts WHERE id = 1")
            ).one()
    finally:
        engine.dispose()
    assert [tuple(row) for row in segments] == [
        (1, 0, "conversation", None, False),
        (2, 0, "answer", 1, False),
        (2, 1, "answer", 2, False),
        (3, 0, "reply", 1, False),
    ]
    assert tuple(host_post) == (None, False)


def _counts(connection: sa.Connection) -> dict[str, int]:
    names = sa.inspect(connection).get_table_names()
    return {
        name: connection.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one()
        for name in names
        if name != "alembic_version"
    }


def test_later_migrations_keep_every_row(empty_database_url: str) -> None:
    """Migrations after 0004 alter tables that others point at (0005 rebuilds `series` on
    SQLite); no row anywhere may go (a rebuild with foreign keys on once cascaded into every
    chat, question, post and segment)."""
    upgrade(empty_database_url, "0003")
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            _seed(connection)
        upgrade(empty_database_url, "0004")
        with engine.connect() as connection:
            before = _counts(connection)
        upgrade(empty_database_url)
        with engine.connect() as connection:
            after = _counts(connection)
            foreign_keys_on = (
                connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one()
                if connection.dialect.name == "sqlite"
                else 1
            )
    finally:
        engine.dispose()
    assert (before["chats"], before["posts"], before["post_segments"]) == (1, 3, 4)
    assert {name: after[name] for name in before} == before
    assert foreign_keys_on == 1  # the application's connections still enforce them
