"""The room's compose box offers "Also post to Mastodon as @her@instance" for the networks she
connected herself (issue 11), none for someone who connected none; ticked, the post request
carries `cross_post` and the cross-post is recorded with the post."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from e2e_support import ContextFactory, LiveServer, axe_violations, log_in
from playwright.sync_api import expect

from hashchat.actions import person_networks
from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.series import do_create_series
from hashchat.store.models import CrossPostRow

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def test_the_compose_box_offers_her_own_networks_and_sends_cross_post(
    live_server: LiveServer, new_context: ContextFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HASHCHAT_SECRET_KEY", "an-e2e-only-key-0123456789abcdef")
    ctx = live_server.ctx
    host = do_register(ctx, "cross_host", PASSWORD)
    do_create_series(ctx, host, "CrossE2E", "Cross-posted", "UTC", "mastodon", 500)
    chat = do_create_chat(
        ctx, host, "CrossE2E", "Answers", ctx.now() - timedelta(minutes=1), 60, ["Why?"]
    )
    do_start_chat(ctx, host, chat.id)
    alice = do_register(ctx, "cross_alice", PASSWORD)
    closed = "http://127.0.0.1:9"  # the server's outbox worker fails there harmlessly, retrying
    person_networks.do_connect_network(
        ctx,
        alice,
        "mastodon",
        {"instance": closed, "access_token": "t"},
        lambda network, values: "@alice@mastodon.example",
    )
    do_register(ctx, "cross_bob", PASSWORD)

    bob = new_context().new_page()
    log_in(bob, live_server.base_url, "cross_bob", PASSWORD)
    bob.goto(f"{live_server.base_url}/chats/{chat.id}")
    expect(bob.locator("#compose-text")).to_be_visible()
    expect(bob.locator(".compose-cross-post")).to_have_count(0)  # hidden: she has none

    page = new_context().new_page()
    log_in(page, live_server.base_url, "cross_alice", PASSWORD)
    page.goto(f"{live_server.base_url}/chats/{chat.id}")
    box = page.get_by_label("Also post to Mastodon as @alice@mastodon.example")
    expect(box).to_be_visible()
    expect(box).not_to_be_checked()
    assert axe_violations(page) == []
    box.check()
    page.locator("#compose-text").fill("A1 because it matters")
    with page.expect_request(
        lambda r: r.method == "POST" and r.url.endswith(f"/api/v1/chats/{chat.id}/posts")
    ) as sent:
        page.locator("#compose-send").click()
    assert json.loads(sent.value.post_data or "{}")["cross_post"] == ["mastodon"]
    expect(page.locator("p.text", has_text="because it matters")).to_have_count(1)
    with ctx.store.read() as session:
        networks = session.scalars(sa.select(CrossPostRow.network)).all()
    assert networks == ["mastodon"]
