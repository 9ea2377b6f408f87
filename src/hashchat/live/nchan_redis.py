"""The nchan publishing state in Redis, shared by several app processes (see `nchan_state`).

Every key names the database the state describes (`hashchat:nchan:{database}:{chat}:*`, the
id of `store.identity`), so a reset database, a second deployment or a test database on the
same Redis never reads another's cursor. One key per chat is shared by all databases,
`hashchat:nchan:{chat}:database`: which database published the chat's nchan channel last; a
publisher that finds another one there empties the channel before its first message (see
`NchanBus`), so that nchan never serves one database's events for another's.
"""

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
# cursor_message, floor, stale, marked), cuts (zset of event ids), lock, paced (exists while
# the chat's next message must wait). ARGV: first, last, message, buffered, buffer length,
# map ttl, lock token, pace in ms, stale (the message's newest event that changed a post,
# 0: none), the last event's print (nchan_state.event_print).
# Returns -1 (nothing written) when the lock is not the caller's, -2 when
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
redis.call('HSET', meta, 'cursor', last, 'cursor_message', message, 'cursor_print', ARGV[10])
if tonumber(ARGV[9]) > tonumber(redis.call('HGET', meta, 'stale') or '0') then
  redis.call('HSET', meta, 'stale', ARGV[9])
