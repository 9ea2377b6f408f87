"""Reading posts from JSON lines: the fields, the defaults, and errors that name line and field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from hashchat.domain.chat import Post
from hashchat.formats.posts_jsonl import (
    PostsFileError,
    parse_posts_jsonl,
    parse_utc_time,
    posts_to_jsonl,
)


def line(**fields: Any) -> str:
    record = {
        "id": "1",
        "author": "tradietom",
        "text": "A1 photos",
        "created_at": "2026-11-20T17:07:00Z",
    }
    record.update(fields)
    return json.dumps({k: v for k, v in record.items() if v is not ...}, ensure_ascii=False)


def read(*lines: str) -> list[Post]:
    return list(parse_posts_jsonl("\n".join(lines).encode()).posts)


def error_of(raw: bytes) -> PostsFileError:
    with pytest.raises(PostsFileError) as caught:
        parse_posts_jsonl(raw)
    return caught.value


def test_a_full_line_becomes_a_post_in_utc() -> None:
    (post,) = read(
        line(
            id=42,
            created_at="2026-11-21T08:10:00+13:00",
            reply_to=7,
            network="bluesky",
            url="https://bsky.app/x",
            external_id="at://x",
            is_repost=True,
        )
    )
    assert post == Post(
        id="42",
        author="tradietom",
        text="A1 photos",
        created_at=datetime(2026, 11, 20, 19, 10, tzinfo=UTC),
        network="bluesky",
        reply_to="7",
        external_id="at://x",
        url="https://bsky.app/x",
        is_repost=True,
    )


def test_defaults_network_hashchat_no_reply_not_a_repost() -> None:
    (post,) = read(line())
    assert (post.network, post.reply_to, post.is_repost) == ("hashchat", None, False)


def test_repost_alias_and_hidden_flag() -> None:
    parsed = parse_posts_jsonl(
        "\n".join([line(id="a", repost=True), line(id="b", hidden=True)]).encode()
    )
    assert [post.is_repost for post in parsed.posts] == [True, False]
    assert parsed.hidden_ids == frozenset({"b"})


def test_blank_lines_crlf_and_a_bom_are_fine() -> None:
    raw = ("\ufeff" + line(id="a") + "\r\n\r\n   \n" + line(id="b") + "\r\n").encode()
    assert [post.id for post in parse_posts_jsonl(raw).posts] == ["a", "b"]


def test_unknown_fields_are_ignored() -> None:
    (post,) = read(line(likes=12, lang="en"))
    assert post.id == "1"


def test_the_error_in_the_brief_reads_as_promised() -> None:
    raw = "\n".join(
        [line(id=str(n)) for n in range(1, 12)] + [line(id="12", created_at="yesterday")]
    )
    error = error_of(raw.encode())
    assert str(error) == "line 12: \"created_at\" is not an ISO 8601 time: 'yesterday'"
    assert error.line == 12


def test_a_naive_time_is_rejected_with_the_fix() -> None:
    error = error_of(line(created_at="2026-11-20T17:07:00").encode())
    assert "line 1" in str(error)
    assert '"created_at" has no UTC offset' in str(error)
    assert "Z or +00:00" in str(error)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id": ...}, '"id" is missing'),
        ({"id": True}, '"id" must be a string or an integer, not a boolean'),
        ({"id": "  "}, '"id" is empty'),
        ({"author": ...}, '"author" is missing'),
        ({"author": ""}, '"author" is empty'),
        ({"text": 5}, '"text" must be a string, not a number'),
        ({"created_at": None}, '"created_at" must be a string, not null'),
        ({"reply_to": [1]}, '"reply_to" must be a string or an integer, not a list'),
        ({"network": {}}, '"network" must be a string, not an object'),
        ({"is_repost": "yes"}, '"is_repost" must be true or false, not a string'),
    ],
)
def test_each_bad_field_is_named(fields: dict[str, Any], message: str) -> None:
    raw = (line(id="0") + "\n" + line(**fields)).encode()
    assert str(error_of(raw)) == f"line 2: {message}"


def test_not_json_and_not_an_object() -> None:
    assert str(error_of(b'{"id": 1,')).startswith("line 1: is not valid JSON")
    assert str(error_of(b"[1, 2]")) == "line 1: is not a JSON object but list"


def test_invalid_utf8_names_the_line() -> None:
    raw = line(id="a").encode() + b"\n" + b'{"id": "b", "text": "caf\xe9"}'
    error = error_of(raw)
    assert error.line == 2
    assert "not valid UTF-8" in str(error)


def test_duplicate_ids_name_both_lines() -> None:
    raw = "\n".join([line(id="7"), line(id="8"), "", line(id=7)]).encode()
    error = error_of(raw)
    assert str(error) == "line 4: duplicate id '7' (first on line 1)"
    assert (error.line, error.other_line) == (4, 1)


def test_written_posts_read_back_the_same() -> None:
    posts = [
        Post(
            "1",
            "rosa@mastodon.social",
            "A1 - a shelf 🚲\nsecond line",
            datetime(2026, 11, 20, 17, 7, tzinfo=UTC),
            "mastodon",
        ),
        Post(
            "2",
            "hiro_tanaka",
            "朝礼",
            datetime(2026, 11, 20, 17, 8, 30, 250, tzinfo=UTC),
            reply_to="1",
            is_repost=True,
            url="https://x.com/2",
            external_id="e2",
        ),
    ]
    parsed = parse_posts_jsonl(posts_to_jsonl(posts, frozenset({"2"})).encode())
    assert list(parsed.posts) == posts
    assert parsed.hidden_ids == frozenset({"2"})


def test_parse_utc_time_converts_offsets() -> None:
    assert parse_utc_time("2026-11-21T07:45:00+05:30") == datetime(2026, 11, 21, 2, 15, tzinfo=UTC)
    with pytest.raises(ValueError, match="no UTC offset"):
        parse_utc_time("2026-11-21")
