"""Every CLI option fed extreme numbers, dates at the ends of the calendar and control
characters: each run exits 0 or 2 with a one-line message, never 1 with a traceback
(issue 8, points 13 and 16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hashchat.cli import app

runner = CliRunner()

HUGE_INTS = ["99999999999999999999", "99999999999", "2147483648", "-99999999999", "0", "-1"]
EDGE_TIMES = [
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:30:00-01:00",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00Z",
    "1969-12-31T23:59:00Z",
    "2200-01-01T00:01:00Z",
]
EDGE_WALL_TIMES = ["9999-12-31T23:59", "0001-01-01T00:00", "1969-12-31T23:00", "2200-01-02T00:00"]
EDGE_DATES = ["9999-12-31", "0001-01-01", "1969-12-31", "2200-01-02"]
CONTROLS = ["a\nb", "a\rb", "a\x0bb", "a\x00b", "a\x85b", "a\u2028b", "a\x1bb", "a\x7fb"]
ZONES = ["localtime", "Factory", "posixrules", "../etc", "/etc/localtime", "right/UTC", "UTC\n"]

CALENDAR = ["calendar", "--tag", "#K", "--timezone", "Pacific/Kiritimati", "--start"]
WEEKLY = [*CALENDAR, "2026-12-04T17:00", "--weekly"]
POSTS = '{"id": 1, "author": "host", "text": "Q1 What?", "created_at": "2026-01-09T17:00:00Z"}\n'


def _cases() -> list[tuple[str, list[str]]]:
    cases: list[tuple[str, list[str]]] = []
    for when in EDGE_TIMES:
        cases.append(("when", ["when", when, "--zones", "Pacific/Kiritimati,Etc/GMT+12"]))
    for zone in ZONES + CONTROLS:
        cases.append(("when --zones", ["when", "2026-01-09T17:00Z", "--zones", zone]))
        cases.append(("calendar --timezone", [*CALENDAR[:4], zone, "--start", "2026-12-04T17:00"]))
    for wall in EDGE_WALL_TIMES + EDGE_TIMES:
        cases.append(("calendar --start", [*CALENDAR, wall]))
    for number in HUGE_INTS:
        cases.append(("calendar --duration", [*WEEKLY, "--duration", number]))
        cases.append(("calendar --count", [*WEEKLY, "--count", number]))
        cases.append(
            ("calendar --every-weeks", [*CALENDAR, "2026-12-04T17:00", "--every-weeks", number])
        )
        cases.append(
            ("calendar --monthly-nth", [*CALENDAR, "2026-12-04T17:00", "--monthly-nth", number])
        )
        cases.append(("text measure --limit", ["text", "measure", "hello", "--limit", number]))
    for day in EDGE_DATES:
        cases.append(("calendar --until", [*WEEKLY, "--until", day]))
        cases.append(("calendar --skip", [*WEEKLY, "--skip", day]))
    for text in CONTROLS:
        for option in ("--title", "--tag", "--url", "--chat-id"):
            cases.append((f"calendar {option}", [*CALENDAR, "2026-12-04T17:00", option, text]))
        cases.append(("calendar --guide", [*CALENDAR, "2026-12-04T17:00", "--guide", text]))
    return cases


@pytest.mark.parametrize(("what", "args"), _cases(), ids=lambda v: v if isinstance(v, str) else "")
def test_hostile_options_exit_0_or_2_with_one_line(what: str, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        what,
        repr(result.exception),
    )
    assert result.exit_code in (0, 2), (what, result.exit_code, result.output)
    if result.exit_code == 2:
        message = result.stderr.strip()
        assert message.startswith("hashchat: error: ") or "Usage:" in result.stderr, message
        assert "Traceback" not in result.output
    if what.startswith("calendar") and result.exit_code == 0:
        for line in result.stdout_bytes.split(b"\r\n"):
            assert b"\n" not in line
            assert b"\r" not in line
            assert b"\x0b" not in line


@pytest.mark.parametrize(
    "args",
    [
        ["when", "9999-12-31T23:59:59Z", "--zones", "Pacific/Kiritimati"],
        [*CALENDAR, "2026-12-04T17:00", "--title", "a\nb"],
        [*CALENDAR, "2026-12-04T17:00", "--every-weeks", "99999999999"],
        [*WEEKLY, "--duration", "99999999999999999999"],
        ["when", "2026-01-09T17:00Z", "--zones", "localtime"],
    ],
)
def test_the_audited_examples_exit_2(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("hashchat: error: ")
    assert result.stderr.count("\n") == 1


def _recap(tmp_path: Path, content: str, *extra: str) -> tuple[int, str]:
    path = tmp_path / "posts.jsonl"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["recap", str(path), "--tag", "#K", "--host", "host", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result.exit_code, result.stderr


@pytest.mark.parametrize(
    "content",
    [
        "[" * 100_000 + "\n",
        "{" * 100_000 + "\n",
        '{"a":' * 50_000 + "\n",
        *(POSTS.replace("2026-01-09T17:00:00Z", when) for when in EDGE_TIMES),
    ],
    ids=lambda content: content[:20],
)
def test_hostile_recap_files_exit_2_naming_the_line(tmp_path: Path, content: str) -> None:
    code, message = _recap(tmp_path, content)
    assert code == 2
    assert message.startswith("hashchat: error: ")
    assert "line 1" in message


@pytest.mark.parametrize(
    "extra",
    [["--duration", number] for number in ("99999999999999999999", "99999999999", "10081")]
    + [["--start", when] for when in EDGE_TIMES]
    + [["--end", when] for when in EDGE_TIMES],
)
def test_hostile_recap_options_exit_2(tmp_path: Path, extra: list[str]) -> None:
    code, message = _recap(tmp_path, POSTS, *extra)
    assert code == 2, message
    assert message.startswith("hashchat: error: ")


@pytest.mark.parametrize(
    ("stdin", "length"),
    [("hello\n", 5), ("hello\r\n", 5), ("hello", 5), ("hello\n\n", 6), ("\n", 0)],
)
def test_text_from_stdin_loses_one_final_newline(stdin: str, length: int) -> None:
    result = runner.invoke(app, ["text", "measure", "-", "--network", "plain"], input=stdin)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["length"] == length


@pytest.mark.parametrize(
    ("option", "value"),
    [("--timezone", zone) for zone in ZONES if zone.strip() != "UTC"]
    + [("--display-name", text) for text in CONTROLS],
)
def test_users_add_refuses_hostile_zones_and_names(tmp_path: Path, option: str, value: str) -> None:
    database = f"sqlite:///{tmp_path / 'users.sqlite3'}"
    result = runner.invoke(
        app,
        ["users", "add", "someone", "--password-stdin", "--db", database, option, value],
        input="correct horse battery\n",
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("hashchat: error: ")
    assert result.stderr.count("\n") == 1
