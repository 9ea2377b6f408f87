"""The one rule for outside parts a test needs (../shared/data, Chromium, nginx, PostgreSQL,
Redis): skip with a loud reason when missing, but fail under CI=true, so a missing part never
passes as green.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def under_ci() -> bool:
    """True when running in CI, where a missing dependency must fail rather than skip."""
    return os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str) -> None:
    """Skip with a loud reason, or fail under CI=true."""
    if under_ci():
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(f"SKIPPED LOUDLY: {reason}")


# The official twitter-text conformance data: validate.yml and extract.yml from twitter-text's
# conformance/ folder, config-v3.json (its config/v3.json), read in place, never copied here.
CONFORMANCE_ENV = "HASHCHAT_CONFORMANCE_DIR"
CONFORMANCE_FILES = ("validate.yml", "extract.yml", "config-v3.json")
# The cases those files hold at the pinned commit (../shared/data/twitter-text/SOURCE.md):
# validate.yml 24 (the two weighting sections), extract.yml 220 (the sections we claim). Said when
# the files are absent; tests/test_conformance_data.py checks it against the files when present.
CONFORMANCE_CASES = 244


def conformance_dir() -> Path:
    """Where the twitter-text conformance files are: $HASHCHAT_CONFORMANCE_DIR, else
    ../shared/data/twitter-text beside the project."""
    chosen = os.environ.get(CONFORMANCE_ENV, "")
    if chosen:
        return Path(chosen).expanduser().resolve()
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "twitter-text"


def conformance_missing() -> str | None:
    """What is missing of the conformance data, in words, or None when every file is there."""
    folder = conformance_dir()
    absent = [name for name in CONFORMANCE_FILES if not (folder / name).is_file()]
    if not absent:
        return None
    where = f"${CONFORMANCE_ENV}={folder}" if os.environ.get(CONFORMANCE_ENV) else str(folder)
    what = "not found" if not folder.is_dir() else f"lacks {', '.join(absent)}"
    return (
        f"the twitter-text conformance data is absent: {where} {what} (set {CONFORMANCE_ENV} to a "
        f"folder holding {', '.join(CONFORMANCE_FILES)} from twitter-text; see the README, "
        f"'Conformance data')"
    )
