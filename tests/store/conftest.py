"""A fresh database of each backend: a SQLite file, or a PostgreSQL schema of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pg_support import fresh_pg_schema


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (not migrated)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    pg_url: str = request.getfixturevalue("pg_url")
    with fresh_pg_schema(pg_url) as url:
        yield url
