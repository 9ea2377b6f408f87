"""analyze_post: the shared pass equals measure + extract_entities where the rules are subtle."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from hashchat.domain.text.analysis import PostAnalysis, analyze_post
from hashchat.domain.text.entities import extract_entities
from hashchat.domain.text.length import NETWORK_LIMITS, UnknownNetworkError, measure

_NETWORKS = sorted(NETWORK_LIMITS)
# Pieces where URLs, emoji, entities and weights meet; joined in any order by hypothesis.
_PIECES = st.sampled_from(
    [
        "a",
        " ",
        "\n",
        "日本語",
        "😀",
        "👏🏽",
        "❤️",
        "1⃣",
        "©",
        "e\u0301",
        "\ufeff",
        "…",
        "\U00020021",
        "https://example.com/#top",
        "http://t.co/abc?x=1",
        "example.co.uk/path",
        "münchen.de",
        "#tag",
        "＃タグ",
        "@user",
        "RT:@user",
        "@user/list",
        "$AAPL",
        "A1: ",
        ". ",
        "x" * 40,
    ]
)


def _separately(text: str, network: str = "x", limit: int | None = None) -> PostAnalysis:
    return PostAnalysis(measure(text, network, limit), extract_entities(text))


def _conformance_texts(folder: Path) -> list[str]:
    texts: list[str] = []
    for name in ("extract.yml", "validate.yml"):
        sections = yaml.safe_load((folder / name).read_text(encoding="utf-8"))["tests"]
        texts += [case["text"] for cases in sections.values() for case in cases if "text" in case]
    return [text for text in texts if isinstance(text, str)]


@pytest.mark.shared
def test_equals_measure_and_extract_entities_on_the_conformance_texts(twitter_text: Path) -> None:
    texts = _conformance_texts(twitter_text)
    assert len(texts) > 300  # both files read: 335 texts in the version of 2026
    for text in texts:
        for network in _NETWORKS:
            assert analyze_post(text, network) == _separately(text, network), (network, text)
        assert analyze_post(text, "x", 9) == _separately(text, "x", 9), text


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(st.text(), st.lists(_PIECES, max_size=40).map("".join)),
    network=st.sampled_from(_NETWORKS),
    limit=st.sampled_from([None, 280, 140, 9, 1]),
)
def test_equals_measure_and_extract_entities_on_any_text(
    text: str, network: str, limit: int | None
) -> None:
    assert analyze_post(text, network, limit) == _separately(text, network, limit)


def test_a_chat_post_with_a_link() -> None:
    analysis = analyze_post("A1: our notes at https://example.com/notes 👍 #KaizenBiz")
    assert analysis.measurement.length == 4 + 13 + 23 + 1 + 2 + 11
    assert [url.text for url in analysis.entities.urls] == ["https://example.com/notes"]
    assert [tag.text for tag in analysis.entities.hashtags] == ["KaizenBiz"]


def test_is_a_frozen_value() -> None:
    analysis = analyze_post("hello")
    with pytest.raises(dataclasses.FrozenInstanceError):
        analysis.measurement = measure("bye")  # type: ignore[misc]


def test_refuses_an_unknown_network_and_a_limit_below_one() -> None:
    with pytest.raises(UnknownNetworkError, match="known networks"):
        analyze_post("hello", "myspace")
    with pytest.raises(ValueError, match="positive"):
        analyze_post("hello", "x", 0)
