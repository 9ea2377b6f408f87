"""/chats/{id}/events: the live stream of a chat as Server-Sent Events, resumable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from hashchat.actions.chats import get_chat
from hashchat.actions.errors import InvalidInputError
from hashchat.store.models import MAX_ROW_ID
from hashchat.web.api.schemas import READ_REFUSALS, ChatId
from hashchat.web.deps import Ctx

router = APIRouter(tags=["events"])

STREAM_DESCRIPTION = """Server-Sent Events. Each event has an increasing `id:`, an `event:` type
(`post`, `question`, `state`, `hide`, `spotlight`) and one `data:` line of JSON (a `post`'s data
is the same JSON as the API's post). Reconnect with `Last-Event-ID` (or `?after=ID`) to get
exactly the events after that id. Comment lines (`: heartbeat`) keep the connection alive."""


def resume_point(last_event_id: str | None, after: int | None) -> int:
    """Where a stream resumes: the `Last-Event-ID` header (a browser reconnecting) wins over
    `?after=`; 0 (from the start) when neither is given. 422 for anything but an event id."""
    if last_event_id is not None and last_event_id.strip():
        text = last_event_id.strip()
        if not (text.isascii() and text.isdigit()):
            raise InvalidInputError("Last-Event-ID must be an event id (a whole number)")
        value = int(text)
    else:
        value = after or 0
    if value < 0:
        raise InvalidInputError("an event id is never negative")
    if value > MAX_ROW_ID:
        raise InvalidInputError(f"an event id is at most {MAX_ROW_ID}")
    return value


@router.get(
    "/chats/{chat_id}/events",
    response_class=StreamingResponse,
    description=STREAM_DESCRIPTION,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "the event stream"},
        **READ_REFUSALS,
    },
)
async def chat_events(
    chat_id: ChatId,
    ctx: Ctx,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_ROW_ID, description="resume after this event id")
    ] = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """The chat's events after the resume point, then live ones."""
    resume = resume_point(last_event_id, after)
    await run_in_threadpool(get_chat, ctx, chat_id)  # 404 before the stream starts

    async def frames() -> AsyncIterator[bytes]:
        # Sent at once so that clients know they are connected before the first event.
        yield b": connected\nretry: 2000\n\n"
        async for frame in ctx.bus.subscribe(chat_id, resume):
            yield frame

    return StreamingResponse(
        frames(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
