"""X (Twitter) "Download your data" archives: the owner's own posts, as `ForeignPost`s.

The archive is a zip (or the folder it unpacks to) with `data/account.js` (who it belongs to)
and the posts in `data/tweets.js` plus `data/tweets-part1.js`, `-part2` … for large accounts
(older archives: `data/tweet.js`, `tweet-part*.js`). Each file is JavaScript, not JSON: one
assignment `window.YTD.tweets.part0 = [ {"tweet": {...}}, ... ]`. The reader skips the
assignment and streams the array with `ijson`, one post at a time.

A post (`tweet`) carries `id_str`, `full_text`, `created_at` in X's own format
(`Wed Oct 10 20:19:24 +0000 2018`), `in_reply_to_status_id_str`, and `entities` whose `urls`
and `media` map the `t.co` links in the text to their real addresses (put back in the text).
Numbers are strings (`"favorite_count": "3"`). A retweet is a post of the owner whose text is
`RT @author: …`, cut with `…` when long; when the post carries the original
(`retweeted_status`, or `extended_tweet` for a long post) the full text is used. Retweets are
kept as reposts (`repost_of` is the original's id, or `@author` when the archive does not
carry it). Unknown fields are ignored. Identity: network `x`, source `x.com`, the post's id,
so several archives of one chat (the host's, each participant's) merge.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import ijson  # type: ignore[import-untyped]

from hashchat.domain.frozen_values import mutable_twin
from hashchat.domain.ingest import ForeignPost, Network
from hashchat.formats.archives import Archive, ArchiveError, Members, Progress, counting

SOURCE = "x.com"
X_TIME = "%a %b %d %H:%M:%S %z %Y"
_PART = re.compile(r"(?:^|/)tweets?(?:-part(\d+))?\.js$")
_ASSIGN = re.compile(rb"^\s*window\.YTD\.[A-Za-z_]+\.part\d+\s*=\s*")


_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: f"{number:02d}" for number, name in enumerate(_MONTH_NAMES, 1)}


def parse_x_time(value: str) -> datetime:
    """X's `created_at` (`Wed Oct 10 20:19:24 +0000 2018`) as an aware datetime (by hand: the
    importer reads a million of them, and `strptime` is half its reading time; the fixed
    columns rearranged for `fromisoformat`, in C, take half the time of six `int`s)."""
    # Fixed columns: "Wed Oct 10 20:19:24 +0000 2018"
    month = _MONTHS.get(value[4:7])
    if month is not None and len(value) == 30 and value[19:26] == " +0000 ":
        try:
            return datetime.fromisoformat(f"{value[26:30]}-{month}-{value[8:19]}+00:00")
        except ValueError:
            pass
    return datetime.strptime(value, X_TIME)


def _skip_assignment(stream: IO[bytes], where: str) -> bytes:
    """Read past `window.YTD.….partN = `; return what followed it in the first read."""
    head = stream.read(4096)
    match = _ASSIGN.match(head.lstrip(b"\xef\xbb\xbf"))
    if match is None:
        if head.lstrip().startswith(b"["):
            return head.lstrip()  # plain JSON array (a file someone already unwrapped)
        raise ArchiveError(where, 1, "does not start with window.YTD.<name>.partN = [")
    return head.lstrip(b"\xef\xbb\xbf")[match.end() :]


class _Prefixed:
    """A stream that first returns `head`, then the rest of `stream`."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0 or size >= len(self._head):
                head, self._head = self._head, b""
                return head + (self._stream.read(size - len(head)) if size > 0 else b"")
            head, self._head = self._head[:size], self._head[size:]
            return head
        return self._stream.read(size)


def read_ytd(members: Members, name: str, progress: Progress | None = None) -> Iterator[Any]:
    """The items of one `window.YTD` file, streamed; a JSON error names its line."""
    where = members.where(name)
    with members.open(name) as raw:
        stream = counting(raw, progress)
        head = _skip_assignment(stream, where)
        try:
            yield from ijson.items(_Prefixed(head, stream), "item", use_float=True)
        except ijson.JSONError as error:
            line, reason = _locate_error(members, name)
            raise ArchiveError(where, line, reason or f"bad JSON ({error})") from None


