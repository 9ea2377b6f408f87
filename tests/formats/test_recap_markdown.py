"""The Markdown recap: figures, a section per question, bullets, nesting, marks, escaping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hashchat.domain.chat import Post
from hashchat.domain.recap import Transcript, recap_chat
from hashchat.formats.recap_markdown import escape_markdown, render_markdown

START = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


def post(
    post_id: str,
    minute: float,
    text: str,
    author: str = "tom",
    reply_to: str | None = None,
    network: str = "x",
) -> Post:
    return Post(post_id, author, text, START + timedelta(minutes=minute), network, reply_to)


def chat() -> Transcript:
    posts = [
        post("welcome", 0, "Welcome to #KaizenBiz!", "kaizencoach"),
        post("hi", 1, "Hi from Leeds", reply_to="welcome"),
        post("q1", 6, "Q1 What paid off? #KaizenBiz", "kaizencoach"),
        post("q2", 15, "Q2 Where does time leak?", "kaizencoach"),
        post("a", 7, "A1 photos of every job #KaizenBiz", "tradie_tom"),
        post("r", 8, "smart", "pia", reply_to="a", network="mastodon"),
        post("rr", 9, "thanks!", "tradie_tom", reply_to="r"),
        post("guess", 10, "untagged but *in* the hour", "sam"),
        post("parts", 16, "A2a leaks\nA2b plugs", "lucy"),
        post("late", 60 * 14, "A1 <script>alert(1)</script> [x](javascript:y) | pipe", "nikora"),
        post("lines", 20, "A2 first line\n- not a list\n# not a heading\nlast", "jo"),
    ]
    return recap_chat(posts, frozenset({"kaizencoach"}))


def test_title_window_and_figures_table() -> None:
    text = render_markdown(chat(), tag="#KaizenBiz")
    assert text.startswith(
        "# #KaizenBiz recap, 2026-11-20\n\n"
        "Live 2026-11-20 17:06–18:06 UTC, hosted by @kaizencoach\n"
    )
    assert "| Posts (not counting reposts) | 11 |" in text
    assert "| Participants (not counting hosts) | 7 |" in text
    assert "| Late answers | 1 |" in text
    assert "| Q1 | 3 | 3 | 2 | 1 | 1 |" in text
    assert "| @kaizencoach (host) | 3 |" in text
    assert "| x | 10 |" in text


def test_a_section_per_question_with_nested_bullets() -> None:
    text = render_markdown(chat(), tag="#KaizenBiz")
    section = text.split("## Q1. What paid off?\n", 1)[1].split("\n## ", 1)[0]
    assert section.splitlines() == [
        "",
        "*Asked 17:06 · 3 answers from 3 people*",
        "",
        "- **@tradie_tom** · 17:07 · x — photos of every job",
        "  - **@pia** · 17:08 · mastodon — smart",
        "    - **@tradie_tom** · 17:09 · x — thanks!",
        "- **@sam** · 17:10 · x · *inferred* — untagged but \\*in\\* the hour",
        "- **@nikora** · 2026-11-21 07:00 · x · *late* — "
        "\\<script\\>alert(1)\\</script\\> \\[x\\](javascript:y) \\| pipe",
    ]


def test_parts_multiline_posts_and_conversation() -> None:
    text = render_markdown(chat(), tag="#KaizenBiz")
    assert (
        "- **@lucy** · 17:16 · x — **a)** leaks\n- **@lucy** · 17:16 · x — **b)** plugs\n" in text
    )
    assert "— first line  \n  \\- not a list  \n  \\# not a heading  \n  last\n" in text
    conversation = text.split("## Other conversation\n", 1)[1]
    assert conversation == (
        "\n- **@kaizencoach** · 17:00 · x — Welcome to #KaizenBiz!\n"
        "  - **@tom** · 17:01 · x — Hi from Leeds\n"
    )


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("dev_dario", "dev_dario"),
        ("_em_ and __strong__", "\\_em\\_ and \\_\\_strong\\_\\_"),
        ("a * b ` c \\ d", "a \\* b \\` c \\\\ d"),
        ("&amp; &#60; & fine", "\\&amp; \\&#60; & fine"),
        ("1. one\n2) two\n10.5 is a number", "1\\. one\n2\\) two\n10.5 is a number"),
        ("---\n===\n+ item", "\\---\n\\===\n\\+ item"),
        ("#KaizenBiz stays", "#KaizenBiz stays"),
        ("~~gone~~", "\\~\\~gone\\~\\~"),
    ],
)
def test_escape_markdown(text: str, escaped: str) -> None:
    assert escape_markdown(text) == escaped
