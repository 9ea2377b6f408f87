"""The `hashchat` command: one Typer app composed of one module per noun."""

from __future__ import annotations

import typer

from hashchat.cli import chats, demo, export, imports, recap, report, schedule, series, server, text

app = typer.Typer(
    name="hashchat",
    help="Host structured hashtag chats: text rules, schedules, recaps and the chat server.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(text.app, name="text")
app.add_typer(series.app, name="series")
app.add_typer(chats.app, name="chats")
schedule.register(app)
recap.register(app)
server.register(app)
demo.register(app)
export.register(app)
imports.register(app)
report.register(app)


def main() -> None:
    """Entry point of the console script."""
    app()
