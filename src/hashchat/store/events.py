"""Reading and writing the `events` table, the ordered log every live stream replays."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.live.bus import StoredEvent
from hashchat.store.db import Store
from hashchat.store.locks import lock_chat_events
from hashchat.store.models import EventRow

EVENT_TYPES = frozenset({"post", "question", "state", "hide", "spotlight"})


def add_event(
    session: Session, chat_id: int, type_: str, data: Mapping[str, Any], now: datetime
) -> EventRow:
    """Write one event in the caller's transaction; its id is known on return.

    Write the event last in a transaction: on PostgreSQL it holds the chat's event lock until
    the commit, and a transaction holding it must not wait for anything else.
    """
    if type_ not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type_!r}")
    lock_chat_events(session, chat_id)
    row = EventRow(
        chat_id=chat_id,
        type=type_,
        data=json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def events_after(store: Store, chat_id: int, after_id: int) -> list[StoredEvent]:
    """Events of `chat_id` with id > `after_id`, oldest first."""
    with store.read() as session:
        rows = session.execute(
            sa.select(EventRow.id, EventRow.chat_id, EventRow.type, EventRow.data)
            .where(EventRow.chat_id == chat_id, EventRow.id > after_id)
            .order_by(EventRow.id)
        ).all()
    return [StoredEvent(id=r[0], chat_id=r[1], type=r[2], data=r[3]) for r in rows]


def last_event_id(store: Store, chat_id: int) -> int:
    """The id of the newest event of `chat_id`, 0 when it has none."""
    with store.read() as session:
        value = session.execute(
            sa.select(sa.func.max(EventRow.id)).where(EventRow.chat_id == chat_id)
        ).scalar()
    return int(value or 0)
