"""Fixtures shared by every test: where the conformance data lives, and the external services.

Anything the tests need from outside the project skips with a loud reason when it is missing,
and fails instead under CI=true, so that a missing part can never pass as green.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ci_support import CONFORMANCE_CASES, conformance_dir, conformance_missing, skip_or_fail


@pytest.fixture(scope="session")
def twitter_text() -> Path:
    """The twitter-text conformance folder (ci_support.conformance_dir), read in place."""
    missing = conformance_missing()
    if missing is not None:
        skip_or_fail(missing)
    return conformance_dir()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say once, at the end, how many conformance cases did not run and why (or failed, in CI)."""
    missing = conformance_missing()
    if missing is None:
        return
    reports = [
        report
        for outcome in ("skipped", "failed", "error")
        for report in terminalreporter.stats.get(outcome, [])
        if "shared" in getattr(report, "keywords", {})
    ]
    if reports:
        outcome = "FAILED" if any(r.outcome != "skipped" for r in reports) else "skipped"
        terminalreporter.write_sep("!", "twitter-text conformance data", yellow=True, bold=True)
        terminalreporter.write_line(
            f"{CONFORMANCE_CASES} twitter-text conformance cases {outcome} "
            f"({len(reports)} tests): {missing}",
            yellow=True,
            bold=True,
        )


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
