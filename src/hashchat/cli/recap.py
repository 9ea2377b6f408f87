"""`hashchat recap FILE.jsonl --tag '#Tag' --host HANDLE`: the recap of a chat from its posts.

The questions are the hosts' `Qn` posts; the live hour starts at the first of them and lasts
`--duration` minutes (or ends at `--end`); answers after it are late. Posts marked `"hidden"`
in the file, and those named with `--hide`, are left out as spam. The whole recap is rendered
before a byte is written, so bad input exits 2 with a message and no partial output.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from hashchat.cli.errors import fail
from hashchat.domain.chat import Post
from hashchat.domain.recap import LIVE_HOUR, RecapInputError, Transcript, recap_chat
from hashchat.domain.schedule import ScheduleError
from hashchat.domain.schedule.window import check_duration_minutes
from hashchat.formats.posts_jsonl import (
    PostsFile,
    PostsFileError,
    parse_posts_jsonl,
    parse_utc_time,
)
from hashchat.formats.recaps import RECAP_FORMATS, recap_format


def render(transcript: Transcript, output_format: str, tag: str) -> str:
    """The recap in one format of the registry (`formats.recaps.RECAP_FORMATS`), as text."""
    return recap_format(output_format).render(transcript, tag)


def recap_command(
    file: Annotated[str, typer.Argument(help="Posts as JSON lines, or - for stdin.")],
    tag: Annotated[str, typer.Option("--tag", help="The chat's hashtag, e.g. '#KaizenBiz'.")],
    host: Annotated[
        list[str], typer.Option("--host", help="A host's handle; repeat for co-hosts.")
    ],
    output_format: Annotated[
        str,
        typer.Option("--format", "-f", help=f"Output format: {', '.join(RECAP_FORMATS)}."),
    ] = "md",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(help="Start of the live hour (ISO 8601 with offset); default: first Q."),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(help="End of the live hour (ISO 8601 with offset); later answers are late."),
    ] = None,
    duration: Annotated[
        int | None,
        typer.Option(help="Length of the live hour in minutes when --end is not given.", min=1),
    ] = None,
    hide: Annotated[
        list[str] | None, typer.Option("--hide", help="A post id to leave out as spam; repeat.")
    ] = None,
) -> None:
    """Write the recap of a chat: answers under their questions, replies nested, the figures."""
    if output_format not in RECAP_FORMATS:
        fail(f"--format: use one of {', '.join(RECAP_FORMATS)}, not {output_format!r}")
    if end is not None and duration is not None:
        fail("give --end or --duration, not both")
    if duration is not None:
        try:
            check_duration_minutes(duration, "--duration")
        except ScheduleError as error:
            fail(str(error))
    normalized_tag = _normalized_tag(tag)
    hosts = frozenset(handle.strip().lstrip("@") for handle in host if handle.strip())
    if not hosts:
        fail("--host needs a handle")
    posts_file = _read_posts(file)
    hidden = posts_file.hidden_ids | _checked_hidden(hide or [], posts_file)
    try:
        transcript = recap_posts(
            posts_file.posts,
            hosts,
            hidden_ids=hidden,
            started_at=_time_option("--start", start),
            ended_at=_time_option("--end", end),
            duration=timedelta(minutes=duration if duration is not None else 60),
        )
    except RecapInputError as error:
        fail(f"{_file_name(file)}: {error}")
    with collector_paused():
        text = render(transcript, output_format, normalized_tag)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as written:
            written.write(text)
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror or error}")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a batch step, restoring its state after.

    A recap allocates a few objects per post and keeps all of them to the end; on a
    100,000-post chat the collector's full passes re-scan them all and cost as much as the
    work itself. The structures hold no cycles, so nothing is left for the collector.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def recap_posts(
    posts: Sequence[Post],
    hosts: frozenset[str],
    *,
    hidden_ids: frozenset[str] = frozenset(),
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    duration: timedelta = LIVE_HOUR,
) -> Transcript:
    """`recap_chat` as the command runs it: with the collector paused (see `collector_paused`)."""
    with collector_paused():
        return recap_chat(
            posts,
            hosts,
            hidden_ids=hidden_ids,
            started_at=started_at,
            ended_at=ended_at,
            duration=duration,
        )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("recap")(recap_command)


def _read_posts(file: str) -> PostsFile:
    try:
        raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror or error}")
    try:
        return parse_posts_jsonl(raw)
    except PostsFileError as error:
        fail(f"{_file_name(file)}: {error}")


def _checked_hidden(ids: list[str], posts_file: PostsFile) -> frozenset[str]:
    known = {post.id for post in posts_file.posts}
    unknown = sorted(set(ids) - known)
    if unknown:
        fail(f"--hide names no post in the file: {', '.join(unknown)}")
    return frozenset(ids)


def _time_option(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_utc_time(value)
    except ValueError as error:
        fail(f"{name} {error}")


def _normalized_tag(tag: str) -> str:
    stripped = tag.strip()
    if not stripped.lstrip("#") or any(character.isspace() for character in stripped):
        fail(f"--tag must be one hashtag like '#KaizenBiz', not {tag!r}")
    return stripped if stripped.startswith("#") else "#" + stripped


def _file_name(file: str) -> str:
    return "stdin" if file == "-" else file
