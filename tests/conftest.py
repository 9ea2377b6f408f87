"""Fixtures shared by every test: where ../shared/data lives, and the external services.

Anything the tests need from outside the project skips with a loud reason when it is missing,
and fails instead under CI=true, so that a missing part can never pass as green.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


def under_ci() -> bool:
    """True when running in CI, where a missing dependency must fail rather than skip."""
    return os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str) -> None:
    """Skip with a loud reason, or fail under CI=true."""
    if under_ci():
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(f"SKIPPED LOUDLY: {reason}")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The ../shared/data folder, read in place (never copied into the project)."""
    if not SHARED_DATA.is_dir():
        skip_or_fail(f"{SHARED_DATA} is absent")
    return SHARED_DATA
