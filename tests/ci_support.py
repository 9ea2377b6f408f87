"""The one rule for outside parts a test needs (../shared/data, Chromium, nginx, PostgreSQL,
Redis): skip with a loud reason when missing, but fail under CI=true, so a missing part never
passes as green.
"""

from __future__ import annotations

import os

import pytest


def under_ci() -> bool:
    """True when running in CI, where a missing dependency must fail rather than skip."""
    return os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str) -> None:
    """Skip with a loud reason, or fail under CI=true."""
    if under_ci():
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(f"SKIPPED LOUDLY: {reason}")
