"""`kill -9` of `hashchat serve` while posts arrive on Mastodon: started again, the server's
bridge resumes from its stored cursor; the chat's posts compared by external identity with what
was posted: nothing missing, nothing twice."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from mastodon_server import TOKEN, LocalMastodon

from hashchat.actions import bridges
from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.series import do_create_series
from hashchat.bridges.registry import verify_login
from hashchat.settings import Settings
from hashchat.store.migrate import upgrade
from hashchat.store.models import PostRow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "durability"))
from durability_support import Server

KEY = "a-long-random-test-key-0123456789"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, AppContext]]:
    from hashchat.assembly import build_context

    monkeypatch.setenv("HASHCHAT_SECRET_KEY", KEY)  # the server inherits it
    url = f"sqlite:///{tmp_path / 'kill.sqlite3'}"
    upgrade(url)
    ctx = build_context(Settings(database_url=url))
    yield url, ctx
    ctx.store.dispose()


def _filed(ctx: AppContext, chat_id: int) -> list[str]:
    with ctx.store.read() as session:
        return [
            str(external_id)
            for external_id in session.scalars(
                sa.select(PostRow.external_id).where(
                    PostRow.chat_id == chat_id, PostRow.network == "mastodon"
                )
            )
        ]


def test_a_killed_server_resumes_without_loss_or_duplicates(
    database: tuple[str, AppContext], mastodon: LocalMastodon, tmp_path: Path
) -> None:
    url, ctx = database
    host = do_register(ctx, "owner", "correct horse battery")
    do_create_series(ctx, host, "EduChat", "A chat about teaching", "Europe/London")
    fields = {"instance": mastodon.base_url, "access_token": TOKEN}
    bridges.do_connect_bridge(ctx, host, "EduChat", "mastodon", fields, verify_login)
    chat = do_create_chat(ctx, host, "EduChat", "Assessment", ctx.now(), 60, ["Why?"])
    do_start_chat(ctx, host, chat.id)
    server = Server(url, tmp_path)
    posted: list[str] = []

    def post_steadily() -> None:  # 20 posts a second for 4 seconds
        for n in range(80):
            posted.append(mastodon.post_as(f"user{n % 7}", f"A1 answer {n} #EduChat")["id"])
            time.sleep(0.05)

    server.start()
    try:
        deadline = time.monotonic() + 30
        while not mastodon.state.listeners:  # the bridge follows the stream
            assert time.monotonic() < deadline, "the bridge never connected"
            time.sleep(0.1)
        writer = threading.Thread(target=post_steadily)
        writer.start()
        time.sleep(1.5)
        server.kill()
        assert 0 < len(_filed(ctx, chat.id)) < 80  # it was killed mid-stream
        time.sleep(0.5)
        server.start()
        writer.join()
        deadline = time.monotonic() + 120  # generous: the box may be loaded by other tests
        while len(_filed(ctx, chat.id)) < len(posted):
            assert time.monotonic() < deadline, f"{len(_filed(ctx, chat.id))} of {len(posted)}"
            time.sleep(0.2)
    finally:
        server.stop()
    filed = _filed(ctx, chat.id)
    assert sorted(filed) == sorted(posted)  # nothing missing
    assert len(filed) == len(set(filed))  # nothing twice
