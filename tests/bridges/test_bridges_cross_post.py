"""A participant connects her own network accounts (`/api/v1/me/networks`) and cross-posts her
answer through hers (issue 11), never through the series' bridge; the series' bridge reading
the tag then knows her copy as the room's post: the room holds it once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from bridge_support import KEY, Api, filed_posts, outbound_worker, wait_for
from mastodon_server import TOKEN, LocalMastodon

from hashchat.actions import bridges, person_networks
from hashchat.actions.chats import do_create_chat, do_next_question, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.moderation import do_hide_post
from hashchat.actions.outbox import OutboxWorker, consumer_status
from hashchat.actions.posts import do_create_post, list_posts
from hashchat.actions.views import UserView
from hashchat.bridges.cross_post import CONSUMER, deliver, register_cross_posts
from hashchat.bridges.registry import verify_login
from hashchat.bridges.runner import BridgeRunner
from hashchat.store.models import CrossPostRow, PersonNetworkRow, User

pytestmark = pytest.mark.anyio


@pytest.fixture
def ctx(keyless_ctx: AppContext) -> AppContext:
    """These tests set the secret key themselves (`secret_key`), or test its absence."""
    return keyless_ctx


def _user(ctx: AppContext, name: str) -> UserView:
    with ctx.store.read() as session:
        row = session.scalar(sa.select(User).where(User.name == name))
        assert row is not None
        return UserView(row.id, row.name, row.display_name, row.timezone, row.is_admin)


def _cross_worker(ctx: AppContext) -> OutboxWorker:
    register_cross_posts(ctx)
    return OutboxWorker(ctx, {CONSUMER: lambda message: deliver(ctx, message)}, name="test")


async def test_connect_list_and_remove_her_own_account(
    api: Api, ctx: AppContext, mastodon: LocalMastodon, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = api.person("alice")
    token = mastodon.token_for("alice")
    body = {"network": "mastodon", "instance": mastodon.base_url, "access_token": token}
    anonymous = await api.call(None, "POST", "/me/networks", json=body)
    assert anonymous.status_code == 401
    assert (await api.call(None, "GET", "/me/networks")).status_code == 401
    monkeypatch.delenv("HASHCHAT_SECRET_KEY", raising=False)
    keyless = await api.call(alice, "POST", "/me/networks", json=body)
    assert keyless.status_code == 503
    assert "HASHCHAT_SECRET_KEY" in keyless.json()["detail"]
    monkeypatch.setenv("HASHCHAT_SECRET_KEY", KEY)

    wrong = {**body, "access_token": "not-hers"}
    refused = await api.call(alice, "POST", "/me/networks", json=wrong)
    assert refused.status_code == 422
    assert "access token is invalid" in refused.json()["detail"]
    missing = await api.call(alice, "POST", "/me/networks", json={"network": "mastodon"})
    assert missing.status_code == 422

    made = await api.call(alice, "POST", "/me/networks", json=body)
    assert made.status_code == 201, made.text
    assert made.json()["account"] == f"@alice@{mastodon.domain}"
    assert token not in made.text
    again = await api.call(alice, "POST", "/me/networks", json=body)
    assert again.status_code == 409
    listed = await api.ok(alice, "GET", "/me/networks")
    assert [(n["network"], n["account"]) for n in listed] == [
        ("mastodon", f"@alice@{mastodon.domain}")
    ]
    assert token not in str(listed)
    with ctx.store.read() as session:
        secret = session.scalar(sa.select(PersonNetworkRow.secret))
    assert secret
    assert token not in secret

    bob = api.person("bob")
    assert await api.ok(bob, "GET", "/me/networks") == []
    others = await api.call(bob, "DELETE", f"/me/networks/{made.json()['id']}")
    assert others.status_code == 404
    gone = await api.call(alice, "DELETE", f"/me/networks/{made.json()['id']}")
    assert gone.status_code == 204
    assert await api.ok(alice, "GET", "/me/networks") == []


async def test_cross_post_names_only_her_own_networks(
    api: Api, ctx: AppContext, mastodon: LocalMastodon, secret_key: str
) -> None:
    owner = api.person("owner")
    await api.series(owner, "EduChat")
    host = _user(ctx, "owner")
    bridges.do_connect_bridge(
        ctx,
        host,
        "EduChat",
        "mastodon",
        {"instance": mastodon.base_url, "access_token": TOKEN},
        verify_login,
    )
    chat = do_create_chat(ctx, host, "EduChat", "Assessment", ctx.now(), 60, ["What?"])
    do_start_chat(ctx, host, chat.id)
    alice = api.person("alice")
    body = {"text": "A1 maths #EduChat", "cross_post": ["mastodon"]}
    refused = await api.call(alice, "POST", f"/chats/{chat.id}/posts", json=body)
    assert refused.status_code == 422  # the series' bridge account is never hers to use
    assert "have not connected a mastodon account" in refused.json()["detail"]
    unknown = {"text": "A1 maths", "cross_post": ["myspace"]}
    assert (
        await api.call(alice, "POST", f"/chats/{chat.id}/posts", json=unknown)
    ).status_code == 422
    assert [p for p in list_posts(ctx, chat.id) if p.author == "alice"] == []  # none stored
    await api.ok(
        alice,
        "POST",
        "/me/networks",
        json={
            "network": "mastodon",
            "instance": mastodon.base_url,
            "access_token": mastodon.token_for("alice"),
        },
    )
    too_long = {"text": "A1 " + "m" * 495, "cross_post": ["mastodon"]}
    over = await api.call(alice, "POST", f"/chats/{chat.id}/posts", json=too_long)
    assert over.status_code == 422  # with the hashtag added it no longer fits a status
    assert "nothing was cut" in over.json()["detail"]
    made = await api.call(alice, "POST", f"/chats/{chat.id}/posts", json=body)
    assert made.status_code == 201, made.text
    with ctx.store.read() as session:
        rows = session.execute(sa.select(CrossPostRow.post_id, CrossPostRow.state)).all()
    assert [tuple(r) for r in rows] == [(made.json()["id"], "pending")]


async def test_her_answer_goes_out_through_her_account_threaded_and_the_room_holds_it_once(
    api: Api, ctx: AppContext, mastodon: LocalMastodon, secret_key: str
) -> None:
    owner = api.person("owner")
    await api.series(owner, "EduChat")
    host = _user(ctx, "owner")
    bridges.do_connect_bridge(
        ctx,
        host,
        "EduChat",
        "mastodon",
        {"instance": mastodon.base_url, "access_token": TOKEN},
        verify_login,
    )
    outbound = outbound_worker(ctx)
    cross = _cross_worker(ctx)
    chat = do_create_chat(ctx, host, "EduChat", "Assessment", ctx.now(), 60, ["What do you teach?"])
    do_start_chat(ctx, host, chat.id)
    do_next_question(ctx, host, chat.id)
    outbound.work_once()
    opening = mastodon.statuses()[0]
    assert opening["account"]["acct"] == "host"

    alice = api.person("alice")
    await api.ok(
        alice,
        "POST",
        "/me/networks",
        json={
            "network": "mastodon",
            "instance": mastodon.base_url,
            "access_token": mastodon.token_for("alice"),
        },
    )
    runner = BridgeRunner(ctx, name="reader")
    runner.tick()  # the series' bridge follows the tag (stream and catch-up)
    try:
        wait_for(lambda: bool(mastodon.state.listeners))
        mastodon.fail_next(503)  # her instance is busy at first: retried with back-off
        body = {"text": "A1 I teach maths", "cross_post": ["mastodon"], "auto": True}
        post = await api.ok(alice, "POST", f"/chats/{chat.id}/posts", json=body)
        cross.work_once()
        waiting = person_networks.cross_posts_of(ctx, post["id"])
        assert [(c.state, "503" in (c.last_error or "")) for c in waiting] == [("pending", True)]
        assert consumer_status(ctx, CONSUMER).pending == 1
        ctx.settings.clock.skew = timedelta(seconds=3)  # type: ignore[attr-defined]  # past 2 s
        cross.work_once()
        done = person_networks.cross_posts_of(ctx, post["id"])
        assert [c.state for c in done] == ["done"]
        hers = [s for s in mastodon.statuses() if s["account"]["acct"] == "alice"]
        assert len(hers) == 1
        status = hers[0]
        assert status["id"] == done[0].external_id
        assert status["url"] == done[0].url
        assert status["in_reply_to_id"] == opening["id"]  # threaded under the opening post
        assert {t["name"] for t in status["tags"]} == {"educhat"}
        assert "A1 I teach maths" in status["content"]
        cross.work_once()  # a later round posts nothing again
        assert len([s for s in mastodon.statuses() if s["account"]["acct"] == "alice"]) == 1

        later = mastodon.post_as("bob", "A1 physics #educhat")  # streamed after hers
        wait_for(lambda: any(p.external_id == later["id"] for p in filed_posts(ctx, chat.id)))
        reply = mastodon.post_as("carol", "same here #educhat", in_reply_to_id=status["id"])
        wait_for(lambda: any(p.external_id == reply["id"] for p in filed_posts(ctx, chat.id)))
    finally:
        runner.close()
    runner = BridgeRunner(ctx, name="catch-up")  # and a catch-up from the start reads it again
    with ctx.store.write() as session:
        session.execute(sa.text("UPDATE bridges SET cursor = '0', claimed_by = NULL"))
    runner.tick()
    try:
        wait_for(lambda: bridges.bridges_of_series(ctx, host, "EduChat")[0].status == "ok")
    finally:
        runner.close()
    room = list_posts(ctx, chat.id, include_hidden=True)
    assert [p.text for p in room if "maths" in p.text] == ["A1 I teach maths #EduChat"]
    filed = {p.external_id for p in filed_posts(ctx, chat.id)}
    assert status["id"] not in filed
    assert filed == {later["id"], reply["id"]}  # a reply to her copy lands in her chat


async def test_a_post_hidden_before_it_went_out_is_never_cross_posted(
    api: Api, ctx: AppContext, mastodon: LocalMastodon, secret_key: str
) -> None:
    owner = api.person("owner")
    await api.series(owner, "EduChat")
    host = _user(ctx, "owner")
    cross = _cross_worker(ctx)
    chat = do_create_chat(ctx, host, "EduChat", "Assessment", ctx.now(), 60, ["What?"])
    do_start_chat(ctx, host, chat.id)
    alice = api.person("alice")
    await api.ok(
        alice,
        "POST",
        "/me/networks",
        json={
            "network": "mastodon",
            "instance": mastodon.base_url,
            "access_token": mastodon.token_for("alice"),
        },
    )
    body = {"text": "A1 something rude #EduChat", "cross_post": ["mastodon"]}
    post = await api.ok(alice, "POST", f"/chats/{chat.id}/posts", json=body)
    do_hide_post(ctx, host, post["id"])
    cross.work_once()
    assert mastodon.statuses() == []
    assert [c.state for c in person_networks.cross_posts_of(ctx, post["id"])] == ["cancelled"]


def test_a_copy_filed_before_it_was_recorded_is_hidden_when_it_is(
    ctx: AppContext, secret_key: str
) -> None:
    from hashchat.actions.accounts import do_register
    from hashchat.actions.series import do_create_series
    from hashchat.domain.ingest import ForeignPost, Network

    host = do_register(ctx, "owner", "correct horse battery")
    do_create_series(ctx, host, "EduChat", "A chat about teaching", "Europe/London")
    bridge = bridges.do_connect_bridge(
        ctx,
        host,
        "EduChat",
        "mastodon",
        {"instance": "https://m.example", "access_token": "t"},
        lambda network, values: "@host@m.example",
    )
    chat = do_create_chat(ctx, host, "EduChat", "Assessment", ctx.now(), 60, ["What?"])
    do_start_chat(ctx, host, chat.id)
    alice = do_register(ctx, "alice", "correct horse battery")
    person_networks.do_connect_network(
        ctx,
        alice,
        "mastodon",
        {"instance": "https://m.example", "access_token": "hers"},
        lambda network, values: "@alice@m.example",
    )
    post = do_create_post(ctx, alice, chat.id, "A1 maths #EduChat", cross_post=["mastodon"])
    (work,) = person_networks.pending_cross_posts(ctx, post.id)
    # Another process's bridge reads her copy in the instant between posting and recording.
    copy = ForeignPost(
        network=Network.MASTODON,
        source="m.example",
        external_id="777",
        author_handle="@alice@m.example",
        display_name="Alice",
        text="A1 maths #EduChat",
        created_at=ctx.now(),
        url="https://m.example/@alice/777",
    )
    assert bridges.do_file_bridge_posts(ctx, bridge.id, [copy]).added == 1
    assert len([p for p in list_posts(ctx, chat.id) if "maths" in p.text]) == 2
    person_networks.record_cross_posted(ctx, work.id, "m.example", "777", copy.url)
    assert [p.id for p in list_posts(ctx, chat.id) if "maths" in p.text] == [post.id]
    again = bridges.do_file_bridge_posts(ctx, bridge.id, [copy])  # read again: skipped
    assert (again.added, again.updated) == (0, 0)
    assert [p.id for p in list_posts(ctx, chat.id) if "maths" in p.text] == [post.id]
