"""Fixtures of the page tests (helpers are in pages_support.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pages_support import World, build_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """The app with a series, its hosts, a reader and a scheduled chat."""
    yield from build_world(tmp_path)
