"""The blog tests' real WordPress: one per test session (per xdist worker), stopped with it;
and hashchat's side: a fresh database with a secret key per test, in process (`ctx`) or served
by uvicorn with its background runner (`server`)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from blog_support import KEY, Server
from wordpress_support import LocalWordPress, missing_programs

from ci_support import skip_or_fail
from hashchat.actions.context import AppContext
from hashchat.assembly import build_context
from hashchat.settings import Settings
from hashchat.store.migrate import upgrade
from pg_support import fresh_pg_schema


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalWordPress]:
    """A running WordPress 6.1 (Debian's package) with an admin Application Password."""
    missing = missing_programs()
    if missing is not None:
        skip_or_fail(missing)
    site = LocalWordPress.start(tmp_path_factory.mktemp("wordpress"))
    try:
        yield site
    finally:
        site.stop()


def _context(url: str) -> AppContext:
    upgrade(url)
    return build_context(Settings(database_url=url, argon2_time_cost=1, argon2_memory_kib=1024))


@pytest.fixture
def ctx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppContext]:
    """hashchat on a fresh SQLite file, with HASHCHAT_SECRET_KEY set and the wall clock."""
    monkeypatch.setenv("HASHCHAT_SECRET_KEY", KEY)
    context = _context(f"sqlite:///{tmp_path / 'hashchat.sqlite3'}")
    yield context
    context.store.dispose()


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def any_ctx(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AppContext]:
    """`ctx` on each backend: a SQLite file, and a fresh PostgreSQL schema (HASHCHAT_TEST_PG)."""
    monkeypatch.setenv("HASHCHAT_SECRET_KEY", KEY)
    if request.param == "sqlite":
        context = _context(f"sqlite:///{tmp_path / 'hashchat.sqlite3'}")
        yield context
        context.store.dispose()
        return
    with fresh_pg_schema(request.getfixturevalue("pg_url")) as url:
        context = _context(url)
        yield context
        context.store.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """hashchat under uvicorn in a thread, its background runner on (the blog's pull and
    outbox consumer included), with HASHCHAT_SECRET_KEY set: (base URL, its context)."""
    from hashchat.web.app import create_app

    monkeypatch.setenv("HASHCHAT_SECRET_KEY", KEY)
    url = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    upgrade(url)
    settings = Settings(
        database_url=url, cookie_secure=False, argon2_time_cost=1, argon2_memory_kib=1024
    )
    app = create_app(settings)
    port = _free_port()
    running = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=running.run, name="blog-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not running.started:
        assert thread.is_alive(), "the server stopped"
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app.state.ctx
    finally:
        running.should_exit = True
        thread.join(timeout=15)