end
redis.call('ZREMRANGEBYSCORE', cuts, '-inf', last)
local count = redis.call('ZCARD', ids)
if count > keep then
  local gone = redis.call('ZRANGE', ids, 0, count - keep - 1, 'WITHSCORES')
  local floor = tonumber(redis.call('HGET', meta, 'floor') or '0')
  redis.call('HSET', meta, 'floor', math.max(floor, math.floor(tonumber(gone[#gone]))))
  redis.call('ZREMRANGEBYRANK', ids, 0, count - keep - 1)
end
redis.call('EXPIRE', ids, tonumber(ARGV[6]))
return count
"""

# A marker (an `id:` frame, no event) published after the message that ends at the cursor,
# scored cursor + 0.5: a resume point at the cursor finds that message, not the marker, as the
# one to start after, so the viewer gets the marker first (see NchanBus.mark_present).
# KEYS: ids, meta, lock. ARGV: cursor, message, buffered, buffer length, map ttl, lock token,
# cursor + 1 (the marker's "first event", so that it reads as carrying none).
# Returns -1 (nothing written) when the lock is not the caller's, -2 when the cursor is not
# ARGV[1].
_MARK = """
local ids, meta, lock = KEYS[1], KEYS[2], KEYS[3]
local at = tonumber(ARGV[1])
local keep = math.max(1, math.min(tonumber(ARGV[3]), tonumber(ARGV[4])))
if redis.call('GET', lock) ~= ARGV[6] then return -1 end
local previous = redis.call('HGET', meta, 'cursor')
if not previous or tonumber(previous) ~= at then return -2 end
if redis.call('EXISTS', ids) == 0 then redis.call('HSET', meta, 'floor', previous) end
redis.call('ZADD', ids, at + 0.5, ARGV[7] .. '|' .. ARGV[2])
redis.call('HSET', meta, 'marked', at)
local count = redis.call('ZCARD', ids)
if count > keep then
  local gone = redis.call('ZRANGE', ids, 0, count - keep - 1, 'WITHSCORES')
  local floor = tonumber(redis.call('HGET', meta, 'floor') or '0')
  redis.call('HSET', meta, 'floor', math.max(floor, math.floor(tonumber(gone[#gone]))))
  redis.call('ZREMRANGEBYRANK', ids, 0, count - keep - 1)
end
redis.call('EXPIRE', ids, tonumber(ARGV[5]))
return count
"""

# KEYS: owner, then the chat's state keys. ARGV: this database, force ("1" or "0"). Returns
# the database whose state was forgotten ("" = this one's, older), or false.
_CLAIM = """
local previous = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1])
if previous == ARGV[1] or not previous then
  if ARGV[2] ~= '1' then return false end
  previous = ''
end
redis.call('DEL', unpack(KEYS, 2))
return previous
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
        database: str,
        lock_seconds: float = 5.0,
    ) -> None:
        self._client = client
        self._database = database
        self._buffer_length = buffer_length
        self._map_seconds = int(message_seconds) + 60
        self._lock_ms = int(lock_seconds * 1000)
        self._record = client.register_script(_RECORD)
        self._unlock = client.register_script(_UNLOCK)
        self._renew = client.register_script(_RENEW)
        self._claim = client.register_script(_CLAIM)
        self._mark = client.register_script(_MARK)
        self._tokens: dict[int, str] = {}  # chat: token of the lock this process holds

    def _base(self, chat_id: int) -> str:
        return f"hashchat:nchan:{self._database}:{chat_id}"

    def _keys(self, chat_id: int) -> tuple[str, str, str]:
        base = self._base(chat_id)
        return f"{base}:ids", f"{base}:meta", f"{base}:lock"

    def _cuts(self, chat_id: int) -> str:
        return f"{self._base(chat_id)}:cuts"

    def _paced(self, chat_id: int) -> str:
        return f"{self._base(chat_id)}:paced"

    async def claim(self, chat_id: int, *, force: bool = False) -> str | None:
        """Record this database as the chat channel's publisher; forget the chat's state
        (atomically) when another database was, or with `force`."""
        ids, meta, _ = self._keys(chat_id)
        keys = [f"hashchat:nchan:{chat_id}:database", ids, meta, self._cuts(chat_id)]
        keys.append(self._paced(chat_id))
        previous = await self._claim(keys=keys, args=[self._database, "1" if force else "0"])
        return None if previous is None else bytes(previous).decode()

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
            pipe.hmget(meta, "cursor", "marked", "cursor_print")
            pipe.pttl(self._paced(chat_id))
            pipe.zrange(self._cuts(chat_id), 0, -1, withscores=True)
            (cursor, marked, cursor_print), paced_ms, cuts = await pipe.execute()
        after = 0 if cursor is None else int(cursor)
        return Progress(
            cursor=None if cursor is None else int(cursor),
            paced_for=max(0, int(paced_ms)) / 1000,  # -2: no key, -1: no expiry (never set)
            cuts=tuple(int(score) for _, score in cuts if int(score) > after),
            marked=None if marked is None else int(marked),
            cursor_print=(cursor_print or b"").decode(),
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
        self,
        chat_id: int,
        events: tuple[int, int],
        message: str,
        buffered: int,
        pace: float,
        stale: int = 0,
        last_print: str = "",
    ) -> None:
        """Map the message, move the cursor, forget what nchan no longer holds (atomically),
        if this process still holds the chat's lock."""
        ids, meta, lock = self._keys(chat_id)
        first, last = events
        token = self._tokens.get(chat_id, "")
        keys = [ids, meta, self._cuts(chat_id), lock, self._paced(chat_id)]
        args: list[str | int] = [first, last, message, buffered, self._buffer_length]
        args += [self._map_seconds, token, int(pace * 1000), stale, last_print]
        result = await self._record(keys=keys, args=args)
        if result == -1:
            raise PublishingConflictError(f"lost the publishing lock of chat {chat_id}")
        if result == -2:
            raise PublishingConflictError(f"chat {chat_id} is already published past {last}")

    async def record_marker(self, chat_id: int, at: int, message: str, buffered: int) -> None:
        """Map the marker after the cursor's message, if this process holds the lock."""
        ids, meta, lock = self._keys(chat_id)
        token = self._tokens.get(chat_id, "")
        args: list[str | int] = [at, message, buffered, self._buffer_length]
        args += [self._map_seconds, token, at + 1]
        result = await self._mark(keys=[ids, meta, lock], args=args)
        if result == -1:
            raise PublishingConflictError(f"lost the publishing lock of chat {chat_id}")
        if result == -2:
            raise PublishingConflictError(f"chat {chat_id} is not published up to {at}")

    async def locate(self, chat_id: int, after: int) -> ChatMap:
        """The snapshot for `decide`, read in one round trip."""
        ids, meta, _ = self._keys(chat_id)
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.hmget(meta, "cursor", "cursor_message", "floor", "stale", "marked")
            pipe.zrevrangebyscore(ids, after, "-inf", start=0, num=1, withscores=True)
            pipe.zrange(ids, 0, 0, withscores=True)
            # Past a marker at `after` (scored after + 0.5): it carries no event.
            pipe.zrangebyscore(ids, f"({after}.5", "+inf", start=0, num=1, withscores=True)
            (
                (cursor, cursor_message, floor, stale_raw, marked),
                before,
                oldest,
                following,
            ) = await pipe.execute()

        def mapped(rows: list[tuple[bytes, float]]) -> Mapped | None:
            return (int(rows[0][1]), rows[0][0].decode().partition("|")[2]) if rows else None

        stale = int(stale_raw or 0)
        stale_end = None
        if stale > after:  # rare: a second round trip only for viewers behind a change
            holding = await self._client.zrangebyscore(
                ids, stale, "+inf", start=0, num=1, withscores=True
            )
            stale_end = int(holding[0][1]) if holding else None
        return ChatMap(
            cursor=None if cursor is None else int(cursor),
            cursor_message=None if cursor_message is None else cursor_message.decode(),
            floor=int(floor or 0),
            at_or_before=mapped(before),
            oldest=mapped(oldest),
            following_first=int(following[0][0].decode().partition("|")[0]) if following else None,
            following_last=int(following[0][1]) if following else None,
            stale=stale,
            stale_end=stale_end,
            marked=None if marked is None else int(marked),
        )
