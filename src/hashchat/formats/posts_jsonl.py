"""Posts as JSON lines: one post per line, the simplest archive a chat can outlive a platform in.

Each line is a JSON object with:

- `id` (string, or integer turned into a string), `author` (string), `text` (string),
  `created_at` (ISO 8601 with `Z` or an offset; a time without one is rejected, because a
  chat's posts come from people in many zones and a guess would reorder them; so is a time
  outside the date window, 1970 to 2200 UTC, of `domain.schedule.window`);
- optional `reply_to` (string or integer, or null), `network` (default `"hashchat"`),
  `url`, `external_id`, `is_repost` (alias `repost`, default false) and `hidden`
  (default false: a post the host hid as spam; it is read, and its id is reported apart).

Blank lines are skipped, unknown fields are ignored so that newer writers stay readable. A
first line `{"type": "chat", …}` (the header of a whole-chat export, `formats.chat_jsonl`) is
skipped too.
Every error names the line and, where there is one, the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hashchat.domain.chat import Post
from hashchat.domain.schedule import ScheduleError
from hashchat.domain.schedule.window import check_instant, window_text

DEFAULT_NETWORK = "hashchat"


class PostsFileError(ValueError):
    """A line of a posts file that cannot be read; `line` is 1-based, `other_line` names a twin."""

    def __init__(self, line: int, problem: str, other_line: int | None = None) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem
        self.other_line = other_line


@dataclass(frozen=True, slots=True)
class PostsFile:
    """The posts of a file in file order, and the ids of those marked hidden."""

    posts: tuple[Post, ...]
    hidden_ids: frozenset[str]


def parse_utc_time(value: str) -> datetime:
    """Parse an ISO 8601 time with `Z` or an offset into an aware UTC datetime.

    Raises ValueError with a message meant for the user when the text is not such a time.
    """
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"is not an ISO 8601 time: {value!r}") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"has no UTC offset (add Z or +00:00): {value!r}")
    try:
        check_instant(parsed, "time")
    except ScheduleError:
        raise ValueError(f"{value!r} is not between {window_text()}") from None
    return parsed.astimezone(UTC)


def format_utc_time(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, the one way every export writes a time."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_posts_jsonl(raw: bytes) -> PostsFile:
    """Read posts from the bytes of a JSON lines file; raise PostsFileError on the first problem."""
    posts: list[Post] = []
    hidden: set[str] = set()
    line_of_id: dict[str, int] = {}
    for number, raw_line in enumerate(raw.split(b"\n"), start=1):
        if number == 1 and raw_line.startswith(b"\xef\xbb\xbf"):
            raw_line = raw_line[3:]
        try:
            line = raw_line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise PostsFileError(
                number, f"is not valid UTF-8 (byte {error.start + 1} of the line)"
            ) from None
        if not line.strip():
            continue
        if not posts and _is_chat_header(line):
            continue
        post, is_hidden = _post_from_line(line, number)
        first_line = line_of_id.get(post.id)
        if first_line is not None:
            raise PostsFileError(
                number, f"duplicate id {post.id!r} (first on line {first_line})", first_line
            )
        line_of_id[post.id] = number
        posts.append(post)
        if is_hidden:
            hidden.add(post.id)
    return PostsFile(posts=tuple(posts), hidden_ids=frozenset(hidden))


def read_posts_jsonl(path: Path) -> PostsFile:
    """Read a posts file from disk (see `parse_posts_jsonl`)."""
    return parse_posts_jsonl(path.read_bytes())


def posts_to_jsonl(posts: Iterable[Post], hidden_ids: frozenset[str] = frozenset()) -> str:
    """Write posts as JSON lines that `parse_posts_jsonl` reads back to the same posts."""
    lines = []
    for post in posts:
        record: dict[str, Any] = {
            "id": post.id,
            "author": post.author,
            "text": post.text,
            "created_at": format_utc_time(post.created_at),
            "network": post.network,
        }
        if post.reply_to is not None:
            record["reply_to"] = post.reply_to
        if post.url is not None:
            record["url"] = post.url
        if post.external_id is not None:
            record["external_id"] = post.external_id
        if post.is_repost:
            record["is_repost"] = True
        if post.id in hidden_ids:
            record["hidden"] = True
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    return "".join(lines)


def _is_chat_header(line: str) -> bool:
    """True for the `{"type": "chat", …}` first line of a whole-chat export
    (`formats.chat_jsonl`), which a posts reader skips."""
    if '"type"' not in line:
        return False
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return False
    return isinstance(record, dict) and record.get("type") == "chat"


def _post_from_line(line: str, number: int) -> tuple[Post, bool]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise PostsFileError(
            number, f"is not valid JSON: {error.msg} (column {error.colno})"
        ) from None
    except RecursionError:
        raise PostsFileError(number, "is nested too deeply to be a post") from None
    if not isinstance(record, dict):
        raise PostsFileError(number, f"is not a JSON object but {type(record).__name__}")
    post_id = _identifier(record, "id", number, required=True) or ""
    author = _required_string(record, "author", number, allow_empty=False)
    text = _required_string(record, "text", number)
    created_text = _required_string(record, "created_at", number)
    try:
        created_at = parse_utc_time(created_text)
    except ValueError as error:
        raise PostsFileError(number, f'"created_at" {error}') from None
    post = Post(
        id=post_id,
        author=author,
        text=text,
        created_at=created_at,
        network=_optional_string(record, "network", number) or DEFAULT_NETWORK,
        reply_to=_identifier(record, "reply_to", number, required=False),
        external_id=_optional_string(record, "external_id", number),
        url=_optional_string(record, "url", number),
        is_repost=_flag(record, "is_repost", number) or _flag(record, "repost", number),
    )
    return post, _flag(record, "hidden", number)


def _required_string(
    record: Mapping[str, Any], field: str, number: int, *, allow_empty: bool = True
) -> str:
    if field not in record:
        raise PostsFileError(number, f'"{field}" is missing')
    value = record[field]
    if not isinstance(value, str):
        raise PostsFileError(number, f'"{field}" must be a string, not {_json_type(value)}')
    if not allow_empty and not value.strip():
        raise PostsFileError(number, f'"{field}" is empty')
    return value


def _optional_string(record: Mapping[str, Any], field: str, number: int) -> str | None:
    value = record.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise PostsFileError(number, f'"{field}" must be a string, not {_json_type(value)}')
    return value


def _identifier(
    record: Mapping[str, Any], field: str, number: int, *, required: bool
) -> str | None:
    value = record.get(field)
    if value is None:
        if required:
            raise PostsFileError(number, f'"{field}" is missing')
        return None
    # bool is an int in Python, but `"id": true` is a mistake, not post number 1
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PostsFileError(
            number, f'"{field}" must be a string or an integer, not {_json_type(value)}'
        )
    text = str(value)
    if not text.strip():
        raise PostsFileError(number, f'"{field}" is empty')
    return text


def _flag(record: Mapping[str, Any], field: str, number: int) -> bool:
    value = record.get(field, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise PostsFileError(number, f'"{field}" must be true or false, not {_json_type(value)}')
    return value


def _json_type(value: object) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return names.get(type(value), type(value).__name__)
