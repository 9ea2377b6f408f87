"""`hashchat export CHAT_ID --format jsonl|wxr [-o FILE]`: a whole chat, as `import jsonl` (or
`import wxr`, or WordPress's own importer) reads it."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated

import typer

from hashchat.actions.context import AppContext
from hashchat.actions.errors import ActionError
from hashchat.cli.errors import fail
from hashchat.cli.server import DbOption, load_settings, migrated_context


class ExportFormat(StrEnum):
    """What `export` can write."""

    JSONL = "jsonl"
    WXR = "wxr"


def _writer(chosen: ExportFormat) -> Callable[[AppContext, int, IO[str]], int]:
    # Imported when used: each pulls in its format's code.
    if chosen is ExportFormat.WXR:
        from hashchat.formats.wxr import export_chat_wxr

        return export_chat_wxr
    from hashchat.formats.chat_jsonl import export_chat_jsonl

    return export_chat_jsonl


def export_command(
    chat_id: Annotated[int, typer.Argument(help="the chat's id", show_default=False)],
    output_format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="jsonl: a chat header line, then one line per post; wxr: a WordPress export "
            "(WXR 1.2) of one post holding the questions, the answers threaded as its comments",
        ),
    ] = ExportFormat.JSONL,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="file to write (default: standard output)"),
    ] = None,
    db: DbOption = None,
) -> None:
    """Export a whole chat: its header (series, title, times, state, questions) and every post
    with its external identity, author, reply link, hidden and spotlight state. `hashchat
    import jsonl` reads it back, on this server or another one; `hashchat recap` reads it too.
    `--format wxr` writes the chat for a blog: WordPress's importer and `hashchat import wxr`
    read it (hidden posts and reposts left out)."""
    write = _writer(output_format)

    if output is not None and output.is_dir():
        fail(f"-o {output} is a directory; give a file path")
    ctx = migrated_context(load_settings(db))
    try:
        if output is None:
            write(ctx, chat_id, sys.stdout)
            sys.stdout.flush()
            return
        # Written beside the target and renamed: a failed export never leaves half a file.
        directory = output.resolve().parent
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{output.name}.")
        try:
            with open(fd, "w", encoding="utf-8") as handle:
                write(ctx, chat_id, handle)
            os.replace(temporary, output)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except ActionError as error:
        fail(error.reason)
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror or error}")
    finally:
        ctx.store.dispose()


def register(app: typer.Typer) -> None:
    """Add `export` to the main app."""
    app.command("export")(export_command)
