"""X's weighted length against twitter-text's own conformance cases and config (shared data).

validate.yml and config-v3.json are read in place from ../shared/data/twitter-text (or
$HASHCHAT_CONFORMANCE_DIR), as their README asks; one test per case, named by its description.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from ci_support import conformance_dir
from hashchat.domain.text import x_weight
from hashchat.domain.text.length import measure

pytestmark = pytest.mark.shared

_SECTIONS = ("WeightedTweetsWithDiscountedEmojiCounterTest", "UnicodeDirectionalMarkerCounterTest")


def _cases() -> list[Any]:
    """One pytest.param per case; a single placeholder when the shared data is absent."""
    path = conformance_dir() / "validate.yml"
    if not path.is_file():
        return [pytest.param(None, id="validate.yml-absent")]
    tests = yaml.safe_load(path.read_text(encoding="utf-8"))["tests"]
    return [
        pytest.param(case, id=f"{section}: {case['description']}")
        for section in _SECTIONS
        for case in tests[section]
    ]


@pytest.mark.parametrize("case", _cases())
def test_weighted_length_matches_twitter_text(twitter_text: Path, case: dict[str, Any]) -> None:
    assert case is not None, f"{twitter_text}/validate.yml is missing"
    result = measure(case["text"], "x")
    assert {
        "weightedLength": result.length,
        "valid": result.valid,
        "permillage": result.permillage,
        "displayRangeStart": result.display_range_start,
        "displayRangeEnd": result.display_range_end,
        "validRangeStart": result.valid_range_start,
        "validRangeEnd": result.valid_range_end,
    } == case["expected"]


def test_every_section_we_claim_is_in_the_file(twitter_text: Path) -> None:
    tests = yaml.safe_load((twitter_text / "validate.yml").read_text("utf-8"))
    assert all(tests["tests"][section] for section in _SECTIONS)


def test_constants_are_those_of_config_v3(twitter_text: Path) -> None:
    config = json.loads((twitter_text / "config-v3.json").read_text("utf-8"))
    assert config["version"] == 3
    assert config["emojiParsingEnabled"] is True
    assert config["maxWeightedTweetLength"] == x_weight.MAX_WEIGHTED_LENGTH
    assert config["scale"] == x_weight.SCALE
    assert config["defaultWeight"] == x_weight.DEFAULT_WEIGHT
    assert config["transformedURLLength"] == x_weight.TRANSFORMED_URL_LENGTH
    assert {(r["start"], r["end"]) for r in config["ranges"]} == set(x_weight.LIGHT_RANGES)
    assert {r["weight"] for r in config["ranges"]} == {x_weight.LIGHT_WEIGHT}
