"""Every page works under the Content-Security-Policy: no refusal reported by Chromium (the
`securitypolicyviolation` event and the console), and the scripts of each page still run."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from e2e_support import ContextFactory, LiveServer, log_in
from playwright.sync_api import Page, expect

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.posts import do_create_post
from hashchat.actions.series import do_create_series

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
TAG = "CspCheck"
# Recorded by the page itself, from before its first script runs.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}`);
});
"""


def _violations(page: Page) -> list[str]:
    found: list[str] = page.evaluate("window.__cspViolations")
    return found


def test_every_page_runs_its_scripts_without_a_policy_violation(
    live_server: LiveServer, new_context: ContextFactory
) -> None:
    ctx = live_server.ctx
    host = do_register(ctx, "csp_host", PASSWORD)
    do_create_series(ctx, host, TAG, "CSP", "UTC", "plain", 500, "Checks the policy")
    chat = do_create_chat(ctx, host, TAG, "Policy", ctx.now() + timedelta(minutes=5), 60, ["Q?"])
    do_start_chat(ctx, host, chat.id)
    do_create_post(ctx, host, chat.id, "A1 first post #CspCheck")

    context = new_context()
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    log_in(page, live_server.base_url, "csp_host", PASSWORD)
    base = live_server.base_url
    for path in (
        "/",
        f"/series/{TAG}",
        f"/chats/{chat.id}",
        f"/chats/{chat.id}/host",
        f"/chats/{chat.id}/recap",
        "/settings",
        "/login",
        "/register",
        "/chats/18446744073709551616",
    ):
        response = page.goto(base + path)
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
        assert _violations(page) == [], path

    # site.js: times shown in the reader's zone, the settings button fills the zone.
    page.goto(base + "/settings")
    page.get_by_role("button", name="Use my browser's zone").click()
    expect(page.locator("#timezone")).not_to_have_value("")

    # room.js and textcount.js: the counter counts, a post goes out and comes back live.
    page.goto(base + f"/chats/{chat.id}")
    expect(page.locator("body[data-live=connected]")).to_be_attached()
    page.get_by_label("Your post").fill("Posted under the policy")
    expect(page.locator("#compose-counter")).to_have_text(re.compile(r"\d"))
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.locator("li.post", has_text="Posted under the policy")).to_be_visible()

    # host.js: the console's live parts run.
    page.goto(base + f"/chats/{chat.id}/host")
    page.wait_for_load_state("networkidle")
    assert _violations(page) == []
