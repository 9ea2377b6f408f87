"""A participant's answer cross-posted through her own Bluesky account on the real local PDS
(issue 11): a real record with the tag as a facet, a reply under the chat's opening post, and
the series' Bluesky bridge reading the firehose knows it as her room post (the room holds it
once)."""

from __future__ import annotations

import time

from bridge_support import filed_posts, live_chat, outbound_worker, wait_for
from pds_support import LocalPds

from hashchat.actions import bridges, person_networks
from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_next_question
from hashchat.actions.context import AppContext
from hashchat.actions.outbox import OutboxWorker
from hashchat.actions.posts import do_create_post, list_posts
from hashchat.actions.views import UserView
from hashchat.bridges.bluesky import BlueskyAccount, record_tags
from hashchat.bridges.cross_post import CONSUMER, deliver, register_cross_posts
from hashchat.bridges.registry import verify_login
from hashchat.bridges.runner import BridgeRunner


def test_her_bluesky_copy_is_threaded_tagged_and_filed_once(
    ctx: AppContext, host: UserView, pds: LocalPds
) -> None:
    fields = {
        "service": pds.service,
        "handle": "chathost.test",
        "app_password": pds.password,
        "firehose": pds.firehose,
    }
    bridge = bridges.do_connect_bridge(ctx, host, "EduChat", "bluesky", fields, verify_login)
    outbound = outbound_worker(ctx)
    register_cross_posts(ctx)
    cross = OutboxWorker(ctx, {CONSUMER: lambda message: deliver(ctx, message)}, name="cross")
    chat_id = live_chat(ctx, host)
    do_next_question(ctx, host, chat_id)
    outbound.work_once()
    opening = bridges.bridge_post(ctx, bridge.id, chat_id, "opening", 0)
    assert opening is not None

    alice = do_register(ctx, "alice", "correct horse battery")
    mine = person_networks.do_connect_network(
        ctx,
        alice,
        "bluesky",
        {"service": pds.service, "handle": "alice.test", "app_password": pds.password},
        verify_login,
    )
    assert mine.account == "alice.test"
    runner = BridgeRunner(ctx, name="reader")
    runner.tick()
    try:
        time.sleep(1.5)  # the firehose is open
        post = do_create_post(ctx, alice, chat_id, "A1 I teach maths", cross_post=["bluesky"])
        cross.work_once()
        done = person_networks.cross_posts_of(ctx, post.id)
        assert [c.state for c in done] == ["done"]
        uri = done[0].external_id
        assert uri is not None
        assert uri.startswith("at://")
        with BlueskyAccount(pds.service, "bob.test", pds.password) as bob:
            bob.verify()
            repo, _, rkey = uri.removeprefix("at://").partition("/app.bsky.feed.post/")
            record = bob.client.com.atproto.repo.get_record(
                {"repo": repo, "collection": "app.bsky.feed.post", "rkey": rkey}
            )
            assert record.value.text == "A1 I teach maths #EduChat"
            assert record_tags(record.value) == ["EduChat"]
            assert record.value.reply.root.uri == opening.external_id
            assert repo != opening.external_id.removeprefix("at://").split("/")[0]  # hers
            later = bob.post("A1 physics", "EduChat")
        wait_for(lambda: any(p.external_id == later.external_id for p in filed_posts(ctx, chat_id)))
    finally:
        runner.close()
    assert [p.external_id for p in filed_posts(ctx, chat_id)] == [later.external_id]
    assert [p.text for p in list_posts(ctx, chat_id) if "maths" in p.text] == ["A1 I teach maths"]
