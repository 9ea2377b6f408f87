"""`hashchat chats questions list|add|edit|remove|reorder` (issue 9): the same actions as the
console; refusals exit 2 with one line and change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hashchat.actions.accounts import do_register, get_user
from hashchat.actions.chats import do_create_chat, do_start_chat, get_chat
from hashchat.actions.series import do_create_series
from hashchat.assembly import build_context
from hashchat.cli import app
from hashchat.settings import Settings
from hashchat.store.migrate import upgrade

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "cli.sqlite3")
    upgrade(f"sqlite:///{path}")
    ctx = build_context(Settings(database_url=f"sqlite:///{path}"))
    try:
        host = do_register(ctx, "ann", "correct horse battery")
        do_register(ctx, "bob", "correct horse battery")
        do_create_series(ctx, host, "TeaTime", "Tea time", "UTC")
        start = datetime.now(UTC) + timedelta(days=1)
        do_create_chat(ctx, host, "TeaTime", "Brews", start, 60, ["Green?", "Black?"])
    finally:
        ctx.store.dispose()
    return path


def _run(db: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["chats", "questions", *args, "--db", db])
    return result.exit_code, result.output


def _texts(db: str) -> list[str]:
    ctx = build_context(Settings(database_url=f"sqlite:///{db}"))
    try:
        return [q.text for q in get_chat(ctx, 1).questions]
    finally:
        ctx.store.dispose()


def test_list_add_edit_reorder_remove(db: str) -> None:
    assert _run(db, "list", "1") == (0, "Q1. Green?\nQ2. Black?\n")
    code, out = _run(db, "add", "1", "Oolong?", "--as", "ann")
    assert (code, out.splitlines()[-1]) == (0, "Q3. Oolong?")
    assert _run(db, "edit", "1", "1", "Green or white?", "--as", "ann")[0] == 0
    assert _run(db, "reorder", "1", "3,1,2", "--as", "ann")[0] == 0
    assert _texts(db) == ["Oolong?", "Green or white?", "Black?"]
    code, out = _run(db, "remove", "1", "2", "--as", "ann")
    assert (code, out) == (0, "Q1. Oolong?\nQ2. Black?\n")


def test_refusals_exit_2_and_change_nothing(db: str) -> None:
    assert _run(db, "add", "1", "Mine?", "--as", "bob")[0] == 2  # not a host
    assert _run(db, "reorder", "1", "1,1", "--as", "ann")[0] == 2
    assert _run(db, "reorder", "1", "one,two", "--as", "ann")[0] == 2
    assert _run(db, "list", "9")[0] == 2
    assert _texts(db) == ["Green?", "Black?"]


def test_after_the_start_only_unasked_questions_are_reworded(db: str) -> None:
    ctx = build_context(Settings(database_url=f"sqlite:///{db}"))
    try:
        do_start_chat(ctx, get_user(ctx, "ann"), 1)
    finally:
        ctx.store.dispose()
    code = _run(db, "add", "1", "Late?", "--as", "ann")[0]
    assert code == 2
    assert _run(db, "edit", "1", "2", "Black or pu-erh?", "--as", "ann")[0] == 0
    assert _texts(db) == ["Green?", "Black or pu-erh?"]
