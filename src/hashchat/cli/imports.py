"""`hashchat import x|tags-csv|mastodon|bluesky|wxr|jsonl PATH --series TAG`: a host's archives
into her series, through `actions.imports` (see it for how chats are chosen).

Progress goes to stderr (a rich bar: checking the archive, then importing it); the last line of
stdout is one JSON object `{"chats": [ids], "added": n, "updated": n, "unchanged": n,
"skipped": n}`. Bad input (an unreadable archive, a bad record, a wrong option) exits 2 with
one line naming `FILE:LINE: reason` (or the record), and nothing of the chat concerned is
written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from hashchat.actions.errors import ActionError
from hashchat.actions.imports import KINDS, do_import
from hashchat.cli.errors import fail
from hashchat.cli.server import DbOption, load_settings, migrated_context


def import_command(
    kind: Annotated[str, typer.Argument(help=f"the archive's kind: {', '.join(KINDS)}")],
    path: Annotated[Path, typer.Argument(help="the archive: a zip, tar.gz, folder or file")],
    series: Annotated[str, typer.Option(help="the series' hashtag, with or without '#'")],
    chat: Annotated[
        int | None, typer.Option(help="put every post in this chat", show_default=False)
    ] = None,
    split: Annotated[
        bool,
        typer.Option("--split", help="one chat per host Q1 post (the host known by --as)"),
    ] = False,
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="the local user whose own archive this is (x, mastodon, bluesky; the blog's "
            "author for wxr): her handle is linked to her",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
    db: DbOption = None,
) -> None:
    """Import an archive into a series: X archive, TAGS sheet (CSV), Mastodon export, Bluesky
    repository (CAR), WordPress export (WXR) or a hashchat chat export (JSON Lines)."""
    if kind not in KINDS:
        fail(f"unknown archive kind {kind!r}: one of {', '.join(KINDS)}")
    if not path.exists():
        fail(f"{path}: no such file or folder")
    ctx = migrated_context(load_settings(db))
    console = Console(stderr=True)
    bar = Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
        transient=False,
    )
    tasks: dict[str, TaskID] = {}

    def progress(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            tasks[phase] = bar.add_task(phase, total=max(total, 1))
        bar.update(tasks[phase], completed=done, total=max(total, 1))

    try:
        with bar:
            summary = do_import(
                ctx,
                kind,
                path,
                series=series,
                chat_id=chat,
                split=split,
                as_user=as_user,
                progress=progress,
            )
    except ActionError as error:
        fail(error.reason)
    finally:
        ctx.store.dispose()
    print(json.dumps(summary.as_dict()))


def register(app: typer.Typer) -> None:
    """Add `import` to the main app."""
    app.command("import")(import_command)
