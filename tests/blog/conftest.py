"""The blog tests' real WordPress: one per test session (per xdist worker), stopped with it;
and hashchat's side: a fresh database with a secret key per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from blog_support import KEY
from wordpress_support import LocalWordPress, missing_programs

from ci_support import skip_or_fail
from hashchat.actions.context import AppContext


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


@pytest.fixture
def ctx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppContext]:
    """hashchat on a fresh SQLite file, with HASHCHAT_SECRET_KEY set and the wall clock."""
    from hashchat.assembly import build_context
    from hashchat.settings import Settings
    from hashchat.store.migrate import upgrade

    monkeypatch.setenv("HASHCHAT_SECRET_KEY", KEY)
    url = f"sqlite:///{tmp_path / 'hashchat.sqlite3'}"
    upgrade(url)
    context = build_context(Settings(database_url=url, argon2_time_cost=1, argon2_memory_kib=1024))
    yield context
    context.store.dispose()
