"""One seeded app per backend (a SQLite file, a PostgreSQL schema of its own) for the whole
fuzzing module, shared by every generated request as real clients share one server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fuzz_support import Seeded, seeded_app

from hashchat.settings import RateLimit, Settings
from hashchat.store.migrate import upgrade
from pg_support import fresh_pg_schema


def _serve(url: str) -> Iterator[Seeded]:
    upgrade(url)
    settings = Settings(
        database_url=url,
        post_rate=RateLimit(1_000_000, 1.0),
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    )
    app, ctx = seeded_app(settings)
    yield app
    ctx.store.dispose()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Seeded]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite3"
        yield from _serve(f"sqlite:///{path}")
        return
    pg_url: str = request.getfixturevalue("pg_url")
    with fresh_pg_schema(pg_url) as url:
        yield from _serve(url)
