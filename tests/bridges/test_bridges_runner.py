"""Bridges at work: our chat's posts go out to the local Mastodon server and the local PDS
(threaded, tagged), answers there come into the room under the right question, a dropped stream
and a killed worker lose nothing and duplicate nothing, blocked handles stay out."""

from __future__ import annotations

import time
from datetime import timedelta

from bridge_support import filed_posts, live_chat, outbound_worker, questions_of, wait_for
from mastodon_server import TOKEN, LocalMastodon
from pds_support import LocalPds

from hashchat.actions import bridges
from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_next_question
from hashchat.actions.context import AppContext
from hashchat.actions.views import UserView
from hashchat.bridges.bluesky import BlueskyAccount, Posted, record_tags
from hashchat.bridges.registry import verify_login
from hashchat.bridges.runner import BridgeRunner


def test_mastodon_both_ways_with_a_dropped_stream_and_a_killed_worker(
    ctx: AppContext, host: UserView, mastodon: LocalMastodon
) -> None:
    fields = {"instance": mastodon.base_url, "access_token": TOKEN}
    bridge = bridges.do_connect_bridge(ctx, host, "EduChat", "mastodon", fields, verify_login)
    outbound = outbound_worker(ctx)
    chat_id = live_chat(ctx, host)
    do_next_question(ctx, host, chat_id)
    outbound.work_once()
    ours = mastodon.statuses()
    assert [s["account"]["acct"] for s in ours] == ["host", "host"]
    opening, q1 = ours
    assert q1["in_reply_to_id"] == opening["id"]
    assert {t["name"] for t in q1["tags"]} == {"educhat"}
    assert "Q1 What do you teach?" in q1["content"]
    outbound.work_once()  # a second round posts nothing again
    assert len(mastodon.statuses()) == 2

    runner = BridgeRunner(ctx, name="first")
    runner.tick()
    try:
        wait_for(lambda: bool(mastodon.state.listeners))
        a1 = mastodon.post_as("alice", "I teach maths #EDUCHAT", in_reply_to_id=q1["id"])
        boost = mastodon.boost("bob", a1["id"])
        mastodon.post_as("carol", "unrelated #other")
        wait_for(lambda: len(filed_posts(ctx, chat_id)) >= 2)
        mastodon.drop_streams()  # the stream drops; this status arrives while it is down
        missed = mastodon.post_as("dan", "A1 physics #EduChat")
        wait_for(lambda: any(p.external_id == missed["id"] for p in filed_posts(ctx, chat_id)))
        mastodon.edit(a1["id"], "I teach maths and art #educhat")
        wait_for(lambda: any("art" in p.text for p in filed_posts(ctx, chat_id)))
    finally:
        runner._followers.clear()  # killed: no release, its lease stays until it runs out
    posts = {p.external_id: p for p in filed_posts(ctx, chat_id)}
    assert set(posts) == {a1["id"], boost["id"], missed["id"]}
    assert posts[a1["id"]].text == "I teach maths and art #educhat"
    assert posts[a1["id"]].author_handle == f"@alice@{mastodon.domain}"
    assert posts[boost["id"]].is_repost
    assert questions_of(ctx, chat_id)[a1["id"]] == {1}
    assert boost["id"] not in questions_of(ctx, chat_id)

    while_down = [mastodon.post_as("erin", f"A1 answer {n} #educhat") for n in range(45)]
    health = bridges.bridges_of_series(ctx, host, "EduChat")[0]
    assert health.id == bridge.id
    ctx.settings.clock.skew = timedelta(seconds=61)  # type: ignore[attr-defined]
    second = BridgeRunner(ctx, name="second")
    second.tick()
    try:
        wait_for(lambda: len(filed_posts(ctx, chat_id)) == 3 + 45)
        mastodon.delete(missed["id"])
        wait_for(lambda: any(p.hidden for p in filed_posts(ctx, chat_id)))
    finally:
        second.close()
    ids = [p.external_id for p in filed_posts(ctx, chat_id)]
    assert len(ids) == len(set(ids))  # nothing twice
    assert {s["id"] for s in while_down} <= set(ids)  # nothing lost
    health = bridges.bridges_of_series(ctx, host, "EduChat")[0]
    assert health.status == "ok"
    assert health.last_event_at is not None


def test_blocked_handles_stay_out_and_rate_limits_back_off(
    ctx: AppContext, host: UserView, mastodon: LocalMastodon
) -> None:
    fields = {"instance": mastodon.base_url, "access_token": TOKEN}
    bridges.do_connect_bridge(ctx, host, "EduChat", "mastodon", fields, verify_login)
    chat_id = live_chat(ctx, host)
    bridges.do_block_handle(ctx, host, "EduChat", "mastodon", f"@SPAM@{mastodon.domain}")
    mastodon.fail_next(429, times=2)
    runner = BridgeRunner(ctx, name="one")
    runner.tick()
    try:
        wait_for(lambda: bridges.bridges_of_series(ctx, host, "EduChat")[0].status == "backing_off")
        health = bridges.bridges_of_series(ctx, host, "EduChat")[0]
        assert "429" in (health.last_error or "")
        assert health.backoff_seconds > 0
        mastodon.post_as("spam", "buy now #educhat")
        kept = mastodon.post_as("alice", "A1 hello #educhat")
        wait_for(lambda: len(filed_posts(ctx, chat_id)) >= 1, seconds=40)
        time.sleep(2.5)  # a later catch-up would have filed the spam too
    finally:
        runner.close()
    assert [p.external_id for p in filed_posts(ctx, chat_id)] == [kept["id"]]


