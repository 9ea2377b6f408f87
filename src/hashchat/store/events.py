"""Reading and writing the `events` table, the ordered log every live stream replays."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.domain.events import ChatEvent, EventType, event_data, json_text
from hashchat.live.bus import StoredEvent
from hashchat.store.db import Store
from hashchat.store.locks import lock_chat_events, lock_outbox
from hashchat.store.models import MAX_ROW_ID, EventRow, OutboxRow

# `resync`: posts came in through the ingest door (issue 10) without one event each; a
# viewer reloads the chat (room.js already does on `resync`).
# `unhide` (issue 9): a hide undone; its data carries the restored post as `post`.
EVENT_TYPES = frozenset(kind.value for kind in EventType)
# Events that change a post after its `post` event: their data names it as `post_id`, and the
# post's `post` event has been rewritten to its current view in the same transaction.
POST_CHANGE_TYPES = frozenset({"hide", "unhide", "spotlight"})


def add_event(
    session: Session,
    chat_id: int,
    type_: str,
    data: Mapping[str, Any],
    now: datetime,
    *,
    outbox: bool = True,
) -> EventRow:
    """Write one event in the caller's transaction; its id is known on return.

    Write the event last in a transaction: on PostgreSQL it holds the chat's event lock until
    the commit, and a transaction holding it must not wait for anything else. With `outbox`
    (the default) the event also goes to the outbox, the feed consumers follow across chats
    (`actions.outbox`); what came in through the ingest door says `outbox=False`.
    """
    if type_ not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type_!r}")
    lock_chat_events(session, chat_id)
    row = EventRow(
        chat_id=chat_id,
        type=type_,
        data=_encode(data),
        created_at=now,
    )
    session.add(row)
    session.flush()
    if outbox:
        lock_outbox(session)
        session.add(
            OutboxRow(chat_id=chat_id, event_id=row.id, type=type_, data=row.data, created_at=now)
        )
        session.flush()
    return row


def add_typed_event(
    session: Session, chat_id: int, event: ChatEvent, now: datetime, *, outbox: bool = True
) -> EventRow:
    """`add_event` for a typed record (`domain.events`): its type and its one serialisation."""
    return add_event(session, chat_id, event.type.value, event_data(event), now, outbox=outbox)


def _encode(data: Mapping[str, Any]) -> str:
    # json_text: the one encoder of event data (times in UTC with Z, see domain.events)
    return json_text(data)


def rewrite_post_event(
    session: Session, chat_id: int, post_id: int, posted_at: datetime, data: Mapping[str, Any]
) -> int | None:
    """Replace the data of the `post` event of post `post_id` with `data`, in the caller's
    transaction; its id and place in the log stay. Returns the event's id (None when the post
    has no event, e.g. one stored before events existed).

    The post's event was written with the post, at its `created_at`: that narrows the search
    to a row or two; the id in the JSON picks the one.
    """
    post_events = sa.select(EventRow.id, EventRow.data).where(
        EventRow.chat_id == chat_id, EventRow.type == "post"
    )
    event_id = _event_of_post(
        session.execute(post_events.where(EventRow.created_at == posted_at)), post_id
    )
    if event_id is None:  # written at another time than the post (not by this code): look wider
        event_id = _event_of_post(session.execute(post_events), post_id)
    if event_id is None:
        return None
    session.execute(sa.update(EventRow).where(EventRow.id == event_id).values(data=_encode(data)))
    return event_id


def _event_of_post(rows: Iterable[sa.Row[tuple[int, str]]], post_id: int) -> int | None:
    for row in rows:
        if json.loads(row.data).get("id") == post_id:
            return int(row.id)
    return None


def events_after(store: Store, chat_id: int, after_id: int) -> list[StoredEvent]:
    """Events of `chat_id` with id > `after_id`, oldest first, each as it is now: a post's
    `post` event carries the post's current view (see `rewrite_post_event`), so a replay never
    serves what a post was before it was hidden or changed."""
    if not 1 <= chat_id <= MAX_ROW_ID:
        return []
    with store.read() as session:
        rows = session.execute(
            sa.select(EventRow.id, EventRow.chat_id, EventRow.type, EventRow.data)
            .where(EventRow.chat_id == chat_id, EventRow.id > after_id)
            .order_by(EventRow.id)
        ).all()
    return [StoredEvent(id=r[0], chat_id=r[1], type=r[2], data=r[3]) for r in rows]


def last_event_id(store: Store, chat_id: int) -> int:
    """The id of the newest event of `chat_id`, 0 when it has none (or cannot exist)."""
    if not 1 <= chat_id <= MAX_ROW_ID:
        return 0
    with store.read() as session:
        value = session.execute(
            sa.select(sa.func.max(EventRow.id)).where(EventRow.chat_id == chat_id)
        ).scalar()
    return int(value or 0)
