"""Where a chat's event stream resumes: after the newest event a page or client saw, or, for a
stream that names no resume point, at the present."""

from __future__ import annotations

from hashchat.actions.context import AppContext
from hashchat.store.events import last_event_id


def newest_event_shown(ctx: AppContext, chat_id: int) -> int:
    """The chat's newest event id, announced to the bus: with nchan, a message will end
    there, so the stream that resumes after it never starts inside a message.

    Read it *before* the rows a page or response shows: an event committed in between is then
    replayed (and applied once, by post id and event id) instead of missed."""
    event_id = last_event_id(ctx.store, chat_id)
    ctx.bus.resume_point(chat_id, event_id)
    return event_id


def stream_start(ctx: AppContext, chat_id: int, requested: int | None) -> int:
    """The id a stream starts after: the one it asked for (`Last-Event-ID` or `?after=`; 0 is
    the chat's beginning), else the present, so a new viewer is not sent the whole history."""
    return newest_event_shown(ctx, chat_id) if requested is None else requested
