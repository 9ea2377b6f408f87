"""The demo community: seeded through the actions, with a recap worth reading."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from hashchat.actions.accounts import check_login
from hashchat.actions.chats import get_chat
from hashchat.actions.recap import transcript_of
from hashchat.assembly import build_context
from hashchat.cli import app as cli_app
from hashchat.demo import seed_demo
from hashchat.settings import Settings
from hashchat.store.migrate import upgrade
from hashchat.store.models import ChatRow, PostRow

NOW = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)


def test_demo_seeds_a_series_with_past_upcoming_and_ready_chats(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    upgrade(url)
    ctx = build_context(Settings(database_url=url))
    passwords = iter(f"demo-password-{n}" for n in range(10))
    community = seed_demo(ctx, NOW, lambda: next(passwords))
    roles = {account.name: account.role for account in community.accounts}
    assert roles["kaizencoach"] == "owner"
    assert roles["leanlaura"] == "cohost"
    assert "moderator" in roles.values()
    for account in community.accounts:
        assert check_login(ctx, account.name, account.password).name == account.name
    past = get_chat(ctx, community.past_chat_id)
    upcoming = get_chat(ctx, community.upcoming_chat_id)
    ready = get_chat(ctx, community.ready_chat_id)
    assert upcoming.topic.startswith("Every small business hands work over")
    with ctx.store.read() as session:
        assert past.state == "closed"
        assert past.starts_at < NOW < upcoming.starts_at
        assert past.starts_at.strftime("%a %H:%M") == "Fri 17:00"
        assert ready.state == "scheduled"
        assert all(q.asked_at is not None for q in past.questions)
        row = session.get(ChatRow, community.past_chat_id)
        assert row is not None
        figures = transcript_of(session, row).figures
    assert figures.participants > 15
    assert figures.late_answers >= 1
    assert figures.hidden == 2
    assert all(q.answers > 5 for q in figures.per_question)
    # loaded through the ingest door (issue 10): reposts kept, never counted as posts
    assert figures.reposts == 3
    with ctx.store.read() as session:
        sources = set(
            session.scalars(
                sa.select(PostRow.source).where(PostRow.chat_id == community.past_chat_id)
            )
        )
        host_posts = session.scalar(
            sa.select(sa.func.count())
            .select_from(PostRow)
            .where(PostRow.chat_id == community.past_chat_id, PostRow.is_host.is_(True))
        )
    assert "" not in sources
    assert {"x.com", "bsky.social", "mastodon.social"} <= sources
    assert host_posts == 22  # kaizencoach's and leanlaura's, linked to their accounts
    ctx.store.dispose()


def test_demo_command_refuses_a_directory_as_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli_app, ["demo", "--db", str(tmp_path)])
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


@pytest.mark.parametrize("flag", ["--help"])
def test_demo_command_documents_that_the_file_is_recreated(flag: str) -> None:
    result = CliRunner().invoke(cli_app, ["demo", flag])
    assert result.exit_code == 0
    assert "recreated" in result.output