def _locate_error(members: Members, name: str) -> tuple[int | None, str | None]:
    """After ijson failed: find the line of the bad record, by a slow careful pass that holds
    one record at a time (only ever run on a broken file)."""
    with members.open(name) as stream:
        text = io_text(stream)
        line = 1
        depth = 0
        in_string = escaped = False
        started = False
        record: list[str] = []
        record_line = 0
        for chunk in text:
            for char in chunk:
                if char == "\n":
                    line += 1
                if not started:
                    if char == "[":
                        started = True
                    continue
                if depth == 0:
                    if char == "{":
                        depth = 1
                        record = ["{"]
                        record_line = line
                    elif char == "]":
                        return line, "the array is closed, then more follows"
                    elif char not in " \t\r\n,":
                        return line, f"unexpected {char!r} between records"
                    continue
                record.append(char)
                if in_string:
                    if escaped:
                        escaped = False
                    elif char == "\\":
                        escaped = True
                    elif char == '"':
                        in_string = False
                elif char == '"':
                    in_string = True
                elif char in "{[":
                    depth += 1
                elif char in "}]":
                    depth -= 1
                    if depth == 0:
                        try:
                            json.loads("".join(record))
                        except json.JSONDecodeError as error:
                            return record_line + error.lineno - 1, f"bad JSON: {error.msg}"
        if depth:
            return record_line, "the file ends inside this record (truncated?)"
        return line, "bad JSON (the array never closes?)"


