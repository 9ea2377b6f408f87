"""The engine and sessions: SQLite done properly (WAL, foreign keys, busy timeout, one writer),
and PostgreSQL with the pool settings a server needs to survive a database restart."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

# A server must answer "unavailable" quickly rather than hang while the database is away.
CONNECT_TIMEOUT_SECONDS = 3
POOL_TIMEOUT_SECONDS = 10


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # FULL: every commit reaches the disk before the client hears "saved" (NORMAL in WAL mode
    # survives a killed process but may lose the last commits on power loss).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def is_sqlite(engine: sa.Engine) -> bool:
    """True for SQLite, where one process is the only writer by construction."""
    return engine.dialect.name == "sqlite"


def make_engine(database_url: str) -> sa.Engine:
    """An engine for `database_url`: SQLite gets its pragmas; a server database gets a pool
    that checks connections before use (a restarted database is reconnected to, not failed on)
    and short timeouts (requests fail fast with 503 while it is away)."""
    url = sa.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(url)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        connect_args=connect_args,
    )


class Store:
    """Sessions on one engine. On SQLite writes take a process-wide lock: SQLite has one writer
    anyway, and taking turns here avoids the deferred-transaction lock upgrade that fails with
    BUSY. PostgreSQL writes run concurrently (row locks and per-chat event locks order them)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._write_lock = threading.Lock() if is_sqlite(engine) else None

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in a transaction that commits on success and rolls back on error."""
        with self._write_lock or nullcontext(), self._sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed."""
        with self._sessions() as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
