"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL, run
twice harmlessly, and several servers starting at once take turns."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hashchat.store.db import make_engine
from hashchat.store.migrate import upgrade
from hashchat.store.models import Base


def test_migration_from_empty_matches_the_models(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_upgrade_is_idempotent_and_creates_every_table(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert tables == set(Base.metadata.tables) | {"alembic_version"}


def test_servers_starting_together_migrate_once(empty_database_url: str) -> None:
    # Separate processes, as servers are (Alembic itself is not thread-safe).
    script = "import sys; from hashchat.store.migrate import upgrade; upgrade(sys.argv[1])"
    migrators = [
        subprocess.Popen(
            [sys.executable, "-c", script, empty_database_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outcomes = [migrator.communicate(timeout=120) for migrator in migrators]
    assert [migrator.returncode for migrator in migrators] == [0, 0, 0], outcomes
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            versions = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    finally:
        engine.dispose()
    assert len(versions) == 1


def test_sqlite_connections_enforce_foreign_keys_use_wal_and_sync_every_commit(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    finally:
        engine.dispose()
