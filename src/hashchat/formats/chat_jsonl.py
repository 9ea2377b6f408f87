"""A whole chat as JSON Lines: what `hashchat export CHAT_ID --format jsonl` writes and
`hashchat import jsonl` reads back on this server or another one.

The first line is the chat: `{"type": "chat", "format": "hashchat-chat", "version": 1,
"source": <the exporting server's base URL>, "id": <its chat id>, "series": <tag>, "title",
"topic" (when the chat has one), "starts_at", "duration_minutes", "cadence", "state",
"started_at", "ended_at", "closed_at", "comments_close_at", "questions": [{"number", "text",
"asked_at"}]}`. Then one line per post, oldest first, hidden ones included: `id` (its number
in this file) and `reply_to` (its parent's), which is all `hashchat recap FILE` needs (it skips
the header line), then the post's external identity `network`, `source`, `external_id`, its
`author` handle and `display_name`, `text`, `created_at`, `url`, the parent's identity
(`reply_to_network`, `reply_to_source`, `reply_to_external_id`), `is_repost`, `is_host`,
`question` and `part` (its attribution when exported; the importer attributes again by the
same rules), `hidden`, `spotlight` and `edited_at`. Times are ISO 8601 UTC with `Z`.

Reading streams the file line by line; every error names the line. Unknown fields are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from hashchat.actions.context import AppContext
from hashchat.actions.export import ExportedPost, chat_header, exported_posts
from hashchat.actions.ingest import IngestCounts, do_import_chat
from hashchat.actions.views import UserView
from hashchat.domain.ingest import ForeignChat, ForeignPost, ForeignQuestion, Network
from hashchat.formats.posts_jsonl import format_utc_time, parse_utc_time

FORMAT = "hashchat-chat"
VERSION = 1


class ChatFileError(ValueError):
    """A line of a chat file that cannot be read; `line` is 1-based."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else format_utc_time(moment)


def header_record(chat: ForeignChat) -> dict[str, Any]:
    """The header line's object."""
    record: dict[str, Any] = {
        "type": "chat",
        "format": FORMAT,
        "version": VERSION,
        "source": chat.source,
        "id": chat.external_id,
        "series": chat.series_tag,
        "title": chat.title,
    }
    if chat.topic:
        record["topic"] = chat.topic
    record.update(
        {
            "starts_at": format_utc_time(chat.starts_at),
            "duration_minutes": chat.duration_minutes,
            "cadence": chat.cadence,
            "state": chat.state,
            "started_at": _time(chat.started_at),
            "ended_at": _time(chat.ended_at),
            "closed_at": _time(chat.closed_at),
            "comments_close_at": _time(chat.comments_close_at),
            "questions": [
                {"number": q.number, "text": q.text, "asked_at": _time(q.asked_at)}
                for q in chat.questions
            ],
        }
    )
    return record


def post_record(exported: ExportedPost) -> dict[str, Any]:
    """A post line's object."""
    post = exported.post
    return {
        "id": exported.line_id,
        "reply_to": exported.reply_line_id,
        "network": post.network.value,
        "source": post.source,
        "external_id": post.external_id,
        "author": post.author_handle,
        "display_name": post.display_name,
        "text": post.text,
        "created_at": format_utc_time(post.created_at),
        "url": post.url,
        "reply_to_network": None if post.reply_to_network is None else post.reply_to_network.value,
        "reply_to_source": post.reply_to_source,
        "reply_to_external_id": post.reply_to,
        "is_repost": post.repost_of is not None,
        "is_host": bool(post.by_host),
        "question": exported.question,
        "part": exported.part,
        "hidden": post.hidden,
        "spotlight": post.spotlight,
        "edited_at": _time(post.edited_at),
    }


