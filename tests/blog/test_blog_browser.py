"""A host connects her blog from the series settings page in the browser (Chromium, Playwright),
against the real WordPress: a wrong Application Password is refused with WordPress's word and the
password field comes back empty; the right one connects, the password is never shown; she
announces the chat in one click and the post is on the blog. axe-core finds no violation on
the page."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from blog_support import TAG, Server, make_host, seed_chat, wp_posts_titled
from playwright.sync_api import Page, expect, sync_playwright
from wordpress_support import LocalWordPress

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from e2e_support import CHROMIUM, CHROMIUM_ARGS, axe_violations

from ci_support import skip_or_fail

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture
def page() -> Iterator[Page]:
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing (make browser-deps)")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        context.set_default_timeout(15000)
        yield context.new_page()
        browser.close()


def test_a_host_connects_her_blog_from_the_series_settings(
    server: Server, page: Page, wordpress: LocalWordPress
) -> None:
    base, ctx = server
    host = make_host(ctx)
    seed_chat(ctx, host, ctx.now() + timedelta(days=3), "Browser announce")
    page.goto(f"{base}/login")
    page.get_by_label("User name").fill(host.view.name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/series/{TAG}/edit")
    page.get_by_role("navigation", name="Series pages").get_by_role("link", name="Blog").click()
    page.wait_for_url(f"{base}/series/{TAG}/blog")
    assert axe_violations(page) == []

    page.get_by_label("Blog address").fill(wordpress.url)
    page.get_by_label("WordPress user name").fill("admin")
    page.get_by_label("Application Password").fill("wxyz wxyz wxyz wxyz wxyz wxyz")
    page.get_by_role("button", name="Connect the blog").click()
    expect(page.locator(".flash")).to_contain_text("not currently logged in")
    expect(page.get_by_label("Application Password")).to_have_value("")
    expect(page.get_by_label("Blog address")).to_have_value(wordpress.url)

    page.get_by_label("Application Password").fill(wordpress.app_password)
    page.get_by_role("button", name="Connect the blog").click()
    page.wait_for_url(f"{base}/series/{TAG}/blog?done=connected")
    expect(page.get_by_role("status")).to_contain_text("Blog connected.")
    expect(page.locator("#blog-health")).to_contain_text("ok")
    assert wordpress.app_password not in page.content()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Announce Browser announce").click()
    page.wait_for_url(f"{base}/series/{TAG}/blog?done=announced")
    expect(page.get_by_role("link", name="announcement")).to_be_visible()
    assert len(wp_posts_titled(wordpress, f"#{TAG}: Browser announce")) == 1
