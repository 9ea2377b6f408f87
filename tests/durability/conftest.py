"""A real `hashchat serve` process on a database of each backend, killed and restarted at will."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from durability_support import Server

from hashchat.store.migrate import upgrade


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def durable_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'durable.sqlite3'}"
        upgrade(url)
        yield url
        return
    pg_url: str = request.getfixturevalue("pg_url")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(pg_url, poolclass=sa.NullPool)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.make_url(pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        rendered = url.render_as_string(hide_password=False)
        upgrade(rendered)
        yield rendered
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def server(durable_database_url: str, tmp_path: Path) -> Iterator[Server]:
    """A server (not started yet) on a fresh database; stopped after the test."""
    running = Server(durable_database_url, tmp_path)
    yield running
    running.stop()
