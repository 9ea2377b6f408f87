"""The bridge tests' outside parts: one real local Bluesky PDS per test session (per xdist
worker), installed into a cache outside the clone once, and the local Mastodon server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mastodon_server import LocalMastodon
from pds_support import LocalPds, install

from ci_support import skip_or_fail

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
