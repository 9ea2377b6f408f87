"""PostgreSQL advisory locks: a chat's event order, one cadence runner per chat, one migrator.

Advisory lock keys are per database; each key here is (hash of schema + purpose, number), so
installations sharing a database in different schemas never wait on each other, and the
purposes never collide (a process holding a chat's cadence lock must still write its events).
On SQLite none of this is needed: one process is the only writer by construction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

EVENTS = "events"
CADENCE = "cadence"
MIGRATIONS = "migrations"
OUTBOX = "outbox"


def _key(purpose: str) -> str:
    # Built from constants only (never user input), so formatting the SQL is safe.
    return f"hashtext(current_schema() || '/{purpose}')"


def lock_chat_events(session: Session, chat_id: int) -> None:
    """On PostgreSQL, take the chat's event lock until the transaction ends.

    Event ids come from a sequence, and two transactions can commit in the other order than
    they drew their ids; a viewer that had read the higher id would then never see the lower
    one. Holding this lock from drawing the id to the commit makes a chat's ids commit in
    order. SQLite needs nothing: it has one writer at a time.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            sa.text(f"SELECT pg_advisory_xact_lock({_key(EVENTS)}, :chat_id)"),
            {"chat_id": chat_id},
        )


def lock_outbox(session: Session) -> None:
    """On PostgreSQL, take the outbox's lock until the transaction ends (issue 10): outbox ids
    then commit in order across all chats, so a consumer's cursor never passes a row that a
    slower transaction commits later. Taken after the chat's event lock, never before."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text(f"SELECT pg_advisory_xact_lock({_key(OUTBOX)}, 0)"))


def lock_migrations(connection: sa.Connection) -> None:
    """Make concurrent migrators (servers and CLI commands starting at once) take turns; the
    lock ends with the migration's transaction. Call it first in that transaction."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text(f"SELECT pg_advisory_xact_lock({_key(MIGRATIONS)}, 0)"))
    elif connection.dialect.name == "sqlite":
        # pysqlite runs DDL outside any transaction unless told otherwise: take the write
        # lock now (waiting up to the busy timeout) so the whole migration is one transaction.
        connection.connection.driver_connection.isolation_level = None  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class SingleRunner:
    """SQLite: the one server process runs every chat's cadence."""

    def hold(self, chat_ids: Iterable[int]) -> frozenset[int]:
        """Every chat asked for: nobody else can run them."""
        return frozenset(chat_ids)

    def close(self) -> None:
        """Nothing to let go."""


class AdvisoryRunnerLocks:
    """PostgreSQL: a chat's cadence runs in the process holding its session advisory lock.

    The locks live on one dedicated connection, so they die with it: when the holding process
    is killed (or its connection drops), PostgreSQL frees them and another process's next
    `hold` takes the chats over. `hold` also checks that the connection is alive before saying
    a chat is held; a chat's plan items are still claimed with `UPDATE … WHERE state =
    'pending'`, so even a lock lost between the check and the write posts nothing twice.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._connection: sa.Connection | None = None
        self._held: set[int] = set()

    def _connect(self) -> sa.Connection:
        if self._connection is None:
            # Autocommit: the locks are session-level, and no transaction may stay open.
            self._connection = self._engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            )
            self._held.clear()
        return self._connection

    def _drop_connection(self) -> None:
        if self._connection is not None:
            try:
                self._connection.invalidate()
                self._connection.close()
            except sa.exc.SQLAlchemyError:
                logger.debug("closing a broken lock connection failed", exc_info=True)
        self._connection = None
        self._held.clear()

    def hold(self, chat_ids: Iterable[int]) -> frozenset[int]:
        """Take (or keep) the locks of `chat_ids` where free; let go of the others we held.

        Returns the chats this process may run now. A lost connection yields nothing this
        time; the next call reconnects and competes again.
        """
        wanted = set(chat_ids)
        try:
            connection = self._connect()
            connection.execute(sa.text("SELECT 1"))  # our locks are alive iff this is
            for chat_id in sorted(self._held - wanted):
                connection.execute(
                    sa.text(f"SELECT pg_advisory_unlock({_key(CADENCE)}, :chat_id)"),
                    {"chat_id": chat_id},
                )
                self._held.discard(chat_id)
            for chat_id in sorted(wanted - self._held):
                taken = connection.execute(
                    sa.text(f"SELECT pg_try_advisory_lock({_key(CADENCE)}, :chat_id)"),
                    {"chat_id": chat_id},
                ).scalar()
                if taken:
                    self._held.add(chat_id)
        except sa.exc.DBAPIError:
            logger.warning("lost the cadence lock connection; will compete again", exc_info=True)
            self._drop_connection()
            return frozenset()
        return frozenset(self._held & wanted)

    def close(self) -> None:
        """Let go of every lock (closing the connection frees them)."""
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None
                self._held.clear()


RunnerLocks = SingleRunner | AdvisoryRunnerLocks


def runner_locks(engine: sa.Engine) -> RunnerLocks:
    """The cadence runner locks fitting `engine`'s database."""
    if engine.dialect.name == "postgresql":
        return AdvisoryRunnerLocks(engine)
    return SingleRunner()
