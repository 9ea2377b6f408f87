"""The recap as JSON: the transcript (answers nested under questions), the figures, a flat list.

Shape (`"format": "hashchat-recap"`, `"version": 1`): `chat` (tag, hosts, live window),
`figures`, `questions` (each with `answers`, each answer with its `replies`, recursively),
`conversation` (everything attributed to no question, nested the same way) and `posts`.

`posts` is flat and complete: every visible post appears, in time order, including the
hosts' question posts (`kind: "question"`) and reposts (`kind: "repost"`). A post with several
segments (`A1 & A2: …`, a long late comment) appears once per segment with the same `id`,
each with its own `question`, `part`, `segment_text`, `inferred` and `late`. Entries of
`questions` and `conversation` carry `spotlight` (a host pinned the post in the room). Hidden posts
appear nowhere; `figures.hidden` says how many there were. Times are ISO 8601 UTC with `Z`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import cache, partial
from typing import Any, TypeVar

from hashchat.domain.recap import Entry, Figures, QuestionThread, Transcript
from hashchat.formats.recap_common import flat_record, iso_utc

FORMAT_NAME = "hashchat-recap"
FORMAT_VERSION = 1

T = TypeVar("T")


def recap_document(transcript: Transcript, *, tag: str = "") -> dict[str, Any]:
    """The recap as plain JSON-ready data (see the module docstring for its shape)."""
    pinned = transcript.spotlighted
    return {
        **_document_head(transcript, tag=tag),
        "questions": [
            {
                "number": thread.question.number,
                "text": thread.question.text,
                "asked_at": iso_utc(thread.question.asked_at),
                "answers": [_entry(entry, pinned) for entry in thread.answers],
            }
            for thread in transcript.questions
        ],
        "conversation": [_entry(entry, pinned) for entry in transcript.conversation],
        "posts": [flat_record(segment) for segment in transcript.segments],
    }


def render_json(transcript: Transcript, *, tag: str = "") -> str:
    """The recap as a JSON text, UTF-8 friendly (no \\u escapes for emoji or CJK).

    Exactly `json.dumps(recap_document(...), ensure_ascii=False, indent=2)` and a newline,
    written nearly twice as fast: `json.dumps` with `indent` falls back to its pure-Python
    encoder, so each record's plain fields go through the C encoder in one call instead,
    with separators that lay them out as `indent=2` would (see `_fields_text`). Pieces are
    joined once at the end: a big recap is over 100 MB of text.
    """
    head = _document_head(transcript, tag=tag)
    out = [
        "{\n  ",
        ",\n  ".join(f"{_key(key)}: {_indented(value, 1)}" for key, value in head.items()),
    ]
    out.append(',\n  "questions": ')
    write_entry = partial(_write_entry, spotlighted=transcript.spotlighted)
    _write_list(out, transcript.questions, 1, partial(_write_question, write_entry=write_entry))
    out.append(',\n  "conversation": ')
    _write_list(out, transcript.conversation, 1, write_entry)
    out.append(',\n  "posts": ')
    _write_list(out, transcript.segments, 1, _write_flat_record)
    out.append("\n}\n")
    return "".join(out)


def _document_head(transcript: Transcript, *, tag: str = "") -> dict[str, Any]:
    # the small part of the document: format, version, chat and figures
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
    }


def _indented(value: object, depth: int) -> str:
    """`value` as `json.dumps(indent=2)` writes it `depth` levels down (for small values)."""
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * depth)


def _key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


@cache
def _fields_encoder(depth: int) -> json.JSONEncoder:
    """A C encoder that separates an object's fields as `indent=2` does `depth` levels down."""
    return json.JSONEncoder(ensure_ascii=False, separators=(",\n" + "  " * depth, ": "))


def _fields_text(fields: dict[str, Any], depth: int) -> str:
    """The inside of an object of plain values (no non-empty list or object), one per line.

    The C encoder's separators put each field on its own line; the `_write_*` functions add
    the braces' lines around them. A separator cannot occur inside a value, where a newline
    is written `\\n`.
    """
    return _fields_encoder(depth + 1).encode(fields)[1:-1]


def _write_list(
    out: list[str], items: Sequence[T], depth: int, write_item: Callable[[list[str], T, int], None]
) -> None:
    """A list `depth` levels down, as `indent=2` writes it, each item by `write_item`."""
    if not items:
        out.append("[]")
        return
    indent = "  " * depth
    separator = ",\n  " + indent
    out.append("[" + separator[1:])
    for index, item in enumerate(items):
        if index:
            out.append(separator)
        write_item(out, item, depth + 1)
    out.append("\n" + indent + "]")


def _write_flat_record(out: list[str], segment: Entry, depth: int) -> None:
    indent = "  " * depth
    out.append("{\n  " + indent + _fields_text(flat_record(segment), depth) + "\n" + indent + "}")


def _write_question(
    out: list[str],
    thread: QuestionThread,
    depth: int,
    *,
    write_entry: Callable[[list[str], Entry, int], None],
) -> None:
    question = thread.question
    fields = {
        "number": question.number,
        "text": question.text,
        "asked_at": iso_utc(question.asked_at),
    }
    indent = "  " * depth
    out.append("{\n  " + indent + _fields_text(fields, depth) + f',\n  {indent}"answers": ')
    _write_list(out, thread.answers, depth + 1, write_entry)
    out.append("\n" + indent + "}")


def _write_entry(
    out: list[str], entry: Entry, depth: int, *, spotlighted: frozenset[str] = frozenset()
) -> None:
    # Depth is bounded by MAX_REPLY_DEPTH in the transcript, so recursion here is safe
    indent = "  " * depth
    fields = _fields_text(_entry_fields(entry, spotlighted), depth)
    out.append("{\n  " + indent + fields + f',\n  {indent}"replies": ')
    _write_list(out, entry.replies, depth + 1, partial(_write_entry, spotlighted=spotlighted))
    out.append("\n" + indent + "}")


def _entry(entry: Entry, spotlighted: frozenset[str]) -> dict[str, Any]:
    # Depth is bounded by MAX_REPLY_DEPTH in the transcript, so recursion here is safe
    replies = [_entry(reply, spotlighted) for reply in entry.replies]
    return _entry_fields(entry, spotlighted) | {"replies": replies}


def _entry_fields(entry: Entry, spotlighted: frozenset[str]) -> dict[str, Any]:
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
        "spotlight": entry.post.id in spotlighted,
    }


def _figures(figures: Figures) -> dict[str, Any]:
    return {
        "posts": figures.posts,
        "participants": figures.participants,
        "questions_asked": figures.questions_asked,
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
        "networks": [
            {"network": n.network, "posts": n.posts, "people": n.people} for n in figures.networks
        ],
    }
