"""The in-process bus across several app processes: wake-ups travel through Redis pub/sub.

Each process keeps its own viewers and pumps (`InProcessBus`); `publish(chat_id)` wakes this
process's pump at once and tells the other processes through one Redis channel. The message is
only the chat id: every pump reads the new rows from the database, which stays the one source
of truth for order and resume. A wake-up lost while Redis is away costs latency, not events:
the pumps also re-read watched chats every `poll_seconds`, and a reconnecting listener wakes
them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from hashchat.live.bus import InProcessBus
from hashchat.live.seats import AsgiReceive, AsgiSend

logger = logging.getLogger(__name__)

CHANNEL = "hashchat:events"


class RedisWakeups:
    """An EventBus: an InProcessBus per process plus Redis pub/sub wake-ups between them."""

    def __init__(
        self,
        local: InProcessBus,
        publisher: aioredis.Redis,
        listener: aioredis.Redis,
        *,
        retry_seconds: float = 1.0,
    ) -> None:
        self._local = local
        self._publisher = publisher
        self._listener = listener
        self._retry_seconds = retry_seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: set[int] = set()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.listening = asyncio.Event()

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start forwarding and listening on the server's event loop (call inside it)."""
        if self._tasks:
            return
        self._loop = loop
        self._local.bind(loop)
        self._tasks = [loop.create_task(self._forward()), loop.create_task(self._listen())]

    def publish(self, chat_id: int) -> None:
        """Wake this process's viewers now and the other processes' soon. Never blocks."""
        self._local.publish(chat_id)
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._mark, chat_id)

    def resume_point(self, chat_id: int, event_id: int) -> None:
        """Nothing to prepare: every process's bus resumes a stream after any event."""

    def _mark(self, chat_id: int) -> None:
        self._pending.add(chat_id)
        self._wake.set()

    async def _forward(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            chats, self._pending = self._pending, set()
            try:
                async with self._publisher.pipeline(transaction=False) as pipe:
                    for chat_id in chats:
                        pipe.publish(CHANNEL, str(chat_id))
                    await pipe.execute()
            except RedisError as error:
                # The other processes' pumps poll meanwhile; nothing is lost, only later.
                logger.warning("Redis wake-up failed (%s); the pumps poll instead", error)
                await asyncio.sleep(self._retry_seconds)

    async def _listen(self) -> None:
        while True:
            try:
                async with self._listener.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    self.listening.set()
                    self._local.wake_all()  # whatever was missed while (re)connecting
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            with contextlib.suppress(ValueError):
                                self._local.wake(int(message["data"]))
            except (RedisError, OSError) as error:
                self.listening.clear()
                logger.warning("Redis listener lost (%s); reconnecting", error)
                await asyncio.sleep(self._retry_seconds)

    def subscribe(self, chat_id: int, after_id: int) -> AsyncIterator[bytes]:
        """This process's stream of the chat (see InProcessBus.subscribe)."""
        if self._loop is None:
            self.bind(asyncio.get_running_loop())
        return self._local.subscribe(chat_id, after_id)

    async def serve(
        self, chat_id: int, after_id: int, send: AsgiSend, receive: AsgiReceive
    ) -> None:
        """This process's stream of the chat into an open response (see InProcessBus.serve)."""
        if self._loop is None:
            self.bind(asyncio.get_running_loop())
        await self._local.serve(chat_id, after_id, send, receive)

    async def aclose(self) -> None:
        """Stop the Redis tasks and the local pumps."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        await self._local.aclose()
        await self._publisher.aclose()
        await self._listener.aclose()
