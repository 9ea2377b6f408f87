"""The nchan publishing state in Redis, shared by several app processes (see `nchan_state`)."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis

from hashchat.live.nchan_state import ChatMap, Mapped, Progress, PublishingConflictError

logger = logging.getLogger(__name__)


# KEYS: ids (zset "first|message" scored by the last event id), meta (hash cursor,
# cursor_message, floor), cuts (zset of event ids), lock, paced (exists while the chat's next
# message must wait). ARGV: first, last, message, buffered, buffer length, map ttl, lock
# token, pace in ms. Returns -1 (nothing written) when the lock is not the caller's, -2 when
# the cursor is already at or past `last`.
_RECORD = """
local ids, meta, cuts, lock, paced = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local first, last, message = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local keep = math.max(1, math.min(tonumber(ARGV[4]), tonumber(ARGV[5])))
if redis.call('GET', lock) ~= ARGV[7] then return -1 end
local previous = redis.call('HGET', meta, 'cursor')
if previous and tonumber(previous) >= last then return -2 end
if tonumber(ARGV[8]) > 0 then redis.call('SET', paced, 1, 'PX', ARGV[8]) end
if previous and redis.call('EXISTS', ids) == 0 then
  redis.call('HSET', meta, 'floor', previous)
end
redis.call('ZADD', ids, last, first .. '|' .. message)
redis.call('HSET', meta, 'cursor', last, 'cursor_message', message)
redis.call('ZREMRANGEBYSCORE', cuts, '-inf', last)
local count = redis.call('ZCARD', ids)
if count > keep then
  local gone = redis.call('ZRANGE', ids, 0, count - keep - 1, 'WITHSCORES')
  local floor = tonumber(redis.call('HGET', meta, 'floor') or '0')
  redis.call('HSET', meta, 'floor', math.max(floor, tonumber(gone[#gone])))
  redis.call('ZREMRANGEBYRANK', ids, 0, count - keep - 1)
end
redis.call('EXPIRE', ids, tonumber(ARGV[6]))
return count
"""

_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


class RedisNchanState:
    """The state in Redis: several app processes publish the same chats in turn.

    The publishing lock is `SET NX PX`, renewed by its holder every third of `lock_seconds`
    (a slow nchan must not let a second publisher in); a holder that dies lets it expire.
    The map expires with nchan's messages; the cursor stays, so an idle
    chat's next event is published after the right one. Cuts expire after a minute (the
    viewer that asked has long given up by then). Pacing is a key that expires when the next
    message may go (Redis's clock). A record is refused unless the caller still holds the lock
    and moves the cursor forward, so a publisher whose lock expired (an event loop stalled for
    `lock_seconds`) cannot move the map backwards.
    """

    def __init__(
        self,
        client: aioredis.Redis,
        buffer_length: int,
        message_seconds: float,
        *,
        lock_seconds: float = 5.0,
    ) -> None:
        self._client = client
        self._buffer_length = buffer_length
        self._map_seconds = int(message_seconds) + 60
        self._lock_ms = int(lock_seconds * 1000)
        self._record = client.register_script(_RECORD)
        self._unlock = client.register_script(_UNLOCK)
        self._renew = client.register_script(_RENEW)
        self._tokens: dict[int, str] = {}  # chat: token of the lock this process holds

    @staticmethod
    def _keys(chat_id: int) -> tuple[str, str, str]:
        base = f"hashchat:nchan:{chat_id}"
        return f"{base}:ids", f"{base}:meta", f"{base}:lock"

    @staticmethod
    def _cuts(chat_id: int) -> str:
        return f"hashchat:nchan:{chat_id}:cuts"

    @staticmethod
    def _paced(chat_id: int) -> str:
        return f"hashchat:nchan:{chat_id}:paced"

    @asynccontextmanager
    async def publishing(self, chat_id: int) -> AsyncIterator[bool]:
        """Take the chat's lock if no other process holds it."""
        _, _, lock = self._keys(chat_id)
        token = secrets.token_hex(8)
        if not await self._client.set(lock, token, nx=True, px=self._lock_ms):
            yield False
            return
        self._tokens[chat_id] = token
        renewing = asyncio.create_task(self._keep(lock, token))
        try:
            yield True
        finally:
            self._tokens.pop(chat_id, None)
            renewing.cancel()
            await asyncio.gather(renewing, return_exceptions=True)
            await self._unlock(keys=[lock], args=[token])

    async def _keep(self, lock: str, token: str) -> None:
        """Renew the lock until cancelled; a failed renewal (Redis blip) is tried again."""
        while True:
            await asyncio.sleep(self._lock_ms / 3000)
            try:
                await self._renew(keys=[lock], args=[token, self._lock_ms])
            except Exception as error:  # any Redis error: keep trying while we publish
                logger.warning("renewing the publishing lock failed (%r)", error)

    async def cursor(self, chat_id: int) -> int | None:
        """The newest published event."""
        _, meta, _ = self._keys(chat_id)
        value = await self._client.hget(meta, "cursor")
        return None if value is None else int(value)

    async def progress(self, chat_id: int) -> Progress:
        """Cursor, pacing and the cuts after the cursor, in one round trip."""
        _, meta, _ = self._keys(chat_id)
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.hget(meta, "cursor")
            pipe.pttl(self._paced(chat_id))
            pipe.zrange(self._cuts(chat_id), 0, -1, withscores=True)
            cursor, paced_ms, cuts = await pipe.execute()
        after = 0 if cursor is None else int(cursor)
        return Progress(
            cursor=None if cursor is None else int(cursor),
            paced_for=max(0, int(paced_ms)) / 1000,  # -2: no key, -1: no expiry (never set)
            cuts=tuple(int(score) for _, score in cuts if int(score) > after),
        )

    async def request_cut(self, chat_id: int, event_id: int) -> None:
        """Add the cut; the publisher removes it once a publication passes it."""
        key = self._cuts(chat_id)
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {str(event_id): event_id})
            pipe.expire(key, 60)
            await pipe.execute()

    async def start(self, chat_id: int, floor: int) -> None:
        """Events <= floor are not mapped."""
        _, meta, _ = self._keys(chat_id)
        await self._client.hset(meta, "floor", floor)

    async def record(
        self, chat_id: int, events: tuple[int, int], message: str, buffered: int, pace: float
    ) -> None:
        """Map the message, move the cursor, forget what nchan no longer holds (atomically),
        if this process still holds the chat's lock."""
        ids, meta, lock = self._keys(chat_id)
        first, last = events
        token = self._tokens.get(chat_id, "")
        keys = [ids, meta, self._cuts(chat_id), lock, self._paced(chat_id)]
        args: list[str | int] = [first, last, message, buffered, self._buffer_length]
        args += [self._map_seconds, token, int(pace * 1000)]
        result = await self._record(keys=keys, args=args)
        if result == -1:
            raise PublishingConflictError(f"lost the publishing lock of chat {chat_id}")
        if result == -2:
            raise PublishingConflictError(f"chat {chat_id} is already published past {last}")

    async def locate(self, chat_id: int, after: int) -> ChatMap:
        """The snapshot for `decide`, read in one round trip."""
        ids, meta, _ = self._keys(chat_id)
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.hmget(meta, "cursor", "cursor_message", "floor")
            pipe.zrevrangebyscore(ids, after, "-inf", start=0, num=1, withscores=True)
            pipe.zrange(ids, 0, 0, withscores=True)
            pipe.zrangebyscore(ids, f"({after}", "+inf", start=0, num=1, withscores=True)
            (cursor, cursor_message, floor), before, oldest, following = await pipe.execute()

        def mapped(rows: list[tuple[bytes, float]]) -> Mapped | None:
            return (int(rows[0][1]), rows[0][0].decode().partition("|")[2]) if rows else None

        return ChatMap(
            cursor=None if cursor is None else int(cursor),
            cursor_message=None if cursor_message is None else cursor_message.decode(),
            floor=int(floor or 0),
            at_or_before=mapped(before),
            oldest=mapped(oldest),
            following_first=int(following[0][0].decode().partition("|")[0]) if following else None,
        )