def io_text(stream: IO[bytes]) -> Iterator[str]:
    """A byte stream as text chunks (UTF-8, bad bytes replaced)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    while chunk := stream.read(65536):
        yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


def _account(members: Members) -> tuple[str, str]:
    found = members.find("data/account.js", "account.js")
    if not found:
        raise ArchiveError(members.label, None, "has no data/account.js (is it an X archive?)")
    items = list(read_ytd(members, found[0]))
    try:
        account = items[0]["account"]
        return str(account["username"]), str(account.get("accountDisplayName") or "")
    except (IndexError, KeyError, TypeError):
        raise ArchiveError(members.where(found[0]), 1, "has no account username") from None


def _is_mapping(value: object) -> bool:
    """`isinstance(value, Mapping)`, at once for the dicts ijson gives (an ABC check is slow)."""
    return type(value) is dict or isinstance(value, Mapping)


def _expand(text: str, entities: Mapping[str, Any]) -> str:
    """Put the real addresses back where the text has `t.co` links."""
    for key in ("urls", "media"):
        for link in entities.get(key) or ():
            short, full = link.get("url"), link.get("expanded_url")
            if isinstance(short, str) and isinstance(full, str) and short:
                text = text.replace(short, full)
    return text


def _full_text(tweet: Mapping[str, Any]) -> str:
    text = tweet.get("full_text", tweet.get("text"))
    if not isinstance(text, str):
        raise ValueError("has no full_text")
    entities = tweet.get("entities") or {}
    extended = tweet.get("extended_tweet")
    if (
        extended is not None
        and _is_mapping(extended)
        and isinstance(extended.get("full_text"), str)
    ):
        text = extended["full_text"]
        entities = extended.get("entities") or entities
    original = tweet.get("retweeted_status")
    if original is not None and _is_mapping(original) and text.startswith("RT @"):
        author = (original.get("user") or {}).get("screen_name") or text[4:].split(":", 1)[0]
        return f"RT @{author}: {_full_text(original)}"
    return _expand(text, entities)


def _repost_of(tweet: Mapping[str, Any], text: str) -> str | None:
    if not text.startswith("RT @"):
        return None
    original = tweet.get("retweeted_status")
    if original is not None and _is_mapping(original) and original.get("id_str"):
        return str(original["id_str"])
    return "@" + text[4:].split(":", 1)[0].strip()


def tweet_post(tweet: Mapping[str, Any], handle: str, name: str) -> ForeignPost:
    """One archive `tweet` object as a ForeignPost (ValueError/KeyError on a bad one)."""
    post_id = str(tweet["id_str"])
    text = _full_text(tweet)
    created = parse_x_time(str(tweet["created_at"]))
    reply_to = tweet.get("in_reply_to_status_id_str") or None
    return _x_post(
        post_id,
        handle,
        name or handle,
        text,
        created,
        str(reply_to) if reply_to else None,
        _repost_of(tweet, text),
    )


# A frozen dataclass's `__init__` sets each of ForeignPost's 18 fields through
# `object.__setattr__`: ~2.5 µs a post, a quarter of reading an archive. A draft
# (`domain.frozen_values`) is filled by plain assignment and given ForeignPost's class: ~0.5 µs.
_FIELDS = tuple(field.name for field in dataclasses.fields(ForeignPost))
_Draft = mutable_twin(ForeignPost, caller_sets_defaults=True)


def _x_post(
    post_id: str,
    handle: str,
    name: str,
    text: str,
    created: datetime,
    reply_to: str | None,
    repost_of: str | None,
) -> ForeignPost:
    """`ForeignPost(Network.X, SOURCE, post_id, handle, name, text, created, url, reply_to,
    repost_of)`, every other field at its default, made as a draft (see above)."""
    draft = _Draft()
    draft.network = Network.X
    draft.source = SOURCE
    draft.external_id = post_id
    draft.author_handle = handle
    draft.display_name = name
    draft.text = text
    draft.created_at = created
    draft.url = f"https://x.com/{handle}/status/{post_id}"
    draft.reply_to = reply_to
    draft.repost_of = repost_of
    draft.edited_at = None
    draft.deleted = False
    draft.question = None
    draft.hidden = False
    draft.spotlight = False
    draft.reply_to_network = None
    draft.reply_to_source = None
    draft.by_host = None
    draft.__class__ = ForeignPost
    post: ForeignPost = draft
    return post


def _check_drafts() -> None:
    """At import: a draft equals the constructor's value, field by field (a field added to
    ForeignPost and not filled here fails this, loudly, rather than leaving a slot empty)."""
    moment = datetime(2024, 1, 5, 17, 0, tzinfo=UTC)
    made = _x_post("1", "h", "n", "t", moment, "0", "@a")
    wanted = ForeignPost(
        network=Network.X,
        source=SOURCE,
        external_id="1",
        author_handle="h",
        display_name="n",
        text="t",
        created_at=moment,
        url="https://x.com/h/status/1",
        reply_to="0",
        repost_of="@a",
    )
    if type(made) is not ForeignPost or [getattr(made, n) for n in _FIELDS] != [
        getattr(wanted, n) for n in _FIELDS
    ]:
        raise TypeError("formats.x_archive's ForeignPost drafts no longer match ForeignPost")


_check_drafts()


def tweet_files(members: Members) -> list[str]:
    """The archive's post files, part 0 first."""
    found = [n for n in members.names if _PART.search(n) and "/deleted" not in n]

    def order(name: str) -> int:
        match = _PART.search(name)
        return int(match.group(1)) if match and match.group(1) else 0

    return sorted(found, key=order)


def open_x_archive(path: Path) -> Archive:
    """Open an X archive (zip or folder): its owner now, its posts when read."""
    members = Members(path)
    handle, name = _account(members)
    files = tweet_files(members)
    if not files:
        raise ArchiveError(members.label, None, "has no data/tweets.js")
    sizes = [members.size(n) for n in files]

    def read(progress: Progress | None) -> Iterator[ForeignPost]:
        done = 0
        for file, size in zip(files, sizes, strict=True):

            def step(count: int, base: int = done) -> None:
                if progress is not None:
                    progress(base + count)

            for number, item in enumerate(read_ytd(members, file, step), start=1):
                tweet = item.get("tweet", item) if _is_mapping(item) else None
                if type(tweet) is not dict and (tweet is None or not _is_mapping(tweet)):
                    raise ArchiveError(members.where(file), f"record {number}", "is not a post")
                try:
                    yield tweet_post(tweet, handle, name)
                except (KeyError, ValueError, TypeError) as error:
                    ident = tweet.get("id_str", "?")
                    raise ArchiveError(
                        members.where(file), f"record {number} (id {ident})", _reason(error)
                    ) from None
            done += size

    return Archive(Network.X, SOURCE, handle, name, sum(sizes), read)


def _reason(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"has no {error.args[0]}"
    return str(error)
