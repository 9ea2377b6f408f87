"""The JSON recap: nested transcript, figures, and a flat list where every post appears."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hashchat.domain.chat import Post
from hashchat.domain.recap import Transcript, recap_chat
from hashchat.formats.recap_json import recap_document, render_json

START = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


def post(post_id: str, minute: float, text: str, author: str = "tom", **fields: Any) -> Post:
    return Post(post_id, author, text, START + timedelta(minutes=minute), **fields)


def chat() -> Transcript:
    posts = [
        post("welcome", 0, "Welcome to #KaizenBiz", "kaizencoach"),
        post("q1", 6, "Q1 What paid off? #KaizenBiz", "kaizencoach"),
        post("q2", 15, "Q2 Where does time leak?", "kaizencoach"),
        post("a", 7, "A1 photos of every job 📸", network="mastodon"),
        post("r", 8, "smart", "pia", reply_to="a"),
        post("both", 17, "A1 & A2: a kiln schedule", "jo"),
        post("guess", 18, "untagged but in the hour", "sam"),
        post("late", 60 * 14, "A1 from a template\nA2 voice notes", "nikora", network="bluesky"),
        post("rt", 19, "RT @jo: A1 & A2", "ken", is_repost=True),
        post("spam", 20, "click https://bit.ly/x", "bot"),
    ]
    return recap_chat(posts, frozenset({"kaizencoach"}), hidden_ids=frozenset({"spam"}))


def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(render_json(chat(), tag="#KaizenBiz"))
    return loaded


def test_every_visible_post_is_in_the_flat_list_once_per_segment() -> None:
    posts = document()["posts"]
    assert [(p["id"], p["question"], p["kind"]) for p in posts] == [
        ("welcome", None, "conversation"),
        ("q1", 1, "question"),
        ("a", 1, "answer"),
        ("r", 1, "reply"),
        ("q2", 2, "question"),
        ("both", 1, "answer"),
        ("both", 2, "answer"),
        ("guess", 2, "answer"),
        ("rt", None, "repost"),
        ("late", 1, "answer"),
        ("late", 2, "answer"),
    ]


def test_the_late_answer_is_late_and_keeps_the_whole_post() -> None:
    late = [p for p in document()["posts"] if p["id"] == "late"]
    assert [(p["question"], p["late"], p["inferred"], p["segment_text"]) for p in late] == [
        (1, True, False, "from a template"),
        (2, True, False, "voice notes"),
    ]
    assert {p["text"] for p in late} == {"A1 from a template\nA2 voice notes"}
    assert late[0]["created_at"] == "2026-11-21T07:00:00Z"
    assert late[0]["network"] == "bluesky"
    assert late[0]["reply_to"] is None


def test_the_flat_list_carries_every_post_field() -> None:
    reply = next(p for p in document()["posts"] if p["id"] == "r")
    assert reply == {
        "id": "r",
        "author": "pia",
        "text": "smart",
        "created_at": "2026-11-20T17:08:00Z",
        "network": "hashchat",
        "reply_to": "a",
        "url": None,
        "is_repost": False,
        "kind": "reply",
        "question": 1,
        "part": None,
        "segment_text": "smart",
        "inferred": False,
        "late": False,
    }


def test_questions_hold_nested_answers() -> None:
    q1, q2 = document()["questions"]
    assert (q1["number"], q1["text"], q1["asked_at"]) == (
        1,
        "What paid off? #KaizenBiz",
        "2026-11-20T17:06:00Z",
    )
    assert [a["post_id"] for a in q1["answers"]] == ["a", "both", "late"]
    assert [r["post_id"] for r in q1["answers"][0]["replies"]] == ["r"]
    assert q1["answers"][0]["text"] == "photos of every job 📸"
    assert [(a["post_id"], a["inferred"]) for a in q2["answers"]] == [
        ("both", False),
        ("guess", True),
        ("late", False),
    ]
    assert [c["post_id"] for c in document()["conversation"]] == ["welcome"]


def test_figures_and_chat_header() -> None:
    doc = document()
    assert (doc["format"], doc["version"]) == ("hashchat-recap", 1)
    assert doc["chat"] == {
        "tag": "#KaizenBiz",
        "hosts": ["kaizencoach"],
        "started_at": "2026-11-20T17:06:00Z",
        "ended_at": "2026-11-20T18:06:00Z",
    }
    figures = doc["figures"]
    assert (figures["posts"], figures["participants"], figures["reposts"], figures["hidden"]) == (
        8,
        5,
        1,
        1,
    )
    assert (figures["answers"], figures["late_answers"], figures["inferred_answers"]) == (6, 2, 1)
    assert figures["per_question"][0] == {
        "question": 1,
        "answers": 3,
        "people": 3,
        "replies": 1,
        "late": 1,
        "inferred": 0,
    }
    assert figures["networks"][0] == {"network": "hashchat", "posts": 6, "people": 3}
    assert figures["last_post_at"] == "2026-11-21T07:00:00Z"


def test_text_is_written_as_utf8_not_escapes() -> None:
    assert "📸" in render_json(chat())


def test_render_is_exactly_json_dumps_with_indent_2() -> None:
    tricky = 'A1 {"a": [1]},\n      {"b"} \\ "quoted" }, { 日本語 🙌'
    posts = [
        post("q1", 6, "Q1 What paid off?", "kaizencoach"),
        post("a", 7, tricky),
        *[
            post(
                f"r{n}",
                7 + n / 10,
                f"}},\n    {{ reply {n}",
                reply_to=f"r{n - 1}" if n > 1 else "a",
            )
            for n in range(1, 6)
        ],
        post("c", 8, "hi {} [] \t", "ken"),
    ]
    transcript = recap_chat(posts, frozenset({"kaizencoach"}), started_at=START)
    for tag in ("#KaizenBiz", ""):
        expected = json.dumps(recap_document(transcript, tag=tag), ensure_ascii=False, indent=2)
        assert render_json(transcript, tag=tag) == expected + "\n"


def test_render_of_a_transcript_with_empty_sections_is_exact_too() -> None:
    transcript = recap_chat(
        [post("q1", 6, "Q1 Anyone?", "kaizencoach")], frozenset({"kaizencoach"})
    )
    assert transcript.conversation == ()
    assert transcript.questions[0].answers == ()
    expected = json.dumps(recap_document(transcript), ensure_ascii=False, indent=2) + "\n"
    assert render_json(transcript) == expected
