"""`hashchat serve`, `hashchat users add` and `hashchat users token`."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from hashchat.actions.accounts import do_create_token, do_register
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ActionError
from hashchat.assembly import build_context
from hashchat.assembly import serve as serve_app
from hashchat.cli.errors import fail
from hashchat.settings import ENVIRONMENT, Settings, SettingsError, parse_fanout
from hashchat.store.migrate import upgrade

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="database URL (or a SQLite file path); default $HASHCHAT_DATABASE_URL "
        "or ./hashchat.sqlite3",
        show_default=False,
    ),
]

users_app = typer.Typer(help="Accounts: add people and give them API tokens.", no_args_is_help=True)


def database_url(value: str | None) -> str | None:
    """A URL as given, or a plain file path turned into a SQLite URL."""
    if value is None or "://" in value:
        return value
    return f"sqlite:///{value}"


def load_settings(db: str | None, **overrides: Any) -> Settings:
    """Settings from the environment and options; bad values end the command with exit 2."""
    try:
        return Settings.from_env(database_url=database_url(db), **overrides)
    except SettingsError as error:
        fail(str(error))


def migrated_context(settings: Settings) -> AppContext:
    """The context on a database brought up to date first."""
    try:
        upgrade(settings.database_url)
    except Exception as error:  # any driver error: report it, no traceback
        fail(f"cannot open the database {settings.database_url!r}: {error}")
    return build_context(settings)


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    access_log: Annotated[bool, typer.Option(help="log every request")] = False,
    redis: Annotated[
        str | None,
        typer.Option(
            "--redis",
            help="Redis URL: rate limits and live wake-ups shared by several app processes "
            "(default $HASHCHAT_REDIS_URL)",
            show_default=False,
        ),
    ] = None,
    fanout: Annotated[
        str | None,
        typer.Option(
            help="who streams events: inprocess, or nchan (behind nginx + nchan; needs "
            "--nchan-publish). Default $HASHCHAT_FANOUT or inprocess",
            show_default=False,
        ),
    ] = None,
    nchan_publish: Annotated[
        str | None,
        typer.Option(
            "--nchan-publish",
            help="nchan publisher location; events of chat N are POSTed to URL/N",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the server: migrate the database, then serve the API, pages and event streams."""
    try:
        chosen_fanout = None if fanout is None else parse_fanout(fanout)
    except SettingsError as error:
        fail(f"--fanout: {error}")
    settings = load_settings(
        db,
        host=host,
        port=port,
        redis_url=redis,
        fanout=chosen_fanout,
        nchan_publish_url=nchan_publish,
    )
    ctx = migrated_context(settings)
    shared = f", Redis {settings.redis_url}" if settings.redis_url else ""
    print(
        f"hashchat: serving http://{host}:{port}/ on {settings.database_url}{shared}, "
        f"fan-out {settings.fanout}",
        file=sys.stderr,
    )
    serve_app(ctx, host, port, access_log=access_log, backlog=4096, log_level="info")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="the handle: 2-40 of a-z, 0-9, _")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from stdin")
    ] = False,
    admin: Annotated[
        bool, typer.Option("--admin", help="site admin: owner rights everywhere")
    ] = False,
    display_name: Annotated[str | None, typer.Option(help="shown name")] = None,
    timezone: Annotated[str, typer.Option(help="IANA time zone")] = "UTC",
    db: DbOption = None,
) -> None:
    """Create an account; the password comes from stdin, never from the command line."""
    if not password_stdin:
        fail("pass the password on stdin with --password-stdin (it never goes on the command line)")
    password = sys.stdin.readline().rstrip("\r\n")
    ctx = migrated_context(load_settings(db))
    try:
        user = do_register(ctx, name, password, display_name, timezone, is_admin=admin)
    except ActionError as error:
        fail(error.reason)
    finally:
        ctx.store.dispose()
    print(f"added {user.name}{' (admin)' if user.is_admin else ''}")


@users_app.command("token")
def users_token(
    name: Annotated[str, typer.Argument(help="whose token")],
    db: DbOption = None,
) -> None:
    """Print a new API token for NAME (use it as `Authorization: Bearer TOKEN`)."""
    ctx = migrated_context(load_settings(db))
    try:
        token = do_create_token(ctx, name)
    except ActionError as error:
        fail(error.reason)
    finally:
        ctx.store.dispose()
    print(token)


def _environment_help() -> str:
    lines = [f"{variable}: {meaning}" for variable, (_, _, meaning) in ENVIRONMENT.items()]
    return "Environment:\n\n" + "\n\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    from hashchat.cli import stack

    app.command("serve", epilog=_environment_help())(serve)
    app.add_typer(users_app, name="users")
    app.add_typer(stack.app, name="stack")
