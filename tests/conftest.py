"""Fixtures shared by every test: where the conformance data lives, and the external services.

Anything the tests need from outside the project skips with a loud reason when it is missing,
and fails instead under CI=true, so that a missing part can never pass as green.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator
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


def _children() -> dict[int, str]:
    """This process's child processes, running or exited but not reaped: pid -> command line."""
    found: dict[int, str] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            pids = (task / "children").read_text().split()
        except OSError:
            continue
        for pid in map(int, pids):
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            shown = command.decode(errors="replace").strip()
            found[pid] = "(exited, never waited for)" if state == "Z" else shown
    return found


@pytest.fixture(scope="session", autouse=True)
def no_child_process_left() -> Iterator[None]:
    """Every process a test starts is stopped and reaped (waited for) by the time the session
    ends: one left over is a `ResourceWarning: subprocess … is still running` at exit, or a
    zombie, or a server that outlives the tests. Fails the session's last teardown, naming it."""
    before = set(_children())
    yield
    gc.collect()  # a Popen dropped unreaped is reaped by the next Popen's cleanup at best
    deadline = time.monotonic() + 10
    while (left := {p: c for p, c in _children().items() if p not in before}) and (
        time.monotonic() < deadline and any(not c.startswith("(exited") for c in left.values())
    ):
        time.sleep(0.1)  # one still stopping
    assert not left, f"tests left child processes running or unreaped: {left}"


@pytest.fixture(autouse=True)
def _collect_leaked_connections(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a test on PostgreSQL or Redis, collect garbage, so that a connection it left open
    (an engine never disposed, a client never closed) warns in this test's teardown, where
    filterwarnings=error fails it, and not later in whichever test the collector runs."""
    yield
    if {"pg_url", "redis_url"} & set(request.fixturenames):
        gc.collect()


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
