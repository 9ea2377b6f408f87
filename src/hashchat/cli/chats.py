"""`hashchat chats schedule`: one chat, or chats every N weeks, as the person `--as` names."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer

from hashchat.actions.context import AppContext
from hashchat.actions.schedule import (
    Scheduled,
    do_create_schedule,
    do_schedule_chat,
    wall_to_instant,
)
from hashchat.actions.series import get_series
from hashchat.actions.views import UserView
from hashchat.cli import questions
from hashchat.cli.errors import fail
from hashchat.cli.series import AsOption, TagArgument, run_as
from hashchat.cli.server import DbOption
from hashchat.domain.schedule import load_zone

app = typer.Typer(help="Chats: schedule them, write their questions.", no_args_is_help=True)
app.add_typer(questions.app, name="questions")


def _parse_start(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        fail(f"--start {text!r} is not a date and time such as 2026-12-11T17:00")


def _parse_until(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        fail(f"--until {text!r} is not a date such as 2027-06-25")


@app.command("schedule")
def schedule(
    tag: TagArgument,
    as_user: AsOption,
    start: Annotated[
        str,
        typer.Option(
            help="the (first) chat: wall time in the series' zone, 2026-12-11T17:00; an offset "
            "(…Z, …+01:00) is honoured"
        ),
    ],
    title: Annotated[str | None, typer.Option(help="default: the series' title")] = None,
    duration: Annotated[int, typer.Option(help="minutes, 1 to 10080")] = 60,
    weekly: Annotated[bool, typer.Option("--weekly", help="repeat every week")] = False,
    every_weeks: Annotated[
        int | None, typer.Option(help="repeat every N weeks", show_default=False)
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="last local date of a repeat, 2027-06-25")
    ] = None,
    question: Annotated[
        list[str] | None, typer.Option(help="a question of a single chat; repeatable")
    ] = None,
    db: DbOption = None,
) -> None:
    """Schedule one chat, or chats every week (--weekly) or every N weeks (--every-weeks N),
    DST-correct in the series' zone. Prints one line per chat made."""
    if weekly and every_weeks is not None:
        fail("choose one of --weekly and --every-weeks, not both")
    repeat = 1 if weekly else every_weeks
    if repeat is None and until is not None:
        fail("--until needs --weekly or --every-weeks")
    if repeat is not None and question:
        fail("--question is for a single chat; write a repeat's questions in each chat")
    first = _parse_start(start)
    last = _parse_until(until)

    def act(ctx: AppContext, actor: UserView) -> tuple[Scheduled, str]:
        series = get_series(ctx, tag).series
        chat_title = title if title is not None else series.title
        if repeat is not None:
            made = do_create_schedule(
                ctx,
                actor,
                tag,
                title=chat_title,
                first_start=first,
                duration_minutes=duration,
                every_weeks=repeat,
                until=last,
            )
        else:
            instant = first if first.tzinfo else wall_to_instant(first, series.timezone)
            made = do_schedule_chat(
                ctx,
                actor,
                tag,
                title=chat_title,
                starts_at=instant,
                duration_minutes=duration,
                questions=question or [],
            )
        return made, series.timezone

    made, zone = run_as(db, as_user, act)
    if made.schedule is not None:
        typer.echo(f"schedule {made.schedule.id}: {made.schedule.summary}")
    for chat in made.chats:
        local = chat.starts_at.astimezone(load_zone(zone))
        typer.echo(
            f"chat {chat.id}: {chat.starts_at:%Y-%m-%dT%H:%MZ} "
            f"({local:%a %d %b %Y, %H:%M %Z}) {chat.title}"
        )
