"""The text rules' fast paths give what the plain way of computing the same thing gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hashchat.domain.text import urls, x_weight
from hashchat.domain.text.emoji_sequences import EMOJI
from hashchat.domain.text.entities import extract_entities

_WEIGHT_PIECES = st.sampled_from(
    [
        "a",
        " ",
        "日本語の文",
        "한국",
        "😀",
        "👏🏽",
        "👨‍👩‍👧‍👦",
        "❤️",
        "✌🏿",
        "©",
        "®",
        "ª",
        "\u2026",
        "\u2013",
        "\u3030",
        "\ufe0f",
        "\U00020021",
        "\ud800",
        "\ufffe",
    ]
)
_NON_ASCII_TEXT = st.one_of(
    st.text(), st.lists(_WEIGHT_PIECES, min_size=1, max_size=30).map("".join)
).filter(lambda text: not text.isascii() and "\u20e3" not in text)


@settings(max_examples=400, deadline=None)
@given(text=_NON_ASCII_TEXT)
def test_one_scan_finds_what_the_three_separate_scans_find(text: str) -> None:
    plain_way = (
        len(x_weight._HEAVY.findall(text)),
        len(text.encode("utf-16-le", "surrogatepass")) // 2 - len(text),
        EMOJI.spans(text),
    )
    assert x_weight._heavy_astral_and_emoji(text) == plain_way


@given(text=st.one_of(st.text(), st.lists(_WEIGHT_PIECES).map("".join)))
def test_utf16_length_counts_code_units_even_with_lone_surrogates(text: str) -> None:
    assert x_weight.utf16_length(text) == len(text.encode("utf-16-le", "surrogatepass")) // 2


@settings(max_examples=300)
@given(text=st.text(alphabet="#&_ aZ09:/@.\n", max_size=40))
def test_hashtags_of_ascii_text_are_those_of_the_general_rule(text: str) -> None:
    # " é" makes the text non-ASCII, which takes the general path, and touches no hashtag.
    assert extract_entities(text).hashtags == extract_entities(text + " é").hashtags


@given(
    text=st.text(alphabet="ab. \t\n\u3000\u00a0\u2028", max_size=30),
    position=st.integers(min_value=0, max_value=30),
)
def test_last_space_before_a_position_is_the_backward_search(text: str, position: int) -> None:
    found = urls._LAST_SPACE.search(text, 0, position)
    assert urls._last_space_before(text, position) == (0 if found is None else found.start())


def test_ranges_without_cuts_code_points_out() -> None:
    assert x_weight._ranges_without([(0, 10), (20, 30)], [0, 5, 30]) == [
        (1, 4),
        (6, 10),
        (20, 29),
    ]
