"""Actions run against a migrated temporary database, SQLite and PostgreSQL (a fresh schema per
test), with a hand-moved clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hashchat.actions.context import AppContext
from hashchat.assembly import build_context
from hashchat.settings import RateLimit, Settings
from hashchat.store.migrate import upgrade
from pg_support import fresh_pg_schema


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 1, 9, 17, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def pg_database_url(pg_url: str) -> Iterator[str]:
    """A migrated, empty PostgreSQL schema of its own."""
    with fresh_pg_schema(pg_url) as url:
        upgrade(url)
        yield url


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'actions.sqlite3'}"
        upgrade(url)
        return url
    return str(request.getfixturevalue("pg_database_url"))


@pytest.fixture
def new_context(database_url: str, clock: Clock) -> Iterator[Callable[[], AppContext]]:
    """Makes contexts on one database: a second one is the server after a restart, or another
    server process sharing the database."""
    made: list[AppContext] = []

    def make() -> AppContext:
        settings = Settings(
            database_url=database_url,
            clock=clock,
            argon2_time_cost=1,
            argon2_memory_kib=1024,
            post_rate=RateLimit(10_000, 1.0),
        )
        made.append(build_context(settings))
        return made[-1]

    yield make
    for context in made:
        context.store.dispose()
