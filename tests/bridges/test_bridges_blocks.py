"""A host blocks a handle on a network: its posts stop entering any chat of the series, on
Bluesky (the real local PDS) and X as on Mastodon (`test_bridges_runner`); an unblocked handle's
new posts enter again."""

from __future__ import annotations

import time

import pytest
from bridge_support import filed_posts, live_chat, wait_for
from pds_support import LocalPds

from hashchat.actions import bridges
from hashchat.actions.context import AppContext
from hashchat.actions.errors import InvalidInputError
from hashchat.actions.network_blocks import (
    canonical_handle,
    do_block_handle,
    do_unblock_handle,
    network_blocks_of_series,
)
from hashchat.actions.views import UserView
from hashchat.bridges.bluesky import BlueskyAccount
from hashchat.bridges.registry import verify_login
from hashchat.bridges.runner import BridgeRunner


def test_handles_are_stored_as_the_networks_name_authors() -> None:
    assert canonical_handle("bluesky", "@Spam.BSKY.social") == "spam.bsky.social"
    assert canonical_handle("mastodon", "spam@Instance.example") == "@spam@instance.example"
    assert canonical_handle("x", "Spam") == "@spam"
    for network, handle in [("x", "  "), ("x", "two words"), ("myspace", "tom")]:
        with pytest.raises(InvalidInputError):
            canonical_handle(network, handle)


def test_a_blocked_bluesky_handle_stays_out(ctx: AppContext, host: UserView, pds: LocalPds) -> None:
    fields = {
        "service": pds.service,
        "handle": "chathost.test",
        "app_password": pds.password,
        "firehose": pds.firehose,
    }
    bridges.do_connect_bridge(ctx, host, "EduChat", "bluesky", fields, verify_login)
    chat_id = live_chat(ctx, host)
    assert do_block_handle(ctx, host, "EduChat", "bluesky", "@Spam.test") == "spam.test"
    runner = BridgeRunner(ctx, name="blocks")
    runner.tick()
    try:
        time.sleep(1.5)  # the firehose is open
        with BlueskyAccount(pds.service, "spam.test", pds.password) as spam:
            spam.post("buy now", "EduChat")
        with BlueskyAccount(pds.service, "alice.test", pds.password) as alice:
            kept = alice.post("A1 I teach maths", "EduChat")
        wait_for(lambda: len(filed_posts(ctx, chat_id)) >= 1)
        time.sleep(2.5)  # the spam came first: it would be there by now
        assert [p.external_id for p in filed_posts(ctx, chat_id)] == [kept.external_id]

        do_unblock_handle(ctx, host, "EduChat", "bluesky", "spam.test")
        assert network_blocks_of_series(ctx, host, "EduChat") == []
        with BlueskyAccount(pds.service, "spam.test", pds.password) as spam:
            welcome = spam.post("A1 sorry, I teach too", "EduChat")
        wait_for(lambda: len(filed_posts(ctx, chat_id)) >= 2)
    finally:
        runner.close()
    assert [p.external_id for p in filed_posts(ctx, chat_id)] == [
        kept.external_id,
        welcome.external_id,
    ]


def test_a_blocked_x_handle_stays_out(ctx: AppContext, host: UserView) -> None:
    from x_server import GOOD_KEY, LocalX

    from hashchat.bridges.x import XAccount

    x = LocalX.start()
    try:
        keys = {"api_key": GOOD_KEY, "api_secret": "s", "access_token": "t"}
        keys["access_token_secret"] = "ts"
        bridge = bridges.do_connect_bridge(
            ctx,
            host,
            "EduChat",
            "x",
            keys,
            lambda network, values: XAccount(values, x.session()).verify(),
        )
        chat_id = live_chat(ctx, host)
        do_block_handle(ctx, host, "EduChat", "x", "SPAM")
        x.post_as("spam", "buy now #EduChat")
        kept = x.post_as("alice", "A1 maths #EduChat")
        for page in XAccount(keys, x.session()).since("EduChat", None):
            filed = bridges.do_file_bridge_posts(ctx, bridge.id, page)
            assert (filed.added, filed.blocked) == (1, 1)
    finally:
        x.stop()
    assert [p.external_id for p in filed_posts(ctx, chat_id)] == [kept["id"]]
