"""Moderation reaching an open room in Chromium, over the real event stream: a hidden post
leaves the room at once, and a hide undone (`unhide`) brings it back in its place (by time, in
its question's group, among its neighbours, once), without a reload."""

from __future__ import annotations

from datetime import timedelta

import pytest
from e2e_support import ContextFactory, LiveServer, log_in
from playwright.sync_api import expect

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.moderation import do_hide_post, do_unhide_post
from hashchat.actions.posts import do_create_post
from hashchat.actions.series import do_add_member, do_create_series

pytestmark = pytest.mark.browser

PASSWORD = "e2e moderation password"


def test_an_unhidden_post_comes_back_in_its_place_in_an_open_room(
    live_server: LiveServer, new_context: ContextFactory
) -> None:
    ctx = live_server.ctx
    host = do_register(ctx, "unhide_host", PASSWORD)
    pia = do_register(ctx, "unhide_pia", PASSWORD)
    do_create_series(ctx, host, "UnhideRoom", "Unhide", "UTC")
    do_add_member(ctx, host, "UnhideRoom", pia.name, "participant")
    chat = do_create_chat(
        ctx, host, "UnhideRoom", "Back", ctx.now() - timedelta(minutes=1), 60, ["One?", "Two?"]
    )
    do_start_chat(ctx, host, chat.id)
    first = do_create_post(ctx, pia, chat.id, "A1 first answer")
    middle = do_create_post(ctx, pia, chat.id, "A1 the middle answer")
    last = do_create_post(ctx, pia, chat.id, "A1 last answer")

    page = new_context().new_page()
    log_in(page, live_server.base_url, pia.name, PASSWORD)
    page.goto(f"{live_server.base_url}/chats/{chat.id}")
    group = page.locator("#group-q1 > ol.posts > li.post")
    expect(group).to_have_count(3)
    expect(page.locator("body")).to_have_attribute("data-live", "connected")

    do_hide_post(ctx, host, middle.id)
    expect(page.locator(f"#post-{middle.id}")).to_have_count(0)
    expect(group).to_have_count(2)

    do_unhide_post(ctx, host, middle.id)
    expect(page.locator(f"#post-{middle.id}")).to_have_count(1)
    expect(page.locator(f"#post-{middle.id} > p.text")).to_have_text("A1 the middle answer")
    order = page.eval_on_selector_all(
        "#group-q1 > ol.posts > li.post", "items => items.map(i => Number(i.dataset.postId))"
    )
    assert order == [first.id, middle.id, last.id]

    # A post after the unhide still goes last; nothing is shown twice.
    newest = do_create_post(ctx, pia, chat.id, "A1 newest answer")
    expect(page.locator(f"#post-{newest.id}")).to_have_count(1)
    order = page.eval_on_selector_all(
        "#group-q1 > ol.posts > li.post", "items => items.map(i => Number(i.dataset.postId))"
    )
    assert order == [first.id, middle.id, last.id, newest.id]
    ids = page.eval_on_selector_all("#stream li.post", "items => items.map(i => i.dataset.postId)")
    assert len(ids) == len(set(ids))
