"""/chats/{id}/events: the live stream of a chat as Server-Sent Events, resumable.

With a bus that can `serve` (the in-process one, also behind Redis wake-ups) the response is
an `EventStreamResponse`: the bus's pump writes frames straight into this response's ASGI
`send` (see hashchat.live.bus). The middlewares between (error handling, the CSRF cookie) wrap
`send` in plain async functions, so a send still completes in the pump's own step.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Protocol, runtime_checkable

from fastapi import APIRouter, Header, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from hashchat.actions.chats import get_chat
from hashchat.actions.errors import InvalidInputError
from hashchat.actions.resume import stream_start
from hashchat.live.nchan import STREAM_RETRY_MS
from hashchat.live.seats import AsgiReceive, AsgiSend
from hashchat.store.models import MAX_ROW_ID
from hashchat.web.api.schemas import READ_REFUSALS, ChatId
from hashchat.web.deps import Ctx

router = APIRouter(tags=["events"])

STREAM_DESCRIPTION = """Server-Sent Events. Each event has an increasing `id:`, an `event:` type
(`post`, `question`, `state`, `hide`, `spotlight`) and one `data:` line of JSON (a `post`'s data
is the same JSON as the API's post, as the post is now: a hidden post's is only
`{"id", "chat_id", "hidden": true}`).

Where the stream starts: after `Last-Event-ID` (a reconnecting browser sends it) or else after
`?after=ID`, exactly the events after that id (`?after=0`: from the chat's first event). With
neither, the stream starts at the present: no history, only what happens from now on. Take the
history from `GET /chats/{id}/posts` or `GET /chats/{id}` and connect with the `Last-Event-ID`
header or `last_event_id` field they return, so that nothing falls between them.

A stream that starts at the present first carries the id it starts after, in a frame without
data (a comment, `id: N`, `retry:`), before any new event, so that an automatic reconnect
resumes exactly even when no event came in between. In the scaled stack (nginx + nchan) this
frame may follow the connection by up to the publishing interval (0.1 s) unless an event comes
first (an event carries its id itself), such frames may come again later (they dispatch
nothing), and `retry:` (milliseconds: how long to wait before reconnecting) also comes with the
events. A `resync` event (no id) means the stream cannot resume there: reload the posts. Comment
lines (`: heartbeat`) keep the connection alive."""


def connected_frame(start_id: int) -> bytes:
    """The first frame of every stream: the id it starts after (so a reconnect sends it as
    `Last-Event-ID` although no event came yet; a frame without data dispatches nothing), and
    the same `retry:` as every nchan message (`live.nchan.STREAM_RETRY_MS`): a viewer reconnects
    as soon in either fan-out mode."""
    return f": connected\nid: {start_id}\nretry: {STREAM_RETRY_MS}\n\n".encode()


STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@runtime_checkable
class DirectFanout(Protocol):
    """A bus that writes a viewer's frames into its ASGI response itself."""

    async def serve(
        self, chat_id: int, after_id: int, send: AsgiSend, receive: AsgiReceive
    ) -> None:
        """Stream the chat after `after_id` into an open response until it ends."""


class EventStreamResponse(Response):
    """An event stream that `bus.serve` fills; no iterator and no task per frame."""

    media_type = "text/event-stream"

    def __init__(
        self, bus: DirectFanout, chat_id: int, after_id: int, headers: Mapping[str, str]
    ) -> None:
        self.bus = bus
        self.chat_id = chat_id
        self.after_id = after_id
        self.status_code = 200
        self.background = None
        self.init_headers(headers)  # no body: no content-length, the stream is chunked

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        first = connected_frame(self.after_id)
        await send({"type": "http.response.body", "body": first, "more_body": True})
        await self.bus.serve(self.chat_id, self.after_id, send, receive)
        await send({"type": "http.response.body", "body": b"", "more_body": False})


# The two ways a stream names its resume point; the nchan hand-off (web/app.py) takes the same.
After = Annotated[int | None, Query(ge=0, le=MAX_ROW_ID, description="resume after this event id")]
LastEventId = Annotated[str | None, Header()]


def requested_resume(last_event_id: str | None, after: int | None) -> int | None:
    """Where a stream was asked to resume: the `Last-Event-ID` header (a browser reconnecting)
    wins over `?after=`; None when neither is given (the stream starts at the present, see
    `hashchat.actions.resume.stream_start`). 422 for anything but an event id."""
    if last_event_id is not None and last_event_id.strip():
        text = last_event_id.strip()
        if not (text.isascii() and text.isdigit()):
            raise InvalidInputError("Last-Event-ID must be an event id (a whole number)")
        value = int(text)
    elif after is not None:
        value = after
    else:
        return None
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
    after: After = None,
    last_event_id: LastEventId = None,
) -> Response:
    """The chat's events after the resume point (or from now on without one), then live ones."""
    requested = requested_resume(last_event_id, after)
    await run_in_threadpool(get_chat, ctx, chat_id)  # 404 before the stream starts
    resume = await run_in_threadpool(stream_start, ctx, chat_id, requested)
    bus = ctx.bus
    if isinstance(bus, DirectFanout):
        return EventStreamResponse(bus, chat_id, resume, STREAM_HEADERS)

    async def frames() -> AsyncIterator[bytes]:
        yield connected_frame(resume)
        async for frame in bus.subscribe(chat_id, resume):
            yield frame

    return StreamingResponse(frames(), media_type="text/event-stream", headers=STREAM_HEADERS)
