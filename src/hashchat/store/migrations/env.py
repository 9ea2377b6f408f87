"""Alembic environment: runs online against the URL in the Config, with our metadata."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context

from hashchat.store.db import make_engine
from hashchat.store.locks import lock_migrations
from hashchat.store.models import Base

target_metadata = Base.metadata


def _foreign_keys_off(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.close()


def _check_foreign_keys(connection: sa.Connection) -> None:
    """Refuse to commit a migration that leaves a row pointing at nothing."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise RuntimeError(
            f"migration left {len(broken)} rows whose foreign keys point at nothing"
            f" (tables: {', '.join(tables)}); nothing was changed"
        )


def run_migrations_online() -> None:
    """Run the migrations on a fresh connection (batch mode lets SQLite alter tables)."""
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("sqlalchemy.url is not set in the Alembic config")
    engine = make_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        # Batch mode alters a SQLite table by copying it, dropping the old one and renaming the
        # copy. With foreign keys on, that DROP runs every ON DELETE CASCADE of the tables that
        # point at it: altering `series` once deleted every chat, post and question. SQLite
        # ignores this pragma inside a transaction, so it is set as the connection opens, and
        # the keys are checked (`foreign_key_check`) before the migration commits.
        sa.event.listen(engine, "connect", _foreign_keys_off)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=sqlite,
                compare_type=True,
                # SQLite runs DDL in transactions; without this Alembic commits after every
                # revision, which ends the migration lock between revisions and lets a second
                # server starting at the same moment apply the next revision again.
                transactional_ddl=True,
            )
            with context.begin_transaction():
                lock_migrations(connection)
                context.run_migrations()
                if sqlite:
                    _check_foreign_keys(connection)
    finally:
        engine.dispose()


run_migrations_online()
