"""Properties of answer-tag parsing over arbitrary text: total, bounded, honest, repeatable."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hashchat.domain.text.answers import first_question_tag, parse_answers

# Text made mostly of the characters tags are built from, so the interesting paths run often.
tag_heavy_text = st.text(alphabet="AaQqTtCD0123456789１：:&,/ .!?\n\t@#-)•🔥é", max_size=80)
any_text = st.one_of(st.text(), tag_heavy_text)


@given(any_text)
def test_parse_answers_never_raises_and_stays_in_bounds(text: str) -> None:
    for segment in parse_answers(text):
        assert 1 <= segment.question <= 99
        assert segment.kind in {"A", "Q", "T"}
        assert segment.part is None or (len(segment.part) == 1 and segment.part in "abcdefgh")


@given(any_text)
def test_segment_texts_come_from_the_input(text: str) -> None:
    for segment in parse_answers(text):
        assert segment.text
        assert segment.text == segment.text.strip()
        assert segment.text in text


@given(any_text)
def test_parsing_is_deterministic(text: str) -> None:
    assert parse_answers(text) == parse_answers(text)
    assert first_question_tag(text) == first_question_tag(text)


@given(any_text)
def test_question_tag_is_a_question_segment(text: str) -> None:
    number = first_question_tag(text)
    if number is not None:
        assert 1 <= number <= 99


@given(
    letter=st.sampled_from("AaQqTt"),
    number=st.integers(min_value=1, max_value=99),
    separator=st.sampled_from([" ", ": ", ":", " - ", ") ", ". ", "\n"]),
    body=st.text(alphabet="bcdefghijklmnopqrsuvwxyz ,", min_size=1, max_size=40).filter(
        lambda body: body.strip() != "" and body[0] not in " ,"
    ),
)
def test_a_well_formed_tag_is_always_read(
    letter: str, number: int, separator: str, body: str
) -> None:
    segments = parse_answers(f"{letter}{number}{separator}{body}")
    assert [(s.question, s.kind, s.text) for s in segments] == [
        (number, letter.upper(), body.strip())
    ]
