"""The insights page in Chromium: charts load as images under the page's policy, their data
tables open, the hosts' form is labelled, and axe finds no serious or critical violation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from e2e_support import ContextFactory, LiveServer, axe_violations, log_in
from playwright.sync_api import expect

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import (
    do_close_chat,
    do_create_chat,
    do_end_chat,
    do_next_question,
    do_start_chat,
)
from hashchat.actions.ingest import do_ingest_posts
from hashchat.actions.posts import do_create_post
from hashchat.actions.series import do_create_series
from hashchat.domain.ingest import ForeignPost, Network

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
TAG = "InsightsLook"


def _seed(live_server: LiveServer) -> None:
    ctx = live_server.ctx
    host = do_register(ctx, "insights_host", PASSWORD)
    guest = do_register(ctx, "insights_guest", PASSWORD)
    do_create_series(ctx, host, TAG, "Insights <look>", "UTC")
    for title in ("First", "Second"):
        chat = do_create_chat(ctx, host, TAG, title, ctx.now(), 60, ["Wins?", "Tools?"])
        do_start_chat(ctx, host, chat.id)
        do_next_question(ctx, host, chat.id)
        do_create_post(ctx, guest, chat.id, "A1 a <b>list</b>")
        do_ingest_posts(
            ctx,
            "e2e",
            chat.id,
            [
                ForeignPost(
                    network=Network.X,
                    source="x.com",
                    external_id=f"{title}-1",
                    author_handle="tom",
                    display_name="Tom",
                    text="A1 van shelving",
                    created_at=ctx.now() + timedelta(seconds=1),
                )
            ],
        )
        do_end_chat(ctx, host, chat.id)
        do_close_chat(ctx, host, chat.id)


def test_insights_page_is_accessible_with_working_charts(
    live_server: LiveServer, new_context: ContextFactory
) -> None:
    _seed(live_server)
    page = new_context().new_page()
    log_in(page, live_server.base_url, "insights_host", PASSWORD)
    page.goto(f"{live_server.base_url}/series/{TAG}/insights")
    expect(page.get_by_role("heading", name=f"Insights: #{TAG}")).to_be_visible()
    images = page.locator("figure.chart img")
    expect(images).to_have_count(4)
    for index in range(4):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function(
            "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
    page.get_by_text("Participants per chat: returning and new: the data").click()
    expect(page.locator("#chart-participants table")).to_be_visible()
    expect(page.get_by_label("Chats in a row that make a trend")).to_have_value("3")
    assert axe_violations(page) == []
    anonymous = new_context().new_page()
    anonymous.goto(f"{live_server.base_url}/series/{TAG}/insights")
    expect(anonymous.get_by_text("Regulars (shown to hosts only)")).to_have_count(0)
    assert axe_violations(anonymous) == []
