"""`hashchat series create|edit`: a series set up from a script, as the person `--as` names.

The commands run the same actions as the API and the pages, on the database itself (`--db`),
so the permission matrix decides what `--as` may do (docs/decisions.md, "The CLI of series
setup calls the actions").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import typer

from hashchat.actions.accounts import get_user
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ActionError
from hashchat.actions.series import SeriesChanges, do_create_series, do_edit_series
from hashchat.actions.views import SeriesView, UserView
from hashchat.cli.errors import fail
from hashchat.cli.server import DbOption, load_settings, migrated_context

app = typer.Typer(help="Series: create one and change its settings.", no_args_is_help=True)
T = TypeVar("T")

AsOption = Annotated[
    str, typer.Option("--as", help="the handle of the person doing it (her role decides)")
]
TagArgument = Annotated[str, typer.Argument(help="the hashtag, with or without '#'")]
ZonesOption = Annotated[
    str | None,
    typer.Option(
        "--zones",
        help="announcement zones, comma-separated, e.g. Europe/London,America/New_York "
        "('' for the default)",
        show_default=False,
    ),
]


def run_as(db: str | None, name: str, act: Callable[[AppContext, UserView], T]) -> T:
    """Run `act` as the person `name` on the migrated database; refusals exit 2, one line."""
    ctx = migrated_context(load_settings(db))
    try:
        return act(ctx, get_user(ctx, name))
    except ActionError as error:
        fail(error.reason)
    finally:
        ctx.store.dispose()


def split_zones(text: str | None) -> list[str] | None:
    """`--zones a,b` as a list (None: not given)."""
    if text is None:
        return None
    return [zone.strip() for zone in text.split(",") if zone.strip()]


def _print(series: SeriesView) -> None:
    zones = ", ".join(series.announcement_zones) or "default"
    typer.echo(
        f"#{series.tag}: {series.title} ({series.timezone}; {series.char_rule} "
        f"{series.char_limit}; announcement zones {zones})"
    )


@app.command("create")
def create(
    tag: TagArgument,
    title: Annotated[str, typer.Option(help="one line")],
    as_user: AsOption,
    timezone: Annotated[str, typer.Option(help="the home IANA zone")] = "UTC",
    char_rule: Annotated[str, typer.Option(help="x, mastodon, bluesky or plain")] = "x",
    char_limit: Annotated[int, typer.Option(help="1 to 10000")] = 280,
    description: Annotated[str, typer.Option(help="a few lines")] = "",
    guide: Annotated[str, typer.Option(help="the participation guide in your words")] = "",
    zones: ZonesOption = None,
    db: DbOption = None,
) -> None:
    """Create a series; the person --as names becomes its owner."""
    created = run_as(
        db,
        as_user,
        lambda ctx, actor: do_create_series(
            ctx,
            actor,
            tag.strip().lstrip("#"),
            title,
            timezone,
            char_rule,
            char_limit,
            description,
            guide,
            split_zones(zones) or [],
        ),
    )
    _print(created)


@app.command("edit")
def edit(
    tag: TagArgument,
    as_user: AsOption,
    title: Annotated[str | None, typer.Option(show_default=False)] = None,
    timezone: Annotated[str | None, typer.Option(show_default=False)] = None,
    char_rule: Annotated[str | None, typer.Option(show_default=False)] = None,
    char_limit: Annotated[int | None, typer.Option(show_default=False)] = None,
    description: Annotated[str | None, typer.Option(show_default=False)] = None,
    guide: Annotated[str | None, typer.Option(show_default=False)] = None,
    zones: ZonesOption = None,
    db: DbOption = None,
) -> None:
    """Change a series' settings (owners and co-hosts); options left out stay as they are."""
    changes = SeriesChanges(
        title=title,
        description=description,
        timezone=timezone,
        char_rule=char_rule,
        char_limit=char_limit,
        guide=guide,
        announcement_zones=split_zones(zones),
    )
    if changes == SeriesChanges():
        fail(
            "nothing to change: give at least one of --title, --timezone, --char-rule, "
            "--char-limit, --description, --guide, --zones"
        )
    _print(run_as(db, as_user, lambda ctx, actor: do_edit_series(ctx, actor, tag, changes)))
