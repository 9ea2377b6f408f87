"""Where a fresh event stream of a chat resumes: after the newest event a page or client saw."""

from __future__ import annotations

from hashchat.actions.context import AppContext
from hashchat.store.events import last_event_id


def newest_event_shown(ctx: AppContext, chat_id: int) -> int:
    """The chat's newest event id, announced to the bus: with nchan, a message will end
    there, so the stream that resumes after it never starts inside a message."""
    event_id = last_event_id(ctx.store, chat_id)
    ctx.bus.resume_point(chat_id, event_id)
    return event_id
