"""`hashchat chats questions list|add|edit|remove|reorder CHAT_ID …`: a chat's questions for
scripted hosts, through the same actions as the console and the API (list, edit of a question
not yet posted at any time before the end; add, remove and reorder before the chat starts)."""

from __future__ import annotations

from typing import Annotated

import typer

from hashchat.actions.chats import do_edit_question, get_chat
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ActionError
from hashchat.actions.questions import do_add_question, do_remove_question, do_reorder_questions
from hashchat.actions.views import ChatView, UserView
from hashchat.cli.errors import fail
from hashchat.cli.series import AsOption, run_as
from hashchat.cli.server import DbOption, load_settings, migrated_context

app = typer.Typer(
    help="A chat's questions: list, add, edit, remove, reorder.", no_args_is_help=True
)
ChatArgument = Annotated[int, typer.Argument(help="the chat's id", min=1)]
NumberArgument = Annotated[int, typer.Argument(help="the question's number (1 for Q1)", min=1)]


def _print(chat: ChatView) -> None:
    for question in chat.questions:
        asked = f" (posted {question.asked_at:%Y-%m-%dT%H:%MZ})" if question.asked_at else ""
        typer.echo(f"Q{question.number}. {question.text}{asked}")


@app.command("list")
def list_questions(chat_id: ChatArgument, db: DbOption = None) -> None:
    """Print the chat's questions in order, with when each was posted."""
    ctx = migrated_context(load_settings(db))
    try:
        _print(get_chat(ctx, chat_id))
    except ActionError as error:
        fail(error.reason)
    finally:
        ctx.store.dispose()


@app.command("add")
def add(
    chat_id: ChatArgument,
    text: Annotated[str, typer.Argument(help="the question")],
    as_user: AsOption,
    position: Annotated[
        int | None, typer.Option(help="1 puts it first (default: last)", min=1)
    ] = None,
    db: DbOption = None,
) -> None:
    """Add a question before the chat starts."""

    def act(ctx: AppContext, actor: UserView) -> ChatView:
        return do_add_question(ctx, actor, chat_id, text, position)

    _print(run_as(db, as_user, act))


@app.command("edit")
def edit(
    chat_id: ChatArgument,
    number: NumberArgument,
    text: Annotated[str, typer.Argument(help="the new words")],
    as_user: AsOption,
    db: DbOption = None,
) -> None:
    """Reword a question that has not been posted yet."""

    def act(ctx: AppContext, actor: UserView) -> ChatView:
        do_edit_question(ctx, actor, chat_id, number, text)
        return get_chat(ctx, chat_id)

    _print(run_as(db, as_user, act))


@app.command("remove")
def remove(
    chat_id: ChatArgument, number: NumberArgument, as_user: AsOption, db: DbOption = None
) -> None:
    """Remove a question before the chat starts; the later ones move up."""

    def act(ctx: AppContext, actor: UserView) -> ChatView:
        return do_remove_question(ctx, actor, chat_id, number)

    _print(run_as(db, as_user, act))


@app.command("reorder")
def reorder(
    chat_id: ChatArgument,
    order: Annotated[str, typer.Argument(help="the current numbers in the new order: 3,1,2")],
    as_user: AsOption,
    db: DbOption = None,
) -> None:
    """Reorder the questions before the chat starts."""
    try:
        numbers = [int(part) for part in order.split(",") if part.strip()]
    except ValueError:
        fail(f"order {order!r} is not a list of numbers such as 3,1,2")

    def act(ctx: AppContext, actor: UserView) -> ChatView:
        return do_reorder_questions(ctx, actor, chat_id, numbers)

    _print(run_as(db, as_user, act))
