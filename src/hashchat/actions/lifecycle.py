"""Moving a chat through its life inside a transaction, with its `state` event."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions.errors import ConflictError
from hashchat.actions.segments import refresh_chat_segments
from hashchat.domain.chat import ChatState, InvalidTransitionError, next_state
from hashchat.domain.events import StateEvent, event_data
from hashchat.store.events import add_typed_event
from hashchat.store.models import CadenceItem, ChatRow

PENDING = "pending"
DONE = "done"
SKIPPED = "skipped"

# When comments close after the live hour, unless the host says otherwise (issue 9).
COMMENTS_OPEN_AFTER_END = timedelta(hours=24)


def state_event_data(chat: ChatRow) -> dict[str, Any]:
    """The data of a `state` event: where the chat now is."""
    return dict(event_data(state_event(chat)))


def state_event(chat: ChatRow, starts_at: datetime | None = None) -> StateEvent:
    """The `state` event of a chat as it now is (`starts_at` when the start moved)."""
    return StateEvent(
        chat_id=chat.id,
        state=chat.state,
        started_at=chat.started_at,
        ended_at=chat.ended_at,
        closed_at=chat.closed_at,
        comments_close_at=chat.comments_close_at,
        starts_at=starts_at,
    )


def skip_pending(session: Session, chat_id: int, now: datetime) -> None:
    """Retire the rest of a chat's plan once the live hour is over."""
    session.execute(
        sa.update(CadenceItem)
        .where(CadenceItem.chat_id == chat_id, CadenceItem.state == PENDING)
        .values(state=SKIPPED, done_at=now)
    )


def move_chat(session: Session, chat: ChatRow, wanted: ChatState, now: datetime) -> None:
    """Move `chat` forward (409 when it cannot), stamp the time and write the `state` event."""
    try:
        next_state(ChatState(chat.state), wanted)
    except InvalidTransitionError as error:
        raise ConflictError(str(error)) from None
    if wanted is ChatState.LIVE:
        chat.started_at = now
    if wanted in (ChatState.LATE_ANSWERS, ChatState.CLOSED) and chat.ended_at is None:
        chat.ended_at = now
    if wanted is ChatState.LATE_ANSWERS and chat.comments_close_at is None:
        # However the live hour ends (the host's End, or the cadence's own close at the end of
        # the hour), comments close by themselves later; the host may move the time.
        chat.comments_close_at = now + COMMENTS_OPEN_AFTER_END
    if wanted is ChatState.CLOSED:
        chat.closed_at = now
    chat.state = wanted.value
    if wanted is not ChatState.LIVE:
        skip_pending(session, chat.id, now)
    session.flush()
    # the live hour's ends decide what is inferred and late, for posts of this very moment too
    refresh_chat_segments(session, chat, since=now)
    add_typed_event(session, chat.id, state_event(chat), now)
