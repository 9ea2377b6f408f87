"""`hashchat export CHAT_ID --format jsonl [-o FILE] [--db]`: the header line, then the posts;
`hashchat recap` reads the file; an unknown chat exits 2 with one line and writes no file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from hashchat.actions.accounts import get_user
from hashchat.actions.chats import do_create_chat
from hashchat.assembly import build_context
from hashchat.cli import app
from hashchat.demo import seed_demo
from hashchat.settings import Settings
from hashchat.store.migrate import upgrade

runner = CliRunner()
NOW = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)


def _demo_db(tmp_path: Path) -> tuple[str, int]:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    upgrade(url)
    ctx = build_context(Settings(database_url=url, argon2_time_cost=1, argon2_memory_kib=1024))
    try:
        return url, seed_demo(ctx, NOW).past_chat_id
    finally:
        ctx.store.dispose()


def test_export_writes_the_header_then_every_post(tmp_path: Path) -> None:
    url, chat_id = _demo_db(tmp_path)
    result = runner.invoke(app, ["export", str(chat_id), "--format", "jsonl", "--db", url])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    header, posts = lines[0], lines[1:]
    assert header["type"] == "chat"
    assert header["series"] == "KaizenBiz"
    assert [q["number"] for q in header["questions"]] == [1, 2, 3, 4, 5, 6]
    assert len(posts) == 149  # the sample's posts, the hidden and the reposts included
    assert sum(p["hidden"] for p in posts) == 2
    assert sum(p["is_repost"] for p in posts) == 3
    assert {p["network"] for p in posts} == {"x", "mastodon", "bluesky"}
    assert all(p["external_id"] and p["source"] for p in posts)


def test_export_to_a_file_is_read_by_recap(tmp_path: Path) -> None:
    url, chat_id = _demo_db(tmp_path)
    out = tmp_path / "chat.jsonl"
    result = runner.invoke(app, ["export", str(chat_id), "-o", str(out), "--db", url])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith('{"type":"chat"')
    recap = runner.invoke(
        app, ["recap", str(out), "--tag", "#KaizenBiz", "--host", "kaizencoach", "--format", "json"]
    )
    assert recap.exit_code == 0, recap.output
    assert json.loads(recap.stdout)["figures"]["reposts"] == 3


def test_unknown_chat_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    url, _ = _demo_db(tmp_path)
    out = tmp_path / "chat.jsonl"
    result = runner.invoke(app, ["export", "999", "-o", str(out), "--db", url])
    assert result.exit_code == 2
    assert "no chat 999" in result.stderr
    assert not out.exists()
    assert list(tmp_path.glob(".chat.jsonl.*")) == []


def test_export_wxr_writes_a_blog_post_that_import_wxr_reads_back(tmp_path: Path) -> None:
    """`--format wxr`: one post with the questions, the answers as comments; `hashchat import
    wxr` files them into another chat, the hidden posts and reposts left out."""
    url, chat_id = _demo_db(tmp_path)
    out = tmp_path / "chat.xml"
    result = runner.invoke(
        app, ["export", str(chat_id), "--format", "wxr", "-o", str(out), "--db", url]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8" ?>')
    assert text.count("<wp:comment>") == 149 - 2 - 3  # the posts shown (Q1-Q6 among them)
    ctx = build_context(Settings(database_url=url, argon2_time_cost=1, argon2_memory_kib=1024))
    try:
        owner = get_user(ctx, "kaizencoach")
        blank = do_create_chat(ctx, owner, "KaizenBiz", "From the blog", NOW, 60, ["Blog?"]).id
    finally:
        ctx.store.dispose()
    again = runner.invoke(
        app,
        ["import", "wxr", str(out), "--series", "KaizenBiz", "--chat", str(blank), "--db", url],
    )
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout.strip().splitlines()[-1])
    assert summary["added"] == 149 - 2 - 3, summary


def test_export_an_unknown_format_exits_2(tmp_path: Path) -> None:
    url, chat_id = _demo_db(tmp_path)
    result = runner.invoke(app, ["export", str(chat_id), "--format", "pdf", "--db", url])
    assert result.exit_code == 2
