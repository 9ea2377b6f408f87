"""`hashchat import KIND PATH --series TAG`: the last stdout line is the JSON summary, progress
goes to stderr, bad input exits 2 with `FILE:LINE: reason` and writes nothing; a re-run adds
nothing; an exported chat imports back on another database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hashchat.cli import app

FIXTURES = Path(__file__).parents[1] / "formats" / "fixtures"
runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "cli.sqlite3")
    for name in ("cafehost", "kenji"):
        added = runner.invoke(
            app, ["users", "add", name, "--password-stdin", "--db", path], input="correct horse\n"
        )
        assert added.exit_code == 0, added.output
    made = runner.invoke(
        app, ["series", "create", "CafeChat", "--title", "Café", "--as", "cafehost", "--db", path]
    )
    assert made.exit_code == 0, made.output
    return path


def _summary(output: str) -> dict[str, object]:
    last = output.strip().splitlines()[-1]
    summary: dict[str, object] = json.loads(last)
    return summary


def test_import_split_then_merge_then_rerun(db: str) -> None:
    first = runner.invoke(
        app,
        ["import", "x", str(FIXTURES / "x_host.zip"), "--series", "CafeChat", "--split",
         "--as", "cafehost", "--db", db],
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    summary = _summary(first.stdout)
    assert summary["added"] == 8
    assert summary["skipped"] == 1
    chats = summary["chats"]
    assert isinstance(chats, list)
    assert len(chats) == 1
    sheet = runner.invoke(
        app, ["import", "tags-csv", str(FIXTURES / "tags.csv"), "--series", "#CafeChat",
              "--db", db],
    )  # fmt: skip
    assert sheet.exit_code == 0, sheet.output
    assert _summary(sheet.stdout) == {
        "chats": chats, "added": 9, "updated": 1, "unchanged": 7, "skipped": 0,
    }  # fmt: skip
    again = runner.invoke(
        app, ["import", "tags-csv", str(FIXTURES / "tags.csv"), "--series", "CafeChat",
              "--db", db],
    )  # fmt: skip
    assert _summary(again.stdout)["added"] == 0


def test_bad_input_exits_2_naming_the_file_and_line(db: str) -> None:
    broken = runner.invoke(
        app,
        ["import", "x", str(FIXTURES / "x_badpart.zip"), "--series", "CafeChat", "--split",
         "--as", "cafehost", "--db", db],
    )  # fmt: skip
    assert broken.exit_code == 2
    assert "x_badpart.zip/data/tweets-part1.js:45: bad JSON" in broken.stderr
    assert broken.stdout == ""
    xml = runner.invoke(
        app, ["import", "wxr", str(FIXTURES / "wxr_broken.xml"), "--series", "CafeChat",
              "--db", db],
    )  # fmt: skip
    assert xml.exit_code == 2
    assert "wxr_broken.xml:" in xml.stderr
    no_as = runner.invoke(
        app, ["import", "jsonl", str(FIXTURES / "tags.csv"), "--series", "CafeChat",
              "--as", "kenji", "--db", db],
    )  # fmt: skip
    assert no_as.exit_code == 2
    assert "take no --as" in no_as.stderr
    unknown = runner.invoke(app, ["import", "myspace", "x", "--series", "CafeChat", "--db", db])
    assert unknown.exit_code == 2


def test_export_jsonl_imports_back_on_another_server(db: str, tmp_path: Path) -> None:
    made = runner.invoke(
        app,
        ["import", "mastodon", str(FIXTURES / "mastodon_host.zip"), "--series", "CafeChat",
         "--split", "--as", "cafehost", "--db", db],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    chat_id = _summary(made.stdout)["chats"][0]  # type: ignore[index]
    out = tmp_path / "chat.jsonl"
    exported = runner.invoke(
        app, ["export", str(chat_id), "--format", "jsonl", "-o", str(out), "--db", db]
    )
    assert exported.exit_code == 0, exported.output
    other = str(tmp_path / "other.sqlite3")
    runner.invoke(
        app,
        ["users", "add", "cafehost", "--password-stdin", "--db", other],
        input="correct horse\n",
    )
    runner.invoke(
        app, ["series", "create", "CafeChat", "--title", "C", "--as", "cafehost", "--db", other]
    )
    back = runner.invoke(app, ["import", "jsonl", str(out), "--series", "CafeChat", "--db", other])
    assert back.exit_code == 0, back.output
    assert _summary(back.stdout)["added"] == 8
    twice = runner.invoke(app, ["import", "jsonl", str(out), "--series", "CafeChat", "--db", other])
    assert _summary(twice.stdout)["added"] == 0