def test_bluesky_both_ways_on_the_local_pds(ctx: AppContext, host: UserView, pds: LocalPds) -> None:
    fields = {
        "service": pds.service,
        "handle": "chathost.test",
        "app_password": pds.password,
        "firehose": pds.firehose,
    }
    bridge = bridges.do_connect_bridge(ctx, host, "EduChat", "bluesky", fields, verify_login)
    outbound = outbound_worker(ctx)
    chat_id = live_chat(ctx, host)
    do_next_question(ctx, host, chat_id)
    outbound.work_once()
    q1 = bridges.bridge_post(ctx, bridge.id, chat_id, "question", 1)
    opening = bridges.bridge_post(ctx, bridge.id, chat_id, "opening", 0)
    assert q1 is not None
    assert opening is not None
    with BlueskyAccount(pds.service, "alice.test", pds.password) as alice:
        alice.verify()
        repo, _, rkey = q1.external_id.removeprefix("at://").partition("/app.bsky.feed.post/")
        got = alice.client.com.atproto.repo.get_record(
            {"repo": repo, "collection": "app.bsky.feed.post", "rkey": rkey}
        )
        assert got.value.text.startswith("Q1 What do you teach?")
        assert record_tags(got.value) == ["EduChat"]
        assert got.value.reply.root.uri == opening.external_id
        runner = BridgeRunner(ctx, name="one")
        runner.tick()
        try:
            time.sleep(1.5)  # the firehose is open
            question = Posted(q1.external_id, str(got.cid), q1.url)
            answer = alice.post("A1 I teach maths", "EduChat", (question, question))
            wait_for(lambda: len(filed_posts(ctx, chat_id)) >= 1)
        finally:
            runner.close()
    filed = filed_posts(ctx, chat_id)
    assert [p.external_id for p in filed] == [answer.external_id]
    assert filed[0].author_handle == "alice.test"
    assert filed[0].network == "bluesky"
    assert questions_of(ctx, chat_id)[answer.external_id] == {1}


def test_one_chat_on_the_room_the_local_pds_and_the_local_mastodon_at_once(
    ctx: AppContext, host: UserView, pds: LocalPds, mastodon: LocalMastodon
) -> None:
    import json

    from hashchat.actions.posts import do_create_post
    from hashchat.actions.recap import render_recap

    bluesky_fields = {
        "service": pds.service,
        "handle": "chathost.test",
        "app_password": pds.password,
        "firehose": pds.firehose,
    }
    on_bluesky = bridges.do_connect_bridge(
        ctx, host, "EduChat", "bluesky", bluesky_fields, verify_login
    )
    on_mastodon = bridges.do_connect_bridge(
        ctx,
        host,
        "EduChat",
        "mastodon",
        {"instance": mastodon.base_url, "access_token": TOKEN},
        verify_login,
    )
    outbound = outbound_worker(ctx)
    chat_id = live_chat(ctx, host)
    do_next_question(ctx, host, chat_id)
    outbound.work_once()
    m_q1 = bridges.bridge_post(ctx, on_mastodon.id, chat_id, "question", 1)
    b_q1 = bridges.bridge_post(ctx, on_bluesky.id, chat_id, "question", 1)
    assert m_q1 is not None
    assert b_q1 is not None  # the question is on both networks
    reader = do_register(ctx, "reader", "correct horse battery")
    runner = BridgeRunner(ctx, name="all")
    runner.tick()
    try:
        wait_for(lambda: bool(mastodon.state.listeners))
        time.sleep(1.5)  # the firehose is open
        with BlueskyAccount(pds.service, "bob.test", pds.password) as bob:
            bob.verify()
            repo, _, rkey = b_q1.external_id.removeprefix("at://").partition("/app.bsky.feed.post/")
            cid = bob.client.com.atproto.repo.get_record(
                {"repo": repo, "collection": "app.bsky.feed.post", "rkey": rkey}
            ).cid
            question = Posted(b_q1.external_id, str(cid), b_q1.url)
            on_b = bob.post("A1 history, mostly", "EduChat", (question, question))
        on_m = mastodon.post_as("alice", "A1 maths #educhat", in_reply_to_id=m_q1.external_id)
        do_create_post(ctx, reader, chat_id, "A1 I teach art #EduChat")
        wait_for(lambda: len(filed_posts(ctx, chat_id)) >= 2)
    finally:
        runner.close()
    where = bridges.chat_networks(ctx, chat_id)
    assert [(n.network, n.account) for n in where.networks] == [
        ("bluesky", "chathost.test"),
        ("mastodon", f"@host@{mastodon.domain}"),
    ]
    assert all(n.opening_url for n in where.networks)
    assert (where.rule, where.limit) == ("x", 280)  # the series' X rule is stricter than both
    from hashchat.actions.series import SeriesChanges, do_edit_series

    do_edit_series(ctx, host, "EduChat", SeriesChanges(char_rule="mastodon", char_limit=500))
    where = bridges.chat_networks(ctx, chat_id)
    assert (where.rule, where.limit) == ("bluesky", 300)  # now Bluesky's is the strictest
    answers = questions_of(ctx, chat_id)
    assert answers[on_b.external_id] == {1}
    assert answers[on_m["id"]] == {1}
    recap = json.loads(render_recap(ctx, chat_id, "json").content)
    networks = {n["network"]: (n["posts"], n["people"]) for n in recap["figures"]["networks"]}
    assert networks["bluesky"] == (1, 1)
    assert networks["mastodon"] == (1, 1)
    assert networks["hashchat"] == (2, 1)  # the reader's answer and the host's welcome
    authors = {a["author"]: a["network"] for q in recap["questions"] for a in q["answers"]}
    assert authors == {
        "bob.test": "bluesky",
        f"@alice@{mastodon.domain}": "mastodon",
        "reader": "hashchat",
    }


