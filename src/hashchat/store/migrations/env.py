"""Alembic environment: runs online against the URL in the Config, with our metadata."""

from __future__ import annotations

from alembic import context

from hashchat.store.db import make_engine
from hashchat.store.locks import lock_migrations
from hashchat.store.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run the migrations on a fresh connection (batch mode lets SQLite alter tables)."""
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("sqlalchemy.url is not set in the Alembic config")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                # SQLite runs DDL in transactions; without this Alembic commits after every
                # revision, which ends the migration lock between revisions and lets a second
                # server starting at the same moment apply the next revision again.
                transactional_ddl=True,
            )
            with context.begin_transaction():
                lock_migrations(connection)
                context.run_migrations()
    finally:
        engine.dispose()


run_migrations_online()
