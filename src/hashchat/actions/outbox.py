"""The outbox: our own events, in one order across all chats, delivered to each consumer
(a bridge, an exporter, a webhook) exactly once, with retries.

- `store.events.add_event` writes every event of ours to `outbox` in the change's transaction
  (posts that came through the ingest door never: bridges must not post history back out).
- A consumer (`register_consumer`) has a cursor. `fan_out` turns the outbox rows after each
  consumer's cursor into `outbox_deliveries` rows (one per consumer and event) and moves the
  cursor, in one transaction (the consumer's row locked on PostgreSQL), so no event is skipped
  or delivered twice.
- A worker `claim`s due deliveries of the consumers it has handlers for: on PostgreSQL with
  `FOR UPDATE SKIP LOCKED` (two workers never wait on or take the same row), everywhere with
  a guarded `UPDATE … WHERE claimed_until < now` and a lease (`claimed_until`): a killed
  worker's claim expires and another worker takes the delivery over.
- The handler runs outside any transaction. Success marks the delivery done (only by the
  worker whose claim it still is); an error schedules a retry with exponential back-off
  (`backoff_seconds`), and after `MAX_ATTEMPTS` the delivery is `dead` (kept, shown, retried
  only by hand).

Deliveries of one consumer are claimed oldest first; a handler must be idempotent on the
outbox id, since a worker that dies after the handler ran and before it recorded success is
taken over after its lease (at-least-once at that edge, exactly once otherwise).
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions.context import AppContext
from hashchat.actions.errors import InvalidInputError, NotFoundError
from hashchat.store.models import DeliveryRow, OutboxConsumer, OutboxRow

logger = logging.getLogger(__name__)

PENDING = "pending"
DONE = "done"
DEAD = "dead"
MAX_ATTEMPTS = 12
BASE_BACKOFF_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 3600.0
LEASE_SECONDS = 60.0
FAN_OUT_BATCH = 1_000
CLAIM_BATCH = 50


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One event handed to a consumer: the outbox id (its order and idempotency key), the
    chat, the event's id in the chat's stream, its type and its data (as the stream's)."""

    outbox_id: int
    delivery_id: int
    consumer: str
    chat_id: int | None
    event_id: int | None
    type: str
    data: Any
    attempt: int


Handler = Callable[[OutboxMessage], None]
# Consumers served by this process, by name (bridges register theirs when they are set up).
HANDLERS: dict[str, Handler] = {}


def register_handler(name: str, handler: Handler) -> None:
    """Serve consumer `name` with `handler` in this process's background runner."""
    HANDLERS[_check_name(name)] = handler


@dataclass(frozen=True, slots=True)
class ConsumerView:
    """A consumer and where it stands: cursor, deliveries waiting, dead, the last error."""

    name: str
    cursor: int
    pending: int
    dead: int
    done: int
    last_error: str | None


def backoff_seconds(attempts: int) -> float:
    """Wait before the next try after `attempts` failed ones: 2 s, 4 s, 8 s … up to an hour."""
    return float(min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)))


