"""`hashchat stack up` and `hashchat stack down`: the scaled-out stack on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hashchat.cli.errors import fail
from hashchat.settings import SettingsError
from hashchat.stack.nginx import StackError
from hashchat.stack.processes import StackOptions, down, up

app = typer.Typer(
    help="Run several app processes behind nginx + nchan on this machine (development, tests).",
    no_args_is_help=True,
)

RunDirOption = Annotated[
    Path,
    typer.Option(
        "--run-dir", help="where config, logs and pids live", file_okay=False, resolve_path=True
    ),
]
DEFAULT_RUN_DIR = Path(".hashchat-stack")


@app.command("up")
def stack_up(
    db: Annotated[
        str | None, typer.Option("--db", help="database URL shared by the app processes")
    ] = None,
    redis: Annotated[
        str | None,
        typer.Option("--redis", help="Redis URL (needed for more than one worker)"),
    ] = None,
    workers: Annotated[int, typer.Option(help="app processes", min=1, max=16)] = 2,
    port: Annotated[int, typer.Option(help="the front port (nginx)", min=1, max=65535)] = 8080,
    host: Annotated[str, typer.Option(help="the front address")] = "127.0.0.1",
    run_dir: RunDirOption = DEFAULT_RUN_DIR,
    buffer_length: Annotated[
        int, typer.Option(help="messages nchan keeps per chat for resuming viewers", min=1)
    ] = 1000,
    message_seconds: Annotated[
        int, typer.Option(help="seconds nchan keeps a message", min=60)
    ] = 3600,
    nchan_redis: Annotated[
        bool, typer.Option(help="keep nchan's channels in Redis (several nginx machines)")
    ] = False,
    nginx_workers: Annotated[str, typer.Option(help="nginx worker processes")] = "auto",
) -> None:
    """Migrate the database, start the app processes and nginx + nchan; print the front URL."""
    from hashchat.cli.server import database_url, load_settings
    from hashchat.store.migrate import upgrade

    settings = load_settings(db, redis_url=redis)
    if workers > 1 and not settings.redis_url:
        fail("more than one worker needs --redis (shared rate limits and publishing state)")
    if nchan_redis and not settings.redis_url:
        fail("--nchan-redis needs --redis")
    try:
        upgrade(settings.database_url)
    except Exception as error:  # any driver error: report it, no traceback
        fail(f"cannot open the database {settings.database_url!r}: {error}")
    options = StackOptions(
        run_dir=run_dir,
        database_url=database_url(db) or settings.database_url,
        redis_url=settings.redis_url,
        workers=workers,
        host=host,
        port=port,
        buffer_length=buffer_length,
        message_seconds=message_seconds,
        nchan_redis=nchan_redis,
        nginx_workers=nginx_workers,
    )
    try:
        state = up(options)
    except (StackError, SettingsError, OSError) as error:
        fail(str(error))
    print(state.front_url)


@app.command("down")
def stack_down(run_dir: RunDirOption = DEFAULT_RUN_DIR) -> None:
    """Stop every process of the stack started from RUN_DIR."""
    try:
        state = down(run_dir)
    except StackError as error:
        fail(str(error))
    print(f"stopped {len(state.app_pids)} app processes and nginx ({state.front_url})")
