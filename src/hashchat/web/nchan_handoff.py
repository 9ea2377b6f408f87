"""The nchan hand-off's short way for reconnects (issue 8, point 5: a reconnect storm).

A viewer that reconnects to a chat this process has already found, naming a plain event id,
is handed to nchan here, before the middlewares and the router: one Redis round trip and an
`X-Accel-Redirect`, no dependency injection, no thread hop. Everything else (a first visit
to a chat, no resume point, anything to refuse, a `resync` or an answer from the database)
goes on to the app's own route (`install_nchan_handoff` in `web.app`), which decides it all
again: the rules live there, this only skips work when the answer is a plain hand-off. nginx
replaces the response by nchan's on `X-Accel-Redirect`, so the headers the skipped
middlewares add would never reach the viewer anyway.

In a storm thousands of viewers resume at the same few event ids within a second. A decision
is shared by the requests for the same chat and resume point that arrive within
`SHARED_SECONDS` of it (one Redis round trip for all of them): a plain hand-off after an event
stays right that long (nchan cannot drop a message after which new messages are paced 0.1 s
apart in that time; see docs/decisions.md for what it adds to the window of a hidden post).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Set
from urllib.parse import quote

from redis.exceptions import RedisError
from starlette.types import ASGIApp, Receive, Scope, Send

from hashchat.live.nchan import SUBSCRIBER_PATH, FanoutUnavailableError, NchanBus
from hashchat.live.nchan_state import Handoff
from hashchat.store.models import MAX_ROW_ID

_STREAM = re.compile(r"/api/v1/chats/([1-9][0-9]{0,9})/events")
_AFTER = re.compile(rb"after=([0-9]{1,10})")
# How long a hand-off decision serves the other requests for the same chat and resume point.
SHARED_SECONDS = 0.1
_PRUNE_AT = 1000


def plain_resume(scope: Scope) -> int | None:
    """The resume point when it is plainly an event id (the `Last-Event-ID` header, else a
    lone `?after=`); None for anything the route must look at (absent, odd, out of range)."""
    for name, value in scope["headers"]:
        if name == b"last-event-id":
            text = value.strip()
            if text:
                return int(text) if text.isdigit() and int(text) <= MAX_ROW_ID else None
    match = _AFTER.fullmatch(scope.get("query_string", b""))
    if match is None:
        return None
    value = int(match[1])
    return value if value <= MAX_ROW_ID else None


class NchanReconnects:
    """ASGI middleware: plain reconnects to known chats are handed to nchan at once."""

    def __init__(self, app: ASGIApp, bus: NchanBus, known: Set[int]) -> None:
        self.app = app
        self.bus = bus
        self.known = known
        self._recent: dict[tuple[int, int], tuple[float, asyncio.Future[Handoff]]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            match = _STREAM.fullmatch(scope["path"])
            if match is not None and int(match[1]) in self.known:
                resume = plain_resume(scope)
                if resume is not None and await self._hand_off(int(match[1]), resume, send):
                    return
        await self.app(scope, receive, send)

    async def _decide(self, chat_id: int, resume: int) -> Handoff:
        """The bus's hand-off, shared with the same requests of the last `SHARED_SECONDS`."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        key = (chat_id, resume)
        recent = self._recent.get(key)
        if recent is not None and recent[0] > now:
            try:
                return await asyncio.shield(recent[1])
            except asyncio.CancelledError:
                if not recent[1].cancelled():
                    raise  # this request was cancelled, not the one it waited for
            return await self.bus.handoff(chat_id, resume)
        if len(self._recent) > _PRUNE_AT:
            self._recent = {k: v for k, v in self._recent.items() if v[0] > now}
        decision: asyncio.Future[Handoff] = loop.create_future()
        self._recent[key] = (now + SHARED_SECONDS, decision)
        try:
            handoff = await self.bus.handoff(chat_id, resume)
        except asyncio.CancelledError:
            self._recent.pop(key, None)
            decision.cancel()
            raise
        except Exception as error:
            self._recent.pop(key, None)
            decision.set_exception(error)
            decision.exception()  # retrieved: no "never retrieved" warning without sharers
            raise
        decision.set_result(handoff)
        return handoff

    async def _hand_off(self, chat_id: int, resume: int, send: Send) -> bool:
        try:
            handoff = await self._decide(chat_id, resume)
        except (FanoutUnavailableError, RedisError):
            return False  # the route answers 503 with the reason
        if handoff.resync or handoff.replay_to is not None:
            return False
        target = f"{SUBSCRIBER_PATH}/{chat_id}"
        if handoff.message is not None:
            target += "?msgid=" + quote(handoff.message, safe="")
        headers = [(b"x-accel-redirect", target.encode()), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return True
