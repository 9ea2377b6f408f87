"""`hashchat users add` and `hashchat users token` on a fresh database."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hashchat.actions.accounts import resolve_token
from hashchat.assembly import build_context
from hashchat.cli import app
from hashchat.settings import Settings


def test_users_add_then_token_gives_a_working_bearer_token(tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite3"
    runner = CliRunner()
    added = runner.invoke(
        app,
        ["users", "add", "Alice", "--password-stdin", "--admin", "--db", str(db)],
        input="a good password\n",
    )
    assert added.exit_code == 0, added.output
    assert "alice (admin)" in added.output
    issued = runner.invoke(app, ["users", "token", "alice", "--db", str(db)])
    assert issued.exit_code == 0
    token = issued.output.strip()
    ctx = build_context(Settings(database_url=f"sqlite:///{db}"))
    try:
        user = resolve_token(ctx, token)
    finally:
        ctx.store.dispose()
    assert user is not None
    assert (user.name, user.is_admin) == ("alice", True)


def test_bad_input_exits_2_with_a_reason(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.sqlite3")
    runner = CliRunner()
    no_stdin = runner.invoke(app, ["users", "add", "bob", "--db", db])
    assert no_stdin.exit_code == 2
    assert "--password-stdin" in no_stdin.output
    short = runner.invoke(app, ["users", "add", "bob", "--password-stdin", "--db", db], input="x\n")
    assert short.exit_code == 2
    assert "at least 8" in short.output
    unknown = runner.invoke(app, ["users", "token", "nobody", "--db", db])
    assert unknown.exit_code == 2
    assert "nobody" in unknown.output


def test_serve_and_stack_refuse_bad_scale_out_options(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.sqlite3")
    runner = CliRunner()
    bad_fanout = runner.invoke(app, ["serve", "--db", db, "--fanout", "carrier-pigeon"])
    assert bad_fanout.exit_code == 2
    assert "inprocess, nchan" in bad_fanout.output
    no_publisher = runner.invoke(app, ["serve", "--db", db, "--fanout", "nchan"])
    assert no_publisher.exit_code == 2
    assert "--nchan-publish" in no_publisher.output
    no_redis = runner.invoke(app, ["stack", "up", "--db", db, "--workers", "2"])
    assert no_redis.exit_code == 2
    assert "--redis" in no_redis.output
    nothing = runner.invoke(app, ["stack", "down", "--run-dir", str(tmp_path / "none")])
    assert nothing.exit_code == 2
    assert "no stack is recorded" in nothing.output
