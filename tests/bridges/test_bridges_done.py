"""Issue 11's "Done means", end to end with `hashchat serve` as a child process: one chat runs in
the room, on the real local PDS and on the local Mastodon server at once. Our questions appear
on both networks; answers posted on each network and in the room land under the right question
(an untagged reply to our Q1 post there under Q1 after Q2 was asked); the server is killed with
SIGKILL while posts arrive on both networks and started again, and the chat's posts compared by
external identity with what was posted: nothing missing, nothing twice; the recap counts people
per network."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from bridge_support import KEY, questions_of, wait_for
from mastodon_server import TOKEN, LocalMastodon
from pds_support import LocalPds

from hashchat.actions import bridges
from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_next_question, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.outbox import register_consumer
from hashchat.actions.posts import do_create_post
from hashchat.actions.recap import render_recap
from hashchat.actions.series import do_create_series
from hashchat.bridges.bluesky import BlueskyAccount, Posted
from hashchat.bridges.registry import verify_login
from hashchat.bridges.runner import CONSUMER
from hashchat.settings import Settings
from hashchat.store.migrate import upgrade
from hashchat.store.models import PostRow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "durability"))
import durability_support
from durability_support import Server

MASTODON_POSTS = 80  # 20 a second for 4 seconds
BLUESKY_POSTS = 40  # 10 a second for 4 seconds


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, AppContext]]:
    from hashchat.web.app import build_context

    monkeypatch.setenv("HASHCHAT_SECRET_KEY", KEY)  # the server inherits it
    url = f"sqlite:///{tmp_path / 'done.sqlite3'}"
    upgrade(url)
    ctx = build_context(Settings(database_url=url))
    yield url, ctx
    ctx.store.dispose()


def _filed(ctx: AppContext, chat_id: int, network: str) -> list[str]:
    with ctx.store.read() as session:
        return [
            str(external_id)
            for external_id in session.scalars(
                sa.select(PostRow.external_id).where(
                    PostRow.chat_id == chat_id, PostRow.network == network
                )
            )
        ]


def _steadily(count: int, every: float, post: Callable[[int], str], into: list[str]) -> None:
    for n in range(count):
        into.append(post(n))
        time.sleep(every)


def _question_ref(account: BlueskyAccount, uri: str, url: str | None) -> Posted:
    repo, _, rkey = uri.removeprefix("at://").partition("/app.bsky.feed.post/")
    record = account.client.com.atproto.repo.get_record(
        {"repo": repo, "collection": "app.bsky.feed.post", "rkey": rkey}
    )
    return Posted(uri, str(record.cid), url)


def test_one_chat_on_the_room_the_pds_and_mastodon_survives_a_kill(
    database: tuple[str, AppContext],
    pds: LocalPds,
    mastodon: LocalMastodon,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(durability_support, "STARTUP_SECONDS", 120)  # a loaded box starts slowly
    url, ctx = database
    host = do_register(ctx, "owner", "correct horse battery")
    reader = do_register(ctx, "reader", "correct horse battery")
    do_create_series(ctx, host, "EduChat", "A chat about teaching", "Europe/London")
    on_bluesky = bridges.do_connect_bridge(
        ctx,
        host,
        "EduChat",
        "bluesky",
        {
            "service": pds.service,
            "handle": "chathost.test",
            "app_password": pds.password,
            "firehose": pds.firehose,
        },
        verify_login,
    )
    on_mastodon = bridges.do_connect_bridge(
        ctx,
        host,
        "EduChat",
        "mastodon",
        {"instance": mastodon.base_url, "access_token": TOKEN},
        verify_login,
    )
    register_consumer(ctx, CONSUMER)  # the server posts our chat's posts from here on
    chat = do_create_chat(
        ctx, host, "EduChat", "Assessment", ctx.now(), 60, ["What do you teach?", "How?"]
    )
    server = Server(url, tmp_path)
    mastodon_posted: list[str] = []
    bluesky_posted: list[str] = []
    try:
        server.start()
        do_start_chat(ctx, host, chat.id)
        do_next_question(ctx, host, chat.id)
        wait_for(
            lambda: all(
                bridges.bridge_post(ctx, b.id, chat.id, "question", 1) is not None
                for b in (on_bluesky, on_mastodon)
            ),
            seconds=60,
        )  # Q1 is on both networks, posted by the server's outbox consumer
        m_q1 = bridges.bridge_post(ctx, on_mastodon.id, chat.id, "question", 1)
        b_q1 = bridges.bridge_post(ctx, on_bluesky.id, chat.id, "question", 1)
        assert m_q1 is not None
        assert b_q1 is not None
        assert any("Q1 What do you teach?" in s["content"] for s in mastodon.statuses())
        wait_for(lambda: bool(mastodon.state.listeners), seconds=60)  # the bridges follow
        time.sleep(2)  # and the firehose is open

        alice = BlueskyAccount(pds.service, "alice.test", pds.password)
        bob = BlueskyAccount(pds.service, "bob.test", pds.password)
        alice.verify()
        bob.verify()
        writers = [
            threading.Thread(
                target=_steadily,
                args=(
                    MASTODON_POSTS,
                    0.05,
                    lambda n: mastodon.post_as(f"user{n % 7}", f"A1 answer {n} #EduChat")["id"],
                    mastodon_posted,
                ),
            ),
            threading.Thread(
                target=_steadily,
                args=(
                    BLUESKY_POSTS,
                    0.1,
                    lambda n: (
                        (alice if n % 2 else bob).post(f"A1 answer {n}", "EduChat").external_id
                    ),
                    bluesky_posted,
                ),
            ),
        ]
        for writer in writers:
            writer.start()
        time.sleep(1.5)
        server.kill()  # SIGKILL while posts arrive on both networks
        filed_at_kill = len(_filed(ctx, chat.id, "mastodon")) + len(_filed(ctx, chat.id, "bluesky"))
        time.sleep(0.5)
        server.start()
        for writer in writers:
            writer.join()

        # After the restart: Q2, then an untagged reply to each network's Q1 post, an untagged
        # post without a parent, and an answer typed in the room.
        do_next_question(ctx, host, chat.id)
        late_m = mastodon.post_as(
            "erin", "assessment design #educhat", in_reply_to_id=m_q1.external_id
        )
        question = _question_ref(alice, b_q1.external_id, b_q1.url)
        late_b = alice.post("still assessment design", "EduChat", (question, question))
        current_m = mastodon.post_as("frank", "slowly #educhat")
        do_create_post(ctx, reader, chat.id, "A2 with rubrics #EduChat")
        mastodon_posted += [late_m["id"], current_m["id"]]
        bluesky_posted.append(late_b.external_id)
        alice.close()
        bob.close()

        deadline = time.monotonic() + 180  # generous: the box may be loaded by other tests
        while len(_filed(ctx, chat.id, "mastodon")) < len(mastodon_posted) or len(
            _filed(ctx, chat.id, "bluesky")
        ) < len(bluesky_posted):
            assert time.monotonic() < deadline, (
                f"mastodon {len(_filed(ctx, chat.id, 'mastodon'))} of {len(mastodon_posted)}, "
                f"bluesky {len(_filed(ctx, chat.id, 'bluesky'))} of {len(bluesky_posted)}"
            )
            time.sleep(0.5)
        time.sleep(2)  # anything filed twice would have arrived by now
    finally:
        server.stop()
    assert 0 < filed_at_kill < MASTODON_POSTS + BLUESKY_POSTS  # killed mid-stream
    for network, posted in (("mastodon", mastodon_posted), ("bluesky", bluesky_posted)):
        filed = _filed(ctx, chat.id, network)
        assert sorted(filed) == sorted(posted), network  # nothing missing
        assert len(filed) == len(set(filed)), network  # nothing twice

    answered = questions_of(ctx, chat.id)
    steady = [*mastodon_posted[:MASTODON_POSTS], *bluesky_posted[:BLUESKY_POSTS]]
    assert all(answered[external_id] == {1} for external_id in steady)
    assert answered[late_m["id"]] == {1}  # a reply to our Q1 post, untagged, during Q2
    assert answered[late_b.external_id] == {1}
    assert answered[current_m["id"]] == {2}
    recap = json.loads(render_recap(ctx, chat.id, "json").content)
    networks = {n["network"]: (n["posts"], n["people"]) for n in recap["figures"]["networks"]}
    assert networks["mastodon"] == (MASTODON_POSTS + 2, 7 + 2)  # user0..user6, erin, frank
    assert networks["bluesky"] == (BLUESKY_POSTS + 1, 2)  # alice and bob
    room = [a for q in recap["questions"] for a in q["answers"] if a["network"] == "hashchat"]
    assert [(a["author"], a["question"]) for a in room] == [("reader", 2)]
