"""`hashchat series create|edit` and `hashchat chats schedule` on a fresh database: they run the
actions as the person `--as` names; bad input exits 2 with one line and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hashchat.actions.series import get_series
from hashchat.assembly import build_context
from hashchat.cli import app
from hashchat.settings import Settings

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "cli.sqlite3")
    for name in ("ann", "bob"):
        added = runner.invoke(
            app, ["users", "add", name, "--password-stdin", "--db", path], input="correct horse\n"
        )
        assert added.exit_code == 0, added.output
    return path


def _series(db: str, tag: str = "TeaTime") -> object:
    ctx = build_context(Settings(database_url=f"sqlite:///{db}"))
    try:
        return get_series(ctx, tag)
    finally:
        ctx.store.dispose()


def test_create_edit_and_schedule_weekly(db: str) -> None:
    created = runner.invoke(
        app,
        [
            "series", "create", "#TeaTime", "--title", "Tea time", "--timezone", "Europe/London",
            "--as", "ann", "--zones", "US/Eastern,Europe/London", "--db", db,
        ],
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert "announcement zones America/New_York, Europe/London" in created.output
    edited = runner.invoke(
        app, ["series", "edit", "teatime", "--as", "ann", "--guide", "Be kind", "--db", db]
    )
    assert edited.exit_code == 0, edited.output
    scheduled = runner.invoke(
        app,
        [
            "chats", "schedule", "TeaTime", "--as", "ann", "--start", "2027-03-19T17:00",
            "--every-weeks", "2", "--until", "2027-04-29", "--db", db,
        ],
    )  # fmt: skip
    assert scheduled.exit_code == 0, scheduled.output
    lines = scheduled.output.splitlines()
    assert (
        lines[0] == "schedule 1: Every 2 weeks on Friday at 17:00 (Europe/London), until 2027-04-29"
    )
    assert [line.split()[2] for line in lines[1:]] == [
        "2027-03-19T17:00Z",
        "2027-04-02T16:00Z",  # summer time
        "2027-04-16T16:00Z",
    ]
    detail = _series(db)
    assert detail.series.guide == "Be kind"  # type: ignore[attr-defined]
    assert len(detail.chats) == 3  # type: ignore[attr-defined]
    assert all(
        chat.starts_at > datetime(2027, 1, 1, tzinfo=UTC)
        for chat in detail.chats  # type: ignore[attr-defined]
    )


def test_a_single_chat_with_questions(db: str) -> None:
    runner.invoke(app, ["series", "create", "TeaTime", "--title", "T", "--as", "ann", "--db", db])
    result = runner.invoke(
        app,
        [
            "chats", "schedule", "TeaTime", "--as", "ann", "--start", "2099-01-02T10:00+01:00",
            "--question", "Why?", "--question", "How?", "--title", "Once", "--db", db,
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith("chat 1: 2099-01-02T09:00Z")
    [chat] = _series(db).chats  # type: ignore[attr-defined]
    assert [q.text for q in chat.questions] == ["Why?", "How?"]


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        (["series", "edit", "TeaTime", "--as", "bob", "--title", "x"], "may not edit_series"),
        (["series", "edit", "TeaTime", "--as", "ann"], "nothing to change"),
        (["series", "edit", "TeaTime", "--as", "ann", "--title", "a\x00b"], "control"),
        (["series", "edit", "TeaTime", "--as", "ann", "--zones", "localtime"], "localtime"),
        (["series", "edit", "TeaTime", "--as", "ann", "--char-limit", "99999999999"], "char_limit"),
        (["series", "edit", "Nope", "--as", "ann", "--title", "x"], "no series #Nope"),
        (["series", "create", "1bad", "--title", "x", "--as", "ann"], "not a hashtag"),
        (["series", "create", "TeaTlme", "--title", "x", "--as", "ann"], "looks like"),
        (["series", "create", "Other", "--title", "x", "--as", "nobody"], "no user"),
        (["chats", "schedule", "TeaTime", "--as", "bob", "--start", "2099-01-01T10:00"], "may not"),
        (["chats", "schedule", "TeaTime", "--as", "ann", "--start", "soon"], "--start"),
        (["chats", "schedule", "TeaTime", "--as", "ann", "--start", "2020-01-01T10:00"], "future"),
        (
            ["chats", "schedule", "TeaTime", "--as", "ann", "--start", "9999-12-31T23:59"],
            "between",
        ),
        (
            [
                "chats",
                "schedule",
                "TeaTime",
                "--as",
                "ann",
                "--start",
                "2099-01-01T10:00",
                "--weekly",
                "--every-weeks",
                "2",
            ],
            "not both",
        ),
        (
            [
                "chats",
                "schedule",
                "TeaTime",
                "--as",
                "ann",
                "--start",
                "2099-01-01T10:00",
                "--until",
                "2099-02-01",
            ],
            "--until needs",
        ),
        (
            [
                "chats",
                "schedule",
                "TeaTime",
                "--as",
                "ann",
                "--start",
                "2099-01-01T10:00",
                "--every-weeks",
                "99999999999",
            ],
            "interval",
        ),
        (
            [
                "chats",
                "schedule",
                "TeaTime",
                "--as",
                "ann",
                "--start",
                "2099-01-01T10:00",
                "--duration",
                "0",
            ],
            "duration",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(db: str, arguments: list[str], reason: str) -> None:
    runner.invoke(app, ["series", "create", "TeaTime", "--title", "T", "--as", "ann", "--db", db])
    result = runner.invoke(app, [*arguments, "--db", db])
    assert result.exit_code == 2, result.output
    assert reason in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert _series(db).chats == ()  # type: ignore[attr-defined]
    assert _series(db).series.title == "T"  # type: ignore[attr-defined]
