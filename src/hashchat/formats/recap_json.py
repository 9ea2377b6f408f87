"""The recap as JSON: the transcript (answers nested under questions), the figures, a flat list.

Shape (`"format": "hashchat-recap"`, `"version": 1`): `chat` (tag, hosts, live window),
`figures`, `questions` (each with `answers`, each answer with its `replies`, recursively),
`conversation` (everything attributed to no question, nested the same way) and `posts`.

`posts` is flat and complete: every visible post appears, in time order, including the
hosts' question posts (`kind: "question"`) and reposts (`kind: "repost"`). A post with several
segments (`A1 & A2: …`, a long late comment) appears once per segment with the same `id`,
each with its own `question`, `part`, `segment_text`, `inferred` and `late`. Hidden posts
appear nowhere; `figures.hidden` says how many there were. Times are ISO 8601 UTC with `Z`.
"""

from __future__ import annotations

import json
from typing import Any

from hashchat.domain.recap import Entry, Figures, Transcript
from hashchat.formats.recap_common import flat_record, iso_utc

FORMAT_NAME = "hashchat-recap"
FORMAT_VERSION = 1


def recap_document(transcript: Transcript, *, tag: str = "") -> dict[str, Any]:
    """The recap as plain JSON-ready data (see the module docstring for its shape)."""
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "chat": {
            "tag": tag or None,
            "hosts": sorted(transcript.hosts),
            "started_at": iso_utc(transcript.window.started_at),
            "ended_at": iso_utc(transcript.window.ended_at),
        },
        "figures": _figures(transcript.figures),
        "questions": [
            {
                "number": thread.question.number,
                "text": thread.question.text,
                "asked_at": iso_utc(thread.question.asked_at),
                "answers": [_entry(entry) for entry in thread.answers],
            }
            for thread in transcript.questions
        ],
        "conversation": [_entry(entry) for entry in transcript.conversation],
        "posts": [flat_record(segment) for segment in transcript.segments],
    }


def render_json(transcript: Transcript, *, tag: str = "") -> str:
    """The recap as a JSON text, UTF-8 friendly (no \\u escapes for emoji or CJK)."""
    return json.dumps(recap_document(transcript, tag=tag), ensure_ascii=False, indent=2) + "\n"


def _entry(entry: Entry) -> dict[str, Any]:
    # Depth is bounded by MAX_REPLY_DEPTH in the transcript, so recursion here is safe
    post = entry.post
    return {
        "post_id": post.id,
        "author": post.author,
        "network": post.network,
        "created_at": iso_utc(post.created_at),
        "reply_to": post.reply_to,
        "url": post.url,
        "question": entry.attribution.question,
        "part": entry.attribution.part,
        "text": entry.text,
        "inferred": entry.inferred,
        "late": entry.late,
        "replies": [_entry(reply) for reply in entry.replies],
    }


def _figures(figures: Figures) -> dict[str, Any]:
    return {
        "posts": figures.posts,
        "participants": figures.participants,
        "answers": figures.answers,
        "late_answers": figures.late_answers,
        "inferred_answers": figures.inferred_answers,
        "reposts": figures.reposts,
        "hidden": figures.hidden,
        "first_post_at": iso_utc(figures.first_post_at),
        "last_post_at": iso_utc(figures.last_post_at),
        "per_question": [
            {
                "question": q.number,
                "answers": q.answers,
                "people": q.people,
                "replies": q.replies,
                "late": q.late,
                "inferred": q.inferred,
            }
            for q in figures.per_question
        ],
        "top_contributors": [
            {"author": c.author, "posts": c.posts, "is_host": c.is_host}
            for c in figures.top_contributors
        ],
        "networks": [{"network": n.network, "posts": n.posts} for n in figures.networks],
    }
