"""Actions run against a migrated temporary SQLite file, with a hand-moved clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hashchat.actions.context import AppContext
from hashchat.settings import Settings
from hashchat.store.migrate import upgrade
from hashchat.web.app import build_context


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
def new_context(tmp_path: Path, clock: Clock) -> Iterator[Callable[[], AppContext]]:
    """Makes contexts on one database: a second one is the server after a restart."""
    url = f"sqlite:///{tmp_path / 'actions.sqlite3'}"
    upgrade(url)
    made: list[AppContext] = []

    def make() -> AppContext:
        settings = Settings(
            database_url=url, clock=clock, argon2_time_cost=1, argon2_memory_kib=1024
        )
        made.append(build_context(settings))
        return made[-1]

    yield make
    for context in made:
        context.store.dispose()