def test_x_both_ways_on_the_local_v2_server(ctx: AppContext, host: UserView) -> None:
    from x_server import GOOD_KEY, LocalX

    from hashchat.bridges import runner as runner_module
    from hashchat.bridges.x import XAccount

    x = LocalX.start()
    try:
        keys = {
            "api_key": GOOD_KEY,
            "api_secret": "s",
            "access_token": "t",
            "access_token_secret": "ts",
        }
        bridge = bridges.do_connect_bridge(
            ctx,
            host,
            "EduChat",
            "x",
            keys,
            lambda network, values: XAccount(values, x.session()).verify(),
        )
        assert bridge.account == "@ChatHost"
        runner_module.X_SESSION[0] = x.session()
        outbound = outbound_worker(ctx)
        chat_id = live_chat(ctx, host)
        do_next_question(ctx, host, chat_id)
        outbound.work_once()
        opening, q1 = x.tweets
        assert q1["text"].startswith("Q1 What do you teach?")
        assert q1["referenced_tweets"] == [{"type": "replied_to", "id": opening["id"]}]
        answer = x.post_as("alice", "A1 maths #EduChat", reply_to=q1["id"])
        runner = BridgeRunner(ctx, name="x")
        runner.x_session = x.session()
        runner.tick()
        try:
            wait_for(lambda: len(filed_posts(ctx, chat_id)) >= 1)
        finally:
            runner.close()
    finally:
        runner_module.X_SESSION[0] = None
        x.stop()
    filed = filed_posts(ctx, chat_id)
    assert [(p.external_id, p.author_handle, p.network) for p in filed] == [
        (answer["id"], "@alice", "x")
    ]


def test_reminders_go_out_two_hours_and_thirty_minutes_before(
    ctx: AppContext, host: UserView, mastodon: LocalMastodon
) -> None:
    fields = {"instance": mastodon.base_url, "access_token": TOKEN, "reminders": "on"}
    bridges.do_connect_bridge(ctx, host, "EduChat", "mastodon", fields, verify_login)
    start = ctx.now() + timedelta(minutes=100)
    do_create_chat(ctx, host, "EduChat", "Assessment", start, 60, ["What do you teach?", "How?"])
    runner = BridgeRunner(ctx, name="reminders")
    try:
        runner.tick()
        runner.tick()  # once only
        reminders = [s for s in mastodon.statuses() if "starts in" in s["content"]]
        assert len(reminders) == 1
        assert "EduChat</span></a> starts in 2 hours: Assessment" in reminders[0]["content"]
        assert "Q1 What do you teach?" in reminders[0]["content"]
        ctx.settings.clock.skew = timedelta(minutes=75)  # type: ignore[attr-defined]
        runner.tick()
        reminders = [s for s in mastodon.statuses() if "starts in" in s["content"]]
        assert len(reminders) == 2
        assert "starts in 30 minutes" in reminders[1]["content"]
    finally:
        runner.close()


def test_a_new_bridge_on_an_empty_timeline_misses_nothing_of_a_burst(
    ctx: AppContext, host: UserView, mastodon: LocalMastodon
) -> None:
    from hashchat.bridges.mastodon import MastodonAccount

    fields = {"instance": mastodon.base_url, "access_token": TOKEN}
    bridges.do_connect_bridge(ctx, host, "EduChat", "mastodon", fields, verify_login)
    chat_id = live_chat(ctx, host)
    (work,) = bridges.claim_bridges(ctx, "test")
    runner = BridgeRunner(ctx, name="test")
    account = MastodonAccount(mastodon.base_url, TOKEN)
    cursor = runner._catch_up(work, account, None)  # nothing there yet
    burst = [mastodon.post_as("alice", f"A1 answer {n} #educhat") for n in range(45)]
    runner._catch_up(work, account, cursor)  # more than a page arrived in between
    filed = sorted(p.external_id for p in filed_posts(ctx, chat_id))
    assert filed == sorted(s["id"] for s in burst)