def worker_name() -> str:
    """A name for this process's worker (host and pid), stored with its claims."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _check_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 100 or not cleaned.isprintable():
        raise InvalidInputError("a consumer name is 1 to 100 printable characters")
    return cleaned


def register_consumer(ctx: AppContext, name: str, *, from_start: bool = False) -> int:
    """Make (or find) the consumer `name`; a new one follows from now on (or from the first
    event with `from_start`). Returns its cursor."""
    name = _check_name(name)
    try:
        with ctx.store.write() as session:
            found = session.scalar(sa.select(OutboxConsumer).where(OutboxConsumer.name == name))
            if found is not None:
                return found.cursor
            newest = session.scalar(sa.select(sa.func.max(OutboxRow.id)))
            cursor = 0 if from_start else int(newest or 0)
            session.add(OutboxConsumer(name=name, cursor=cursor, created_at=ctx.now()))
        return cursor
    except sa.exc.IntegrityError:
        # Several app processes starting on a new database register the same consumer at
        # once: the one that lost the race reads what the winner made (a stack app died here).
        with ctx.store.read() as session:
            made = session.scalar(sa.select(OutboxConsumer).where(OutboxConsumer.name == name))
            if made is None:
                raise
            return made.cursor


def fan_out(ctx: AppContext, now: datetime | None = None) -> int:
    """Make the deliveries of every consumer for the outbox rows after its cursor; returns how
    many were made. Safe to run in several processes at once."""
    now = now or ctx.now()
    made = 0
    with ctx.store.read() as session:
        consumers = list(session.scalars(sa.select(OutboxConsumer.id)))
    for consumer_id in consumers:
        with ctx.store.write() as session:
            query = sa.select(OutboxConsumer).where(OutboxConsumer.id == consumer_id)
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            consumer = session.scalar(query)
            if consumer is None:  # another process is fanning it out right now
                continue
            rows = session.execute(
                sa.select(OutboxRow.id)
                .where(OutboxRow.id > consumer.cursor)
                .order_by(OutboxRow.id)
                .limit(FAN_OUT_BATCH)
            ).all()
            if not rows:
                continue
            session.execute(
                sa.insert(DeliveryRow),
                [
                    {
                        "consumer_id": consumer.id,
                        "outbox_id": row.id,
                        "state": PENDING,
                        "attempts": 0,
                        "next_attempt_at": now,
                    }
                    for row in rows
                ],
            )
            consumer.cursor = rows[-1].id
            made += len(rows)
    return made


def claim(
    ctx: AppContext,
    worker: str,
    consumers: frozenset[str],
    now: datetime | None = None,
    *,
    limit: int = CLAIM_BATCH,
    lease_seconds: float = LEASE_SECONDS,
) -> list[OutboxMessage]:
    """Claim up to `limit` due deliveries of `consumers` for `worker` until the lease ends."""
    if not consumers:
        return []
    now = now or ctx.now()
    until = now + timedelta(seconds=lease_seconds)
    with ctx.store.write() as session:
        query = (
            sa.select(DeliveryRow.id)
            .join(OutboxConsumer, OutboxConsumer.id == DeliveryRow.consumer_id)
            .where(
                OutboxConsumer.name.in_(sorted(consumers)),
                DeliveryRow.state == PENDING,
                DeliveryRow.next_attempt_at <= now,
                sa.or_(DeliveryRow.claimed_until.is_(None), DeliveryRow.claimed_until < now),
            )
            .order_by(DeliveryRow.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(of=DeliveryRow, skip_locked=True)
        ids = list(session.scalars(query))
        claimed: list[int] = []
        for delivery_id in ids:
            taken = session.execute(
                sa.update(DeliveryRow)
                .where(
                    DeliveryRow.id == delivery_id,
                    DeliveryRow.state == PENDING,
                    sa.or_(DeliveryRow.claimed_until.is_(None), DeliveryRow.claimed_until < now),
                )
                .values(claimed_by=worker, claimed_until=until)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(delivery_id)
        if not claimed:
            return []
        rows = session.execute(
            sa.select(DeliveryRow, OutboxRow, OutboxConsumer.name)
            .join(OutboxRow, OutboxRow.id == DeliveryRow.outbox_id)
            .join(OutboxConsumer, OutboxConsumer.id == DeliveryRow.consumer_id)
            .where(DeliveryRow.id.in_(claimed))
            .order_by(DeliveryRow.id)
        ).all()
        return [
            OutboxMessage(
                outbox_id=event.id,
                delivery_id=delivery.id,
                consumer=name,
                chat_id=event.chat_id,
                event_id=event.event_id,
                type=event.type,
                data=json.loads(event.data),
                attempt=delivery.attempts + 1,
            )
            for delivery, event, name in rows
        ]


def complete(ctx: AppContext, worker: str, delivery_id: int, now: datetime | None = None) -> bool:
    """Mark a delivery done, if it is still `worker`'s claim; False when the claim was lost
    (its lease ran out and another worker took it over)."""
    now = now or ctx.now()
    with ctx.store.write() as session:
        done = session.execute(
            sa.update(DeliveryRow)
            .where(
                DeliveryRow.id == delivery_id,
                DeliveryRow.claimed_by == worker,
                DeliveryRow.state == PENDING,
            )
            .values(state=DONE, done_at=now, claimed_until=None)
        )
        return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def fail(
    ctx: AppContext, worker: str, delivery_id: int, error: str, now: datetime | None = None
) -> bool:
    """Record a failed try: retried after `backoff_seconds`, or dead after MAX_ATTEMPTS."""
    now = now or ctx.now()
    with ctx.store.write() as session:
        row = session.get(DeliveryRow, delivery_id)
        if row is None or row.claimed_by != worker or row.state != PENDING:
            return False
        row.attempts += 1
        row.last_error = error[:2000]
        row.claimed_by = None
        row.claimed_until = None
        if row.attempts >= MAX_ATTEMPTS:
            row.state = DEAD
        else:
            row.next_attempt_at = now + timedelta(seconds=backoff_seconds(row.attempts))
        return True


class OutboxWorker:
    """Runs this process's handlers on their consumers' deliveries (one tick: `work_once`)."""

    def __init__(
        self, ctx: AppContext, handlers: Mapping[str, Handler], name: str | None = None
    ) -> None:
        self.ctx = ctx
        self.handlers = dict(handlers)
        self.name = name or worker_name()

    def work_once(self, now: datetime | None = None) -> int:
        """Fan out, then claim and handle what is due; returns how many were delivered."""
        fan_out(self.ctx, now)
        delivered = 0
        for message in claim(self.ctx, self.name, frozenset(self.handlers), now):
            try:
                self.handlers[message.consumer](message)
            except Exception as error:  # a consumer's failure is retried, never fatal
                logger.warning(
                    "outbox delivery %s to %s failed (try %s): %s",
                    message.outbox_id,
                    message.consumer,
                    message.attempt,
                    type(error).__name__,
                )
                reason = f"{type(error).__name__}: {error}"
                fail(self.ctx, self.name, message.delivery_id, reason, now)
                continue
            if complete(self.ctx, self.name, message.delivery_id, now):
                delivered += 1
        return delivered


def consumer_status(ctx: AppContext, name: str) -> ConsumerView:
    """Where a consumer stands; 404 when unknown."""
    with ctx.store.read() as session:
        consumer = session.scalar(sa.select(OutboxConsumer).where(OutboxConsumer.name == name))
        if consumer is None:
            raise NotFoundError(f"no outbox consumer {name}")
        counts = dict(
            session.execute(
                sa.select(DeliveryRow.state, sa.func.count())
                .where(DeliveryRow.consumer_id == consumer.id)
                .group_by(DeliveryRow.state)
            ).all()
        )
        last_error = session.scalar(
            sa.select(DeliveryRow.last_error)
            .where(DeliveryRow.consumer_id == consumer.id, DeliveryRow.last_error.is_not(None))
            .order_by(DeliveryRow.id.desc())
            .limit(1)
        )
    return ConsumerView(
        name=consumer.name,
        cursor=consumer.cursor,
        pending=int(counts.get(PENDING, 0)),
        dead=int(counts.get(DEAD, 0)),
        done=int(counts.get(DONE, 0)),
        last_error=last_error,
    )


KEEP = timedelta(days=7)


def prune(ctx: AppContext, now: datetime | None = None, keep: timedelta = KEEP) -> int:
    """Forget what every consumer is done with, once older than `keep`: done deliveries, and
    outbox rows behind every consumer's cursor with no delivery left (pending and dead ones
    keep theirs). Returns how many rows went."""
    now = now or ctx.now()
    before = now - keep
    with ctx.store.write() as session:
        gone = session.execute(
            sa.delete(DeliveryRow).where(DeliveryRow.state == DONE, DeliveryRow.done_at < before)
        ).rowcount  # type: ignore[attr-defined]
        slowest = session.scalar(sa.select(sa.func.min(OutboxConsumer.cursor)))
        rows = sa.delete(OutboxRow).where(
            OutboxRow.created_at < before,
            ~sa.exists().where(DeliveryRow.outbox_id == OutboxRow.id),
        )
        if slowest is not None:
            rows = rows.where(OutboxRow.id <= slowest)
        gone += session.execute(rows.execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
    return int(gone)


def outbox_after(session: Session, cursor: int, limit: int = 1000) -> list[OutboxRow]:
    """Outbox rows after `cursor`, oldest first (a consumer reading without deliveries)."""
    return list(
        session.scalars(
            sa.select(OutboxRow).where(OutboxRow.id > cursor).order_by(OutboxRow.id).limit(limit)
        )
    )