def _line(record: Mapping[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def write_chat_jsonl(chat: ForeignChat, posts: Iterable[ExportedPost], out: IO[str]) -> int:
    """Write the header and the posts to `out`; returns how many posts were written."""
    out.write(_line(header_record(chat)))
    count = 0
    for exported in posts:
        out.write(_line(post_record(exported)))
        count += 1
    return count


def export_chat_jsonl(ctx: AppContext, chat_id: int, out: IO[str]) -> int:
    """Export a stored chat to `out` (streamed in batches); 404 when unknown."""
    return write_chat_jsonl(chat_header(ctx, chat_id), exported_posts(ctx, chat_id), out)


# Reading


def _object(raw: bytes, number: int) -> dict[str, Any]:
    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        record = json.loads(raw)
    except UnicodeDecodeError as error:
        raise ChatFileError(number, f"is not valid UTF-8 (byte {error.start + 1})") from None
    except json.JSONDecodeError as error:
        raise ChatFileError(
            number, f"is not valid JSON: {error.msg} (column {error.colno})"
        ) from None
    except RecursionError:
        raise ChatFileError(number, "is nested too deeply") from None
    if not isinstance(record, dict):
        raise ChatFileError(number, f"is not a JSON object but {type(record).__name__}")
    return record


def _string(record: Mapping[str, Any], field: str, number: int, *, required: bool = True) -> str:
    value = record.get(field)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        problem = "is missing" if value is None else "must be a non-empty string"
        raise ChatFileError(number, f'"{field}" {problem}')
    return value


def _optional(record: Mapping[str, Any], field: str, number: int) -> str | None:
    value = record.get(field)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ChatFileError(number, f'"{field}" must be a string')
    return value


def _when(record: Mapping[str, Any], field: str, number: int, *, required: bool) -> datetime | None:
    value = record.get(field)
    if value is None:
        if required:
            raise ChatFileError(number, f'"{field}" is missing')
        return None
    if not isinstance(value, str):
        raise ChatFileError(number, f'"{field}" must be an ISO 8601 time')
    try:
        return parse_utc_time(value)
    except ValueError as error:
        raise ChatFileError(number, f'"{field}" {error}') from None


def _flag(record: Mapping[str, Any], field: str, number: int) -> bool:
    value = record.get(field, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ChatFileError(number, f'"{field}" must be true or false')
    return value


def _integer(record: Mapping[str, Any], field: str, number: int) -> int:
    value = record.get(field)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ChatFileError(number, f'"{field}" must be an integer')
    return value


def _network(value: str, field: str, number: int) -> Network:
    try:
        return Network(value)
    except ValueError:
        known = ", ".join(n.value for n in Network)
        raise ChatFileError(number, f'"{field}" {value!r} is not one of {known}') from None


def parse_header(record: Mapping[str, Any], number: int = 1) -> ForeignChat:
    """The chat of a header line's object."""
    if record.get("type") != "chat":
        raise ChatFileError(number, 'the first line must be the chat header {"type": "chat", …}')
    version = record.get("version", VERSION)
    if version != VERSION:
        raise ChatFileError(number, f"version {version!r} is not one this server reads ({VERSION})")
    raw_questions = record.get("questions", [])
    if not isinstance(raw_questions, list):
        raise ChatFileError(number, '"questions" must be a list')
    questions = []
    for index, raw in enumerate(raw_questions, start=1):
        if not isinstance(raw, dict):
            raise ChatFileError(number, f"question {index} must be an object")
        questions.append(
            ForeignQuestion(
                number=_integer(raw, "number", number),
                text=_string(raw, "text", number),
                asked_at=_when(raw, "asked_at", number, required=False),
            )
        )
    cadence = record.get("cadence")
    return ForeignChat(
        series_tag=_string(record, "series", number),
        title=_string(record, "title", number),
        starts_at=_when(record, "starts_at", number, required=True),  # type: ignore[arg-type]
        duration_minutes=_integer(record, "duration_minutes", number),
        state=_string(record, "state", number),
        questions=tuple(questions),
        started_at=_when(record, "started_at", number, required=False),
        ended_at=_when(record, "ended_at", number, required=False),
        closed_at=_when(record, "closed_at", number, required=False),
        comments_close_at=_when(record, "comments_close_at", number, required=False),
        cadence=cadence if isinstance(cadence, str) else None,
        source=_optional(record, "source", number),
        external_id=_optional(record, "id", number),
        topic=_string(record, "topic", number, required=False),
    )


def parse_post(record: Mapping[str, Any], number: int) -> ForeignPost:
    """The post of a post line's object."""
    reply_network = _optional(record, "reply_to_network", number)
    return ForeignPost(
        network=_network(_string(record, "network", number), "network", number),
        source=_string(record, "source", number),
        external_id=_optional(record, "external_id", number) or _string(record, "id", number),
        author_handle=_string(record, "author", number),
        display_name=_string(record, "display_name", number, required=False),
        text=_string(record, "text", number, required=False),
        created_at=_when(record, "created_at", number, required=True),  # type: ignore[arg-type]
        url=_optional(record, "url", number),
        reply_to=_optional(record, "reply_to_external_id", number),
        repost_of="" if _flag(record, "is_repost", number) else None,
        edited_at=_when(record, "edited_at", number, required=False),
        hidden=_flag(record, "hidden", number),
        spotlight=_flag(record, "spotlight", number),
        reply_to_network=None
        if reply_network is None
        else _network(reply_network, "reply_to_network", number),
        reply_to_source=_optional(record, "reply_to_source", number),
        by_host=_flag(record, "is_host", number),
    )


@dataclass(frozen=True, slots=True)
class ChatFile:
    """A chat file opened for reading: its header, and its posts read lazily (each
    iteration reads the file again, so a file can be checked, then imported)."""

    path: Path
    chat: ForeignChat

    def posts(self) -> Iterator[ForeignPost]:
        """The posts, line by line; ChatFileError names a bad line."""
        with self.path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if number == 1 or not raw.strip():
                    continue
                yield parse_post(_object(raw, number), number)


def open_chat_jsonl(path: Path) -> ChatFile:
    """Read the header of a chat file (the first line)."""
    with path.open("rb") as handle:
        first = handle.readline()
    if not first.strip():
        raise ChatFileError(1, "is empty: the first line must be the chat header")
    return ChatFile(path, parse_header(_object(first, 1)))


def import_chat_jsonl(
    ctx: AppContext, path: Path, *, actor: UserView | None = None
) -> tuple[int, IngestCounts]:
    """`hashchat import jsonl`: check every line of the file, then recreate its chat in its
    series (which must exist here) and file its posts, all in one transaction. Running it
    again adds nothing. Returns (chat id, counts)."""
    chat_file = open_chat_jsonl(path)
    for _ in chat_file.posts():  # every line checked before anything is written
        pass
    return do_import_chat(ctx, f"jsonl {path.name}", chat_file.chat, chat_file.posts(), actor=actor)
