"""Where the twitter-text conformance data is looked for, and what a run says without it: the
cases skip loudly with their count, fail under CI=true, and HASHCHAT_CONFORMANCE_DIR moves them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ci_support import CONFORMANCE_CASES, CONFORMANCE_ENV, CONFORMANCE_FILES

PROJECT = Path(__file__).resolve().parent.parent
CONFORMANCE_TESTS = (
    "tests/domain/text/test_text_x_weight.py",
    "tests/domain/text/test_text_entities.py",
)


def _pytest(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", *args],
        cwd=PROJECT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_absent_data_skips_loudly_with_the_count(tmp_path: Path) -> None:
    run = _pytest("-q", CONFORMANCE_TESTS[0], **{CONFORMANCE_ENV: str(tmp_path / "nowhere")})
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{CONFORMANCE_CASES} twitter-text conformance cases skipped" in run.stdout
    assert f"${CONFORMANCE_ENV}={tmp_path / 'nowhere'} not found" in run.stdout
    assert f"set {CONFORMANCE_ENV}" in run.stdout


def test_absent_data_fails_under_ci_naming_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "config-v3.json").write_text("{}", encoding="utf-8")
    run = _pytest("-q", CONFORMANCE_TESTS[0], CI="true", **{CONFORMANCE_ENV: str(tmp_path)})
    assert run.returncode == 1, run.stdout + run.stderr
    assert "CI=true and the twitter-text conformance data is absent" in run.stdout
    assert f"{tmp_path} lacks validate.yml, extract.yml" in run.stdout
    assert f"{CONFORMANCE_CASES} twitter-text conformance cases FAILED" in run.stdout


@pytest.mark.shared
def test_the_directory_named_by_the_variable_is_read_and_holds_the_count(
    twitter_text: Path, tmp_path: Path
) -> None:
    for name in CONFORMANCE_FILES:
        (tmp_path / name).symlink_to(twitter_text / name)
    run = _pytest("--collect-only", "-q", *CONFORMANCE_TESTS, **{CONFORMANCE_ENV: str(tmp_path)})
    assert run.returncode == 0, run.stdout + run.stderr
    cases = [
        line
        for line in run.stdout.splitlines()
        if "::test_weighted_length_matches_twitter_text[" in line
        or "::test_extract_matches_twitter_text[" in line
    ]
    assert len(cases) == CONFORMANCE_CASES
