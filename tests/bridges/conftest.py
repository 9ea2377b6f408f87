"""The bridge tests' outside parts: one real local Bluesky PDS per test session (per xdist
worker), installed into a cache outside the clone once, and the local Mastodon server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from bridge_support import KEY, Api, Clock
from mastodon_server import LocalMastodon
from pds_support import LocalPds, install
from x_server import LocalX

from ci_support import skip_or_fail
from hashchat.actions.accounts import do_register
from hashchat.actions.context import AppContext
from hashchat.actions.series import do_create_series
from hashchat.actions.views import UserView
from hashchat.settings import Settings
from hashchat.store.migrate import upgrade

PDS_HANDLES = ("chathost.test", "alice.test", "bob.test", "spam.test")


@pytest.fixture(scope="session")
def pds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPds]:
    """A running PDS + PLC with the accounts of `PDS_HANDLES` (password `pds.password`)."""
    problem = install()
    if problem is not None:
        skip_or_fail(f"the local Bluesky PDS cannot be installed: {problem}")
    server = LocalPds.start(tmp_path_factory.mktemp("pds"), PDS_HANDLES)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mastodon() -> Iterator[LocalMastodon]:
    """A fresh local Mastodon server on 127.0.0.1 (its own thread and port)."""
    server = LocalMastodon.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def x() -> Iterator[LocalX]:
    """A fresh local X API v2 server on 127.0.0.1 (its own thread and port)."""
    server = LocalX.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def keyless_ctx(tmp_path: Path) -> Iterator[AppContext]:
    """The app's context on a fresh SQLite file with a clock to skew; no secret key is set."""
    from hashchat.assembly import build_context

    url = f"sqlite:///{tmp_path / 'hashchat.sqlite3'}"
    upgrade(url)
    context = build_context(
        Settings(database_url=url, clock=Clock(), argon2_time_cost=1, argon2_memory_kib=1024)
    )
    yield context
    context.store.dispose()


@pytest.fixture
def secret_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """`HASHCHAT_SECRET_KEY` set (read when secrets are sealed or unsealed)."""
    monkeypatch.setenv("HASHCHAT_SECRET_KEY", KEY)
    return KEY


@pytest.fixture
def ctx(keyless_ctx: AppContext, secret_key: str) -> AppContext:
    """The app's context with a secret key."""
    return keyless_ctx


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def api(ctx: AppContext) -> AsyncIterator[Api]:
    """The real app over ASGI on the test's context."""
    from hashchat.web.app import create_app

    transport = httpx.ASGITransport(app=create_app(context=ctx))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield Api(client, ctx)


@pytest.fixture
def host(ctx: AppContext) -> UserView:
    """The owner of #EduChat."""
    owner = do_register(ctx, "owner", "correct horse battery")
    do_create_series(ctx, owner, "EduChat", "A chat about teaching", "Europe/London")
    return owner
