"""`hashchat report TAG --out report.html`: a series' insights as one self-contained HTML file
(the same figures, definitions and charts as /series/{tag}/insights; nothing fetched)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from hashchat.actions.errors import ActionError
from hashchat.cli.errors import fail
from hashchat.cli.server import DbOption, load_settings, migrated_context


def report_command(
    tag: Annotated[
        str, typer.Argument(help="the series' hashtag, e.g. KaizenBiz", show_default=False)
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="the HTML file to write")],
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as", help="a host of the series: the report then names regulars and cohorts"
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Write the series' insights report: verdicts, totals, charts, chat by chat, cadence,
    network focus and cohorts, each figure beside its definition."""
    from hashchat.actions.access import load_user
    from hashchat.actions.insights import get_series_insights
    from hashchat.actions.views import user_view
    from hashchat.formats.report_html import render_report

    if out.is_dir():
        fail(f"--out {out} is a directory; give a file path")
    ctx = migrated_context(load_settings(db))
    try:
        actor = None
        if as_user is not None:
            with ctx.store.read() as session:
                actor = user_view(load_user(session, as_user))
        insights = get_series_insights(ctx, tag, actor)
        if as_user is not None and insights.names is None:
            fail(f"{as_user} is not a host of #{insights.tag}; names are for its hosts")
        html = render_report(insights).html
        # Written beside the target and renamed: a failed report never leaves half a file.
        fd, temporary = tempfile.mkstemp(dir=out.resolve().parent, prefix=f".{out.name}.")
        try:
            with open(fd, "w", encoding="utf-8") as handle:
                handle.write(html)
            os.replace(temporary, out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except ActionError as error:
        fail(error.reason)
    except OSError as error:
        fail(f"cannot write {out}: {error.strerror or error}")
    finally:
        ctx.store.dispose()
    chats = len(insights.figures.chats)
    typer.echo(f"wrote {out}: #{insights.tag}, {chats} chats, {insights.figures.people} people")


def register(app: typer.Typer) -> None:
    """Add `report` to the main app."""
    app.command("report")(report_command)
