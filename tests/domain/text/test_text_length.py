"""Length per network: the rules of x, mastodon, bluesky and plain, limits and ranges."""

from __future__ import annotations

import dataclasses

import pytest

from hashchat.domain.text.length import (
    NETWORK_LIMITS,
    Measurement,
    UnknownNetworkError,
    measure,
    over_byte_limit,
)
from hashchat.domain.text.x_weight import utf16_length


def test_default_limits() -> None:
    assert dict(NETWORK_LIMITS) == {"x": 280, "mastodon": 500, "bluesky": 300, "plain": 500}


def test_measurement_is_a_frozen_value() -> None:
    result = measure("hello", "x")
    assert isinstance(result, Measurement)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.length = 3  # type: ignore[misc]


def test_x_weighs_cjk_and_emoji_double_and_urls_23() -> None:
    result = measure("A1: 日本 👍🏽 https://example.com/a/very/long/path/indeed #KaizenBiz", "x")
    # "A1: " 4 + 日本 4 + " " + emoji 2 + " " + URL 23 + " #KaizenBiz" 11
    assert result.length == 4 + 4 + 1 + 2 + 1 + 23 + 11
    assert result.valid


def test_x_empty_text_is_not_valid() -> None:
    result = measure("", "x")
    assert (result.length, result.valid, result.valid_range_end, result.display_range_end) == (
        0,
        False,
        0,
        0,
    )


def test_x_with_a_series_limit_of_140() -> None:
    text = "x" * 141
    result = measure(text, "x", limit=140)
    assert (result.length, result.limit, result.valid, result.permillage) == (141, 140, False, 1007)
    assert result.valid_range_end == 139
    assert measure(text, "x").valid


def test_x_overflow_inside_cjk_ends_the_valid_range_at_the_last_fitting_character() -> None:
    result = measure("ab日本語", "x", limit=5)
    # a=1 b=1 日=2 (4) 本=2 (6 > 5): the valid part is "ab日", UTF-16 index 2
    assert (result.length, result.valid_range_end, result.display_range_end) == (8, 2, 4)


def test_x_ranges_count_utf16_code_units() -> None:
    result = measure("😀😀", "x", limit=2)
    assert (result.length, result.valid_range_end, result.display_range_end) == (4, 1, 3)


def test_mastodon_counts_urls_23_and_remote_mentions_without_their_domain() -> None:
    text = "@jen@mastodon.social see https://example.com/" + "p" * 60
    assert measure(text, "mastodon").length == len("@jen") + len(" see ") + 23


def test_mastodon_counts_graphemes_and_keeps_bare_domains_as_text() -> None:
    text = "👨‍👩‍👧‍👦 é example.com"
    # family emoji 1, space, é 1 (two code points), space, the domain as plain text
    assert measure(text, "mastodon").length == 1 + 1 + 1 + 1 + len("example.com")


def test_mastodon_overflow_range() -> None:
    result = measure("https://example.com " + "ab", "mastodon", limit=24)
    assert (result.length, result.valid) == (23 + 1 + 2, False)
    assert result.valid_range_end == len("https://example.com ") - 1


def test_bluesky_counts_graphemes_without_url_discount() -> None:
    url = "https://example.com/" + "p" * 50
    assert measure(url, "bluesky").length == len(url)
    assert measure("e\u0301👍🏽🇯🇵", "bluesky").length == 3
    assert measure("line\r\nline", "bluesky").length == 9


def test_bluesky_limit_and_ranges() -> None:
    result = measure("a" * 301, "bluesky")
    assert (result.limit, result.valid, result.valid_range_end, result.display_range_end) == (
        300,
        False,
        299,
        300,
    )


def test_plain_counts_graphemes() -> None:
    assert measure("日本 #tag", "plain") == Measurement("plain", 7, 500, True, 14, 0, 6, 0, 6)


def test_unknown_network_names_the_known_ones() -> None:
    with pytest.raises(UnknownNetworkError, match="x, mastodon, bluesky, plain"):
        measure("hi", "myspace")


@pytest.mark.parametrize("limit", [0, -5])
def test_a_limit_below_one_is_refused(limit: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        measure("hi", "x", limit=limit)


@pytest.mark.parametrize("network", sorted(NETWORK_LIMITS))
def test_lone_surrogates_and_empty_text_never_raise(network: str) -> None:
    assert measure("\ud800 a \udfff", network).length > 0
    assert measure("", network).valid is False


def test_bluesky_also_limits_utf8_bytes() -> None:
    family = "👨‍👩‍👧‍👦"  # one grapheme, 25 bytes
    assert measure(family * 120, "bluesky").valid
    over = measure(family * 121, "bluesky")
    assert (over.length, over.valid) == (121, False)
    assert over.valid_range_end == utf16_length(family * 120) - 1  # what fits both limits
    stacked = "e" + "\u0301" * 5  # 11 bytes
    assert not measure(stacked * 300, "bluesky").valid
    assert measure(stacked * 300, "plain").valid  # the byte limit is Bluesky's alone
    assert measure(stacked * 300, "mastodon").valid
    assert not measure("a" * 3001, "bluesky", limit=5000).valid  # a series' limit keeps it
    assert over_byte_limit(family * 121, "bluesky") == 3025
    assert over_byte_limit(family * 121, "mastodon") is None
    assert measure("\ud800" * 1001, "bluesky").valid is False  # lone surrogates: no exception
