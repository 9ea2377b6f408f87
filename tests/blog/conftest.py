"""The blog tests' real WordPress: one per test session (per xdist worker), stopped with it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from wordpress_support import LocalWordPress, missing_programs

from ci_support import skip_or_fail


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
