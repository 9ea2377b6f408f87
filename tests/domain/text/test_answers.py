"""Answer tags as people actually write them, and the look-alikes that must not count."""

from __future__ import annotations

import pytest

from hashchat.domain.text.answers import (
    AnswerSegment,
    answer_tags,
    first_question_tag,
    parse_answers,
)

# (text, expected segments as (question, part, text, kind))
Expected = list[tuple[int, str | None, str, str]]

CASES: list[tuple[str, Expected]] = [
    # separators
    ("A1 text", [(1, None, "text", "A")]),
    ("A1: text", [(1, None, "text", "A")]),
    ("A1 - text", [(1, None, "text", "A")]),
    ("A1 – text", [(1, None, "text", "A")]),
    ("A1- text", [(1, None, "text", "A")]),
    ("A1 -text", [(1, None, "text", "A")]),
    ("A1) text", [(1, None, "text", "A")]),
    ("A1. text", [(1, None, "text", "A")]),
    ("A1:text", [(1, None, "text", "A")]),
    ("A1 : text", [(1, None, "text", "A")]),
    ("A1)text", [(1, None, "text", "A")]),
    ("A1:\ntext on the next line", [(1, None, "text on the next line", "A")]),
    ("a1 text", [(1, None, "text", "A")]),
    ("a1: lower case", [(1, None, "lower case", "A")]),
    ("  A4 leading spaces", [(4, None, "leading spaces", "A")]),
    ("A1: answer #KaizenBiz", [(1, None, "answer #KaizenBiz", "A")]),
    # numbers
    ("A10 ten", [(10, None, "ten", "A")]),
    ("A99: last", [(99, None, "last", "A")]),
    ("A100 too big", []),
    ("A0 zero", []),
    ("A01 leading zero", []),
    # sub-parts
    ("A2a answer", [(2, "a", "answer", "A")]),
    ("A2A answer", [(2, "a", "answer", "A")]),
    ("A2b: second part", [(2, "b", "second part", "A")]),
    ("A2a: x A2b: y", [(2, "a", "x", "A"), (2, "b", "y", "A")]),
    ("A2a) x\nA2b) y", [(2, "a", "x", "A"), (2, "b", "y", "A")]),
    ("A1C: 6.5 with a separator is a part", [(1, "c", "6.5 with a separator is a part", "A")]),
    # mentions, hashtags and retweets before the tag
    ("@host A3: mention first", [(3, None, "mention first", "A")]),
    ("@host @other A3: two mentions", [(3, None, "two mentions", "A")]),
    (".@host A3 dot mention", [(3, None, "dot mention", "A")]),
    ("@alice@mastodon.social A2 fediverse", [(2, None, "fediverse", "A")]),
    ("@bob.bsky.social A5 - bluesky", [(5, None, "bluesky", "A")]),
    ("#KaizenBiz A1 hashtag first", [(1, None, "hashtag first", "A")]),
    ("RT @x: A3 someone else's answer", []),
    ("rt @x A3 lower-case retweet", []),
    ("MT @x: A3 modified tweet", []),
    # other tag letters
    ("Q2 Strip till it hurts", [(2, None, "Strip till it hurts", "Q")]),
    ("q2: lower q", [(2, None, "lower q", "Q")]),
    ("T1 topic chat", [(1, None, "topic chat", "T")]),
    ("T2: another topic", [(2, None, "another topic", "T")]),
    ("Welcome everyone! Q1 comes at :06", []),
    ("Love this. Q3 is my favourite", []),
    ("Love this. A3 is my favourite", [(3, None, "is my favourite", "A")]),
    ("Q1 blah. Q2 more", [(1, None, "blah.", "Q"), (2, None, "more", "Q")]),
    # several answers in one post
    ("A1 & A2: both", [(1, None, "both", "A"), (2, None, "both", "A")]),
    ("A1&A2 tight", [(1, None, "tight", "A"), (2, None, "tight", "A")]),
    ("A1 &amp; A2: escaped", [(1, None, "escaped", "A"), (2, None, "escaped", "A")]),
    ("A1/A2 slash", [(1, None, "slash", "A"), (2, None, "slash", "A")]),
    ("A1, A2: comma", [(1, None, "comma", "A"), (2, None, "comma", "A")]),
    ("A1 and A2: word", [(1, None, "word", "A"), (2, None, "word", "A")]),
    (
        "A1, A2 & A3: three",
        [(1, None, "three", "A"), (2, None, "three", "A"), (3, None, "three", "A")],
    ),
    ("A1 & A1: repeated tag once", [(1, None, "repeated tag once", "A")]),
    # long comments with several segments
    (
        "A1 blah. A2 more blah\nA3: third",
        [(1, None, "blah.", "A"), (2, None, "more blah", "A"), (3, None, "third", "A")],
    ),
    ("A1: yes A2: no", [(1, None, "yes", "A"), (2, None, "no", "A")]),
    (
        "A1 first! A2 second? A4 fourth",
        [(1, None, "first!", "A"), (2, None, "second?", "A"), (4, None, "fourth", "A")],
    ),
    (
        "Q1 What is X? A1 X is Y. Q2 Why? A2 Because.",
        [(1, None, "X is Y.", "A"), (2, None, "Because.", "A")],
    ),
    (
        "Q1 How do you plan?\nA1 Lists.\nQ2 And review?\nA2 Fridays.",
        [(1, None, "Lists.", "A"), (2, None, "Fridays.", "A")],
    ),
    (
        "Q2 Strip till it hurts. A3 and then rebuild",
        [(2, None, "Strip till it hurts.", "Q"), (3, None, "and then rebuild", "A")],
    ),
    ('He said "go." A2 we went', [(2, None, "we went", "A")]),
    ("Late, sorry! @host A1 one. @host A2 two", [(1, None, "one.", "A"), (2, None, "two", "A")]),
    ("- A1 bullet\n- A2 bullet", [(1, None, "bullet", "A"), (2, None, "bullet", "A")]),
    ("• A1 dot\n• A2 dot", [(1, None, "dot", "A"), (2, None, "dot", "A")]),
    ("🔥A1 fire", [(1, None, "fire", "A")]),
    ("A1 great 🔥 A2 more", [(1, None, "great 🔥", "A"), (2, None, "more", "A")]),
    ("A1 windows\r\nA2 line ends", [(1, None, "windows", "A"), (2, None, "line ends", "A")]),
    ("A1: tab\tA2: separated", [(1, None, "tab", "A"), (2, None, "separated", "A")]),
    ("1. A1 numbered list", [(1, None, "numbered list", "A")]),
    ("A3 & T4 mixed letters", [(3, None, "mixed letters", "A"), (4, None, "mixed letters", "T")]),
    ("A1 see https://example.com/A2 now", [(1, None, "see https://example.com/A2 now", "A")]),
    (
        "@a@very.long.instance.example @b@another.example A2: fediverse",
        [(2, None, "fediverse", "A")],
    ),
    ("答えです。A1 日本語", [(1, None, "日本語", "A")]),
    ("Ａ１：全角", [(1, None, "全角", "A")]),
    ("Ａ２ｂ： fullwidth part", [(2, "b", "fullwidth part", "A")]),
    # look-alikes that are not tags
    ("my A1C result was fine", []),
    ("A1C result was fine", []),
    ("a1c levels matter", []),
    ("T2D is hard to manage", []),
    ("T1D since childhood", []),
    ("T1-weighted scans", []),
    ("In Q1 earnings were up 5%", []),
    ("Our Q1: earnings were up", []),
    ("SPA1 treatment", []),
    ("TA1: code", []),
    ("#A1 is a hashtag", []),
    ("see https://example.com/A1/page", []),
    ("A1.5 million people", []),
    ("A1", []),
    ("A1:", []),
    ("A1 & A2", []),
    ("A2ab two letters", []),
    ("A1 ok. I loved the A2 moment", [(1, None, "ok. I loved the A2 moment", "A")]),
    ("no tags here at all", []),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_parse_answers(text: str, expected: Expected) -> None:
    segments = parse_answers(text)
    assert [(s.question, s.part, s.text, s.kind) for s in segments] == expected


def test_table_covers_enough_cases() -> None:
    assert len(CASES) >= 60


def test_segments_are_values() -> None:
    (segment,) = parse_answers("A1 text")
    assert segment == AnswerSegment(question=1, part=None, text="text", kind="A")


def test_answer_tags_are_the_same_segments_as_tuples() -> None:
    text = "A2a: x A2b: y\nQ3 z"
    assert answer_tags(text) == [(s.question, s.part, s.text, s.kind) for s in parse_answers(text)]


def test_a_long_comment_answering_every_question_keeps_each_answer() -> None:
    comment = "\n".join(f"A{number}: answer number {number}." for number in range(1, 100))
    segments = parse_answers(comment)
    assert [(s.question, s.text) for s in segments] == [
        (number, f"answer number {number}.") for number in range(1, 100)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Q1 What keeps you up at night?", 1),
        ("Q1: What…", 1),
        ("Q12) twelve", 12),
        ("📣 Q3 Over to you", 3),
        ("@everyone Q2 - next one", 2),
        ("#KaizenBiz Q4 hashtag first", 4),
        ("Welcome everyone! Q1 comes in 5 minutes", None),
        ("A1 an answer", None),
        ("T1 a topic", None),
        ("Q1", None),
        ("In Q1 earnings were up", None),
        ("", None),
    ],
)
def test_first_question_tag(text: str, expected: int | None) -> None:
    assert first_question_tag(text) == expected
