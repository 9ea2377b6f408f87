"""A reply on a network to our question post there answers that question, without an `An` tag
and whenever it comes (issue 11): the room's attribution sees it as a reply to the question."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from bridge_support import filed_posts, live_chat, outbound_worker, questions_of
from mastodon_server import TOKEN, LocalMastodon

from hashchat.actions import bridges
from hashchat.actions.chats import do_next_question
from hashchat.actions.context import AppContext
from hashchat.actions.moderation import do_hide_post
from hashchat.actions.views import UserView
from hashchat.bridges.mastodon import MastodonAccount
from hashchat.bridges.registry import verify_login
from hashchat.bridges.runner import BridgeRunner
from hashchat.domain.ingest import ForeignPost, Network
from hashchat.store.models import PostRow


def test_a_mastodon_reply_to_question_one_during_question_two_answers_question_one(
    ctx: AppContext, host: UserView, mastodon: LocalMastodon
) -> None:
    fields = {"instance": mastodon.base_url, "access_token": TOKEN}
    bridge = bridges.do_connect_bridge(ctx, host, "EduChat", "mastodon", fields, verify_login)
    outbound = outbound_worker(ctx)
    chat_id = live_chat(ctx, host)
    do_next_question(ctx, host, chat_id)
    outbound.work_once()
    do_next_question(ctx, host, chat_id)  # Q2 is now the current question
    outbound.work_once()
    q1 = bridges.bridge_post(ctx, bridge.id, chat_id, "question", 1)
    assert q1 is not None
    late = mastodon.post_as("alice", "maths, still #educhat", in_reply_to_id=q1.external_id)
    current = mastodon.post_as("bob", "slowly #educhat")
    tagged = mastodon.post_as("carol", "A2 with care #educhat", in_reply_to_id=q1.external_id)

    (work,) = bridges.claim_bridges(ctx, "test")
    account = MastodonAccount(mastodon.base_url, TOKEN)
    BridgeRunner(ctx, name="test")._catch_up(work, account, None)

    assert {p.external_id for p in filed_posts(ctx, chat_id)} == {
        late["id"],
        current["id"],
        tagged["id"],
    }
    assert questions_of(ctx, chat_id) == {
        late["id"]: {1},  # the reply to Q1's post, untagged, during Q2
        current["id"]: {2},  # no reply, no tag: the current question
        tagged["id"]: {2},  # a tag still wins over the thread
    }
    with ctx.store.read() as session:
        inferred = session.scalar(
            sa.select(PostRow.inferred).where(PostRow.external_id == late["id"])
        )
    assert inferred is False  # known from the thread, not guessed from the time

    # The whole chat recomputed by another path (a host hides a post) keeps it under Q1.
    bob = next(p for p in filed_posts(ctx, chat_id) if p.external_id == current["id"])
    do_hide_post(ctx, host, bob.id)
    assert questions_of(ctx, chat_id) == {late["id"]: {1}, tagged["id"]: {2}}


def test_an_x_reply_to_question_one_during_question_two_answers_question_one(
    ctx: AppContext, host: UserView
) -> None:
    from x_server import GOOD_KEY, LocalX

    from hashchat.bridges import runner as runner_module
    from hashchat.bridges.x import XAccount

    x = LocalX.start()
    try:
        keys = {"api_key": GOOD_KEY, "api_secret": "s", "access_token": "t"}
        keys["access_token_secret"] = "ts"
        bridges.do_connect_bridge(
            ctx,
            host,
            "EduChat",
            "x",
            keys,
            lambda network, values: XAccount(values, x.session()).verify(),
        )
        runner_module.X_SESSION[0] = x.session()
        outbound = outbound_worker(ctx)
        chat_id = live_chat(ctx, host)
        do_next_question(ctx, host, chat_id)
        outbound.work_once()
        do_next_question(ctx, host, chat_id)
        outbound.work_once()
        _, q1, _ = x.tweets
        answer = x.post_as("alice", "maths #EduChat", reply_to=q1["id"])
        (work,) = bridges.claim_bridges(ctx, "test")
        for page in XAccount(work.credentials.values, x.session()).since(work.tag, None):
            bridges.do_file_bridge_posts(ctx, work.id, page)
    finally:
        runner_module.X_SESSION[0] = None
        x.stop()
    assert questions_of(ctx, chat_id) == {answer["id"]: {1}}


OUR_Q1 = "110000000000000042"  # our Q1 post on the local Mastodon server


def _alice_replies(ctx: AppContext, mastodon: LocalMastodon, to: str) -> ForeignPost:
    """Alice's untagged answer on Mastodon, a second from now, replying to the status `to`."""
    return ForeignPost(
        network=Network.MASTODON,
        source=mastodon.domain,
        external_id="110000000000000099",
        author_handle=f"alice@{mastodon.domain}",
        display_name="Alice",
        text="maths, still #educhat",
        created_at=ctx.now() + timedelta(seconds=1),
        reply_to=to,
    )


def test_a_reply_filed_before_our_question_post_was_recorded_answers_it_once_recorded(
    ctx: AppContext, host: UserView, mastodon: LocalMastodon
) -> None:
    """The stream can bring a reply to our question post before the outbox worker has recorded
    that post (the network's answer to our POST came back after its stream's event): recording
    the post files the replies already there under its question, as the whole chat would."""
    fields = {"instance": mastodon.base_url, "access_token": TOKEN}
    bridge = bridges.do_connect_bridge(ctx, host, "EduChat", "mastodon", fields, verify_login)
    chat_id = live_chat(ctx, host)
    do_next_question(ctx, host, chat_id)
    do_next_question(ctx, host, chat_id)  # Q2 is now the current question
    ours = OUR_Q1  # Q1 as our bridge posted it, not yet recorded
    reply = _alice_replies(ctx, mastodon, ours)
    bridges.do_file_bridge_posts(ctx, bridge.id, [reply])
    assert questions_of(ctx, chat_id) == {reply.external_id: {2}}  # inferred from the time

    bridges.record_bridge_post(ctx, bridge.id, chat_id, "question", 1, ours, None)
    assert questions_of(ctx, chat_id) == {reply.external_id: {1}}
    bridges.record_bridge_post(ctx, bridge.id, chat_id, "question", 1, ours, None)  # once
    assert questions_of(ctx, chat_id) == {reply.external_id: {1}}


def test_removing_the_bridge_files_its_question_replies_again_without_it(
    ctx: AppContext, host: UserView, mastodon: LocalMastodon
) -> None:
    """A reply that answered Q1 only by replying to our Q1 post on the network answers by the
    time once that bridge (and its record of our posts) is removed; its post stays."""
    fields = {"instance": mastodon.base_url, "access_token": TOKEN}
    bridge = bridges.do_connect_bridge(ctx, host, "EduChat", "mastodon", fields, verify_login)
    chat_id = live_chat(ctx, host)
    do_next_question(ctx, host, chat_id)
    bridges.record_bridge_post(ctx, bridge.id, chat_id, "question", 1, OUR_Q1, None)
    do_next_question(ctx, host, chat_id)  # Q2 is now the current question
    reply = _alice_replies(ctx, mastodon, OUR_Q1)
    bridges.do_file_bridge_posts(ctx, bridge.id, [reply])
    assert questions_of(ctx, chat_id) == {reply.external_id: {1}}

    bridges.do_remove_bridge(ctx, host, "EduChat", bridge.id)
    assert questions_of(ctx, chat_id) == {reply.external_id: {2}}  # inferred from the time
    assert [p.external_id for p in filed_posts(ctx, chat_id)] == [reply.external_id]
