"""`hashchat text …`: measure, entities and answer tags (filled in by the text work)."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Text rules: length per network, entities, answer tags.", no_args_is_help=True
)
