"""One seeded app per backend (a SQLite file, a PostgreSQL schema of its own) for the whole
fuzzing module, shared by every generated request as real clients share one server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fuzz_support import Seeded, seeded_app

from hashchat.settings import RateLimit, Settings
from hashchat.store.migrate import upgrade


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
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(pg_url, poolclass=sa.NullPool)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.make_url(pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield from _serve(url.render_as_string(hide_password=False))
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
