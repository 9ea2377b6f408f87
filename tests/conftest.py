"""Fixtures shared by every test: where ../shared/data lives, and the external services.

Anything the tests need from outside the project skips with a loud reason when it is missing,
and fails instead under CI=true, so that a missing part can never pass as green.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ci_support import skip_or_fail

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The ../shared/data folder, read in place (never copied into the project)."""
    if not SHARED_DATA.is_dir():
        skip_or_fail(f"{SHARED_DATA} is absent")
    return SHARED_DATA


@pytest.fixture(scope="session")
def pg_url() -> str:
    """A SQLAlchemy URL of a reachable PostgreSQL server (`HASHCHAT_TEST_PG`)."""
    url = os.environ.get("HASHCHAT_TEST_PG", "")
    if not url:
        skip_or_fail(
            "HASHCHAT_TEST_PG is not set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    import sqlalchemy as sa

    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
    except sa.exc.OperationalError as error:
        skip_or_fail(f"PostgreSQL at HASHCHAT_TEST_PG is unreachable: {error.orig}")
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The URL of a reachable Redis server (`HASHCHAT_TEST_REDIS`)."""
    url = os.environ.get("HASHCHAT_TEST_REDIS", "")
    if not url:
        skip_or_fail("HASHCHAT_TEST_REDIS is not set (e.g. redis://127.0.0.1:6379/0)")
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        skip_or_fail(f"Redis at HASHCHAT_TEST_REDIS is unreachable: {error}")
    finally:
        client.close()
    return url
