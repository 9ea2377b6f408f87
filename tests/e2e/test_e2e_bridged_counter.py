"""A chat bridged to Bluesky counts by Bluesky's rule in the browser (issue 11): the series'
own rule is Mastodon's 500, the bridge makes 300 graphemes the strictest; the room's compose
counter and the host console's comment counter both count to 300, turn "over" past it, and the
pages say which rule it is. axe-core finds no serious or critical violation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from e2e_support import ContextFactory, LiveServer, axe_violations, log_in
from playwright.sync_api import expect

from hashchat.actions import bridges
from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.series import do_create_series

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def test_the_counters_use_the_strictest_bridged_rule(
    live_server: LiveServer, new_context: ContextFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HASHCHAT_SECRET_KEY", "an-e2e-only-key-0123456789abcdef")
    ctx = live_server.ctx
    host = do_register(ctx, "bridged_host", PASSWORD)
    do_create_series(ctx, host, "BridgedE2E", "Counted", "UTC", "mastodon", 500)
    closed = "http://127.0.0.1:9"  # the server's bridge runner finds nothing there, harmlessly
    bridges.do_connect_bridge(
        ctx,
        host,
        "BridgedE2E",
        "bluesky",
        {"handle": "host.test", "app_password": "p", "service": closed, "firehose": closed},
        lambda network, values: "host.test",
    )
    chat = do_create_chat(
        ctx, host, "BridgedE2E", "Counted", ctx.now() - timedelta(minutes=1), 60, ["Why?"]
    )
    do_start_chat(ctx, host, chat.id)

    page = new_context().new_page()
    log_in(page, live_server.base_url, "bridged_host", PASSWORD)
    page.goto(f"{live_server.base_url}/chats/{chat.id}")
    expect(page.locator("#strictest-rule")).to_have_text(
        "Bluesky's rule, the strictest of the room and Bluesky"
    )
    counter = page.locator("#compose-counter")
    page.locator("#compose-text").fill(
        "é" * 280
    )  # 280 graphemes; Mastodon's rule would say 280 too
    expect(counter).to_contain_text("/ 300")
    expect(counter).not_to_have_class("counter over")
    page.locator("#compose-text").fill("é" * 320)
    expect(counter).to_have_class("counter over")
    assert axe_violations(page) == []

    page.goto(f"{live_server.base_url}/chats/{chat.id}/host")
    expect(page.locator("#chat-networks")).to_contain_text("Bluesky host.test")
    comment = page.get_by_label("Your comment")
    comment.fill("👩‍👩‍👧 " * 60)  # each family one grapheme: 119 once trimmed
    expect(page.locator("#host-comment-counter")).to_have_text(f"{119 + len(' #BridgedE2E')} / 300")
    comment.fill("x" * 301)
    expect(page.locator("#host-comment-counter")).to_have_class("counter over")
    assert axe_violations(page) == []
