"""`hashchat recap`: every format from a real file, and bad input as exit 2 with no output."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hashchat.cli import app
from hashchat.samples import SAMPLE_CHAT_PATH

runner = CliRunner()
SAMPLE = str(SAMPLE_CHAT_PATH)
BASE = ["recap", SAMPLE, "--tag", "#KaizenBiz", "--host", "kaizencoach"]


def lines(*records: str) -> str:
    return "\n".join(records) + "\n"


def record(post_id: str, time: str, text: str, author: str = "tom", extra: str = "") -> str:
    return (
        f'{{"id": "{post_id}", "author": "{author}", "text": "{text}", '
        f'"created_at": "2026-11-20T{time}Z"{extra}}}'
    )


SMALL_CHAT = lines(
    record("q1", "17:06:00", "Q1 What paid off?", "host"),
    record("a", "17:07:00", "A1 photos"),
    record("late", "19:30:00", "A1 templates", "nikora"),
)


def test_default_is_markdown_of_the_sample() -> None:
    result = runner.invoke(app, BASE)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# #KaizenBiz recap, 2026-11-20\n")
    assert "## Q6. Commit time 🙌" in result.stdout
    assert "| Hidden by moderators | 2 |" in result.stdout
    assert "bit.ly" not in result.stdout


def test_json_has_the_late_answer_flagged_late() -> None:
    result = runner.invoke(app, [*BASE, "--format", "json"])
    assert result.exit_code == 0, result.output
    posts = json.loads(result.stdout)["posts"]
    nikora = [p for p in posts if p["author"] == "nikora.bsky.social"]
    assert [(p["question"], p["late"]) for p in nikora] == [(1, True), (3, True), (4, True)]
    assert {p["created_at"] for p in nikora} == {"2026-11-20T19:10:00Z"}


def test_csv_and_html_and_output_file(tmp_path: Path) -> None:
    result = runner.invoke(app, [*BASE, "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert any(r["text"].startswith("'@") or r["late"] == "true" for r in rows)
    out = tmp_path / "recap.html"
    result = runner.invoke(app, [*BASE, "-f", "html", "-o", str(out)])
    assert (result.exit_code, result.stdout) == (0, "")
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_stdin_window_options_and_hide() -> None:
    args = ["recap", "-", "--tag", "Chat", "--host", "@host", "-f", "json"]
    default = json.loads(runner.invoke(app, args, input=SMALL_CHAT).stdout)
    assert default["chat"]["tag"] == "#Chat"
    assert [p["late"] for p in default["posts"] if p["id"] == "late"] == [True]
    longer = runner.invoke(app, [*args, "--duration", "180"], input=SMALL_CHAT)
    assert [p["late"] for p in json.loads(longer.stdout)["posts"] if p["id"] == "late"] == [False]
    ended = runner.invoke(app, [*args, "--end", "2026-11-20T17:06:30+00:00"], input=SMALL_CHAT)
    assert [p["late"] for p in json.loads(ended.stdout)["posts"] if p["id"] == "a"] == [True]
    hidden = runner.invoke(app, [*args, "--hide", "a"], input=SMALL_CHAT)
    document = json.loads(hidden.stdout)
    assert [p["id"] for p in document["posts"]] == ["q1", "late"]
    assert document["figures"]["hidden"] == 1


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["missing.jsonl"], None, "cannot read missing.jsonl"),
        (
            ["-"],
            lines(record("a", "17:00:00", "hi"), '{"id": 2'),
            "stdin: line 2: is not valid JSON",
        ),
        (
            ["-"],
            lines(record("a", "yesterday", "hi")),
            'stdin: line 1: "created_at" is not an ISO 8601',
        ),
        (
            ["-"],
            lines(record("a", "17:00:00", "hi"), record("a", "17:01:00", "x")),
            "duplicate id 'a' (first on line 1)",
        ),
        (["-"], "", "stdin: there are no posts"),
        (
            ["-"],
            lines(record("q1", "17:06:00", "Q1 What paid off?", "guest")),
            "no question posts (Q1, Q2, …) from the host(s) host; check the handles",
        ),
        (["-", "--end", "2026-11-20T17:00:00"], SMALL_CHAT, "--end has no UTC offset"),
        (
            ["-", "--end", "2026-11-20T17:00:00Z"],
            SMALL_CHAT,
            "the live hour must end after it starts",
        ),
        (
            ["-", "--end", "2026-11-20T19:00:00Z", "--duration", "30"],
            SMALL_CHAT,
            "give --end or --duration",
        ),
        (["-", "--hide", "nope"], SMALL_CHAT, "--hide names no post in the file: nope"),
        (["-", "--tag", "two words"], SMALL_CHAT, "--tag must be one hashtag"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_output(
    args: list[str], stdin: str | None, message: str
) -> None:
    command = ["recap", *args[:1], "--tag", "#Chat", "--host", "host", *args[1:]]
    result = runner.invoke(app, command, input=stdin)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr


def test_invalid_utf8_on_stdin() -> None:
    raw = record("a", "17:00:00", "hi").encode() + b"\n" + b'{"text": "caf\xe9"}\n'
    result = runner.invoke(app, ["recap", "-", "--tag", "#Chat", "--host", "host"], input=raw)
    assert result.exit_code == 2
    assert "stdin: line 2: is not valid UTF-8" in result.stderr


def test_unwritable_output_is_bad_input(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "dir.md"
    result = runner.invoke(app, [*BASE, "-o", str(target)])
    assert result.exit_code == 2
    assert "cannot write" in result.stderr
    assert not target.exists()
