"""`hashchat demo`: a fresh SQLite file with a demo community, then the server on it."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from hashchat.actions.errors import ActionError
from hashchat.cli.errors import fail

DEFAULT_DEMO_DB = Path("hashchat-demo.sqlite3")


def demo(
    db: Annotated[
        Path, typer.Option("--db", help="SQLite file of the demo; deleted and recreated each run")
    ] = DEFAULT_DEMO_DB,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
) -> None:
    """Recreate the demo database (#KaizenBiz: a past chat with its recap, an upcoming chat,
    a chat ready to start, demo accounts with fresh random passwords), print the logins and
    serve it."""
    from hashchat.assembly import serve
    from hashchat.cli.server import load_settings, migrated_context
    from hashchat.demo import seed_demo

    if db.is_dir():
        fail(f"--db {db} is a directory; give a file path")
    for leftover in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        leftover.unlink(missing_ok=True)
    settings = load_settings(str(db), host=host, port=port)
    ctx = migrated_context(settings)
    try:
        community = seed_demo(ctx, datetime.now(UTC))
    except ActionError as error:
        fail(f"could not seed the demo: {error.reason}")
    url = f"http://{host}:{port}/"
    print(f"hashchat demo on {db} (recreated on every run)")
    print(f"Open {url}  —  series: {url}series/{community.tag}")
    print("Demo accounts (passwords are new on every run):")
    for account in community.accounts:
        print(f"  {account.name:<12} {account.role:<12} {account.password}")
    print(f"Past chat recap: {url}chats/{community.past_chat_id}/recap")
    print(f"Ready to start:  {url}chats/{community.ready_chat_id}/host (log in as kaizencoach)")
    sys.stdout.flush()
    serve(ctx, host, port, log_level="warning")


def register(app: typer.Typer) -> None:
    """Add `demo` to the main app."""
    app.command("demo")(demo)
