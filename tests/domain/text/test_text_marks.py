"""Combining marks per grapheme: counted over every Mn and Me mark, refused above the cap."""

from __future__ import annotations

import sys
import unicodedata

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from hashchat.domain.text.marks import (
    MAX_MARKS_PER_GRAPHEME,
    most_marks_on_one_grapheme,
    stacked_marks_refusal,
)

# Every nonspacing and enclosing mark, in every plane (by the regex module's Unicode version,
# newer than Python's unicodedata).
_IS_MARK = regex.compile(r"[\p{Mn}\p{Me}]")
MARKS = [chr(code) for code in range(0x300, sys.maxunicode + 1) if _IS_MARK.match(chr(code))]


def test_every_mark_extends_its_grapheme() -> None:
    assert len(MARKS) > 1900
    assert all(most_marks_on_one_grapheme("a" + mark) == 1 for mark in MARKS)


@pytest.mark.parametrize(
    "text",
    [
        "plain ASCII",
        "e\u0301 Tiếng Việt",
        unicodedata.normalize("NFD", "Tiếng Việt ấ ặ"),
        unicodedata.normalize("NFD", "בְּרֵאשִׁ֖ית"),
        "བསྒྲུབས ཧཱུྃ",
        "र्त्स्न्य क्ष्म्य",
        "🏳️‍⚧️ 1️⃣ 👨‍👩‍👧‍👦 👍🏽 🇯🇵",
    ],
)
def test_real_writing_stays_under_the_cap(text: str) -> None:
    assert most_marks_on_one_grapheme(text) <= 4
    assert stacked_marks_refusal(text) is None


@given(
    st.lists(st.sampled_from(MARKS), min_size=1, max_size=40),
    st.sampled_from(["a", "Z", "ж", "ق", "漢", " "]),
)
def test_any_marks_count_on_their_grapheme(marks: list[str], base: str) -> None:
    text = "x " + base + "".join(marks) + " y"
    assert most_marks_on_one_grapheme(text) == len(marks)
    refused = stacked_marks_refusal(text)
    assert (refused is None) == (len(marks) <= MAX_MARKS_PER_GRAPHEME)


def test_marks_spread_over_graphemes_are_fine() -> None:
    text = ("a" + "\u0301" * MAX_MARKS_PER_GRAPHEME) * 100
    assert most_marks_on_one_grapheme(text) == MAX_MARKS_PER_GRAPHEME
    assert stacked_marks_refusal(text) is None


def test_a_joiner_inside_the_stack_does_not_hide_it() -> None:
    text = "a" + "\u0300" * 5 + "\u200d" + "\u0301" * 5
    assert stacked_marks_refusal(text) == (
        "one character of the post carries 10 combining marks; at most 8 are allowed on one "
        "character"
    )
