"""A stand-in for the events table, shared by the bus tests (the bus only reads rows by id)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import redis.asyncio as aioredis

from hashchat.live.bus import StoredEvent
from hashchat.live.redis_client import connect_async


class Table:
    """A stand-in for the events table."""

    def __init__(self) -> None:
        self.rows: list[StoredEvent] = []

    def add(self, chat_id: int = 1, type_: str = "post") -> StoredEvent:
        number = self.rows[-1].id + 1 if self.rows else 1
        event = StoredEvent(number, chat_id, type_, f'{{"n":{number}}}')
        self.rows.append(event)
        return event

    def after(self, chat_id: int, after_id: int) -> list[StoredEvent]:
        return [e for e in self.rows if e.chat_id == chat_id and e.id > after_id]

    def last(self, chat_id: int) -> int:
        return max((e.id for e in self.rows if e.chat_id == chat_id), default=0)


# The database id the tests' Redis nchan states describe.
DATABASE = "testdatabase"


def nchan_keys(chat_id: int, database: str = DATABASE) -> list[str]:
    """Every Redis key the nchan publishing state keeps for a chat (to clear around a test)."""
    parts = ("ids", "meta", "lock", "cuts", "paced")
    return [f"hashchat:nchan:{database}:{chat_id}:{part}" for part in parts] + [
        f"hashchat:nchan:{chat_id}:database"
    ]


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Wait until `condition()` holds, looking every 5 ms; AssertionError after `seconds`
    (a bound, never a guess at how long something takes: a busy box only makes it slower)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {seconds} s: {condition}")
        await asyncio.sleep(0.005)


@asynccontextmanager
async def redis_for(url: str, keys: list[str]) -> AsyncIterator[aioredis.Redis]:
    """A client of the tests' Redis with `keys` deleted, deleted again and the client closed
    afterwards, whatever the test did."""
    client = connect_async(url)
    try:
        await client.delete(*keys)
        yield client
    finally:
        try:
            await client.delete(*keys)
        finally:
            await client.aclose()
