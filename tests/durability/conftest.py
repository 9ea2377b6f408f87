"""A real `hashchat serve` process on a database of each backend, killed and restarted at will."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from durability_support import Server

from hashchat.store.migrate import upgrade
from pg_support import fresh_pg_schema


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def durable_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'durable.sqlite3'}"
        upgrade(url)
        yield url
        return
    pg_url: str = request.getfixturevalue("pg_url")
    with fresh_pg_schema(pg_url) as url:
        upgrade(url)
        yield url


@pytest.fixture
def server(durable_database_url: str, tmp_path: Path) -> Iterator[Server]:
    """A server (not started yet) on a fresh database; stopped after the test."""
    running = Server(durable_database_url, tmp_path)
    yield running
    running.stop()
