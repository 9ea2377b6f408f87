"""A whole chat in Chromium: a host and two participants in separate browser contexts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from e2e_support import ARTIFACTS, ContextFactory, LiveServer, axe_violations, log_in
from playwright.sync_api import Page, expect

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat
from hashchat.actions.series import do_add_member, do_create_series

pytestmark = pytest.mark.browser

PASSWORD = "e2e password 1"
TAG = "E2EChat"
LIMIT = 140
XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'


def seed(server: LiveServer, suffix: str) -> tuple[int, dict[str, str]]:
    """A series with a host and two participants, and a chat about to start."""
    ctx = server.ctx
    names = {role: f"{role}_{suffix}" for role in ("host", "pia", "paul")}
    users = {role: do_register(ctx, name, PASSWORD) for role, name in names.items()}
    do_create_series(ctx, users["host"], f"{TAG}{suffix}", "E2E chat", "UTC", "x", LIMIT, "Test")
    do_add_member(ctx, users["host"], f"{TAG}{suffix}", names["pia"], "participant")
    chat = do_create_chat(
        ctx,
        users["host"],
        f"{TAG}{suffix}",
        "Whole chat",
        ctx.now() + timedelta(minutes=1),
        60,
        ["What went <em>well</em>?", "What is next?"],
    )
    return chat.id, names


def open_as(new_context: ContextFactory, server: LiveServer, name: str, path: str) -> Page:
    page = new_context().new_page()
    log_in(page, server.base_url, name, PASSWORD)
    page.goto(server.base_url + path)
    return page


def send(page: Page, text: str) -> None:
    page.get_by_label("Your post").fill(text)
    page.get_by_role("button", name="Post", exact=True).click()


def post_in(page: Page, group: str, text: str) -> str:
    """The selector of the post in `group` whose text contains `text`, once it is there."""
    item = page.locator(f"#group-{group} li.post", has_text=text).first
    expect(item).to_be_visible()
    return f"#{item.get_attribute('id')}"


def test_a_whole_chat_runs_live_in_three_browsers(
    live_server: LiveServer, new_context: ContextFactory
) -> None:
    chat_id, names = seed(live_server, "a")
    room = f"/chats/{chat_id}"
    host = open_as(new_context, live_server, names["host"], f"{room}/host")
    pia = open_as(new_context, live_server, names["pia"], room)
    paul = open_as(new_context, live_server, names["paul"], room)
    dialogs: list[str] = []
    for page in (pia, paul):
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        expect(page.locator("body[data-live=connected]")).to_be_attached()

    # The host starts; the welcome arrives live and is highlighted as a host post.
    host.get_by_role("button", name="Start the chat").click()
    expect(pia.locator("#group-none li.post.is-host")).to_be_visible()
    host.get_by_role("button", name="Post Q1 now").click()
    expect(paul.locator("#group-q1 h2")).to_have_text("Q1. What went <em>well</em>?")
    expect(paul.locator("#tabs button[data-filter='1']")).to_be_visible()

    # An untagged answer gets the A-tag and hashtag from the compose box and groups under Q1.
    send(pia, "Small batches beat big launches")
    first = post_in(paul, "q1", "Small batches beat big launches")
    expect(paul.locator(f"{first} .text")).to_have_text(
        f"A1 Small batches beat big launches #{TAG}a"
    )

    # Pause holds new posts back and counts them; resume shows them.
    paul.get_by_role("button", name="Pause").click()
    send(pia, "A1 Checklists for every job")
    expect(paul.locator("#new-count")).to_have_text("1 new")
    expect(paul.locator("li.post", has_text="Checklists for every job")).to_have_count(0)
    expect(paul.get_by_role("button", name="Pause")).to_have_attribute("aria-pressed", "true")
    paul.get_by_role("button", name="Pause").click()  # one name; aria-pressed says it is on
    post_in(paul, "q1", "Checklists for every job")
    expect(paul.locator("#new-count")).to_have_text("")

    # A reply nests under its parent, for everyone.
    paul.locator(f"{first} .reply-button").first.click()
    expect(paul.locator("#compose-replying")).to_contain_text(names["pia"])
    # With the box ticked a reply gets the hashtag but no answer tag: it stays in its thread.
    send(paul, "Agreed, small is easier to finish")
    expect(pia.locator(f"{first} > ol.replies > li.post")).to_contain_text("small is easier")

    # The counter refuses an over-limit post, with the reason; nothing is sent or cut.
    before = pia.locator("li.post").count()
    pia.get_by_label("Your post").fill("A1 " + "x" * LIMIT)
    expect(pia.locator("#compose-counter")).to_have_class(re.compile(r"\bover\b"))
    pia.get_by_role("button", name="Post", exact=True).click()
    expect(pia.locator("#compose-error")).to_contain_text("Not posted")
    expect(pia.locator("#compose-error")).to_contain_text(f"the limit is {LIMIT}")
    assert pia.locator("li.post").count() == before

    # Markup in a post is text: nothing runs, nothing is parsed as HTML.
    send(paul, XSS)
    xss = post_in(pia, "q1", "<script>window.__pwned=1</script>")
    expect(pia.locator(f"{xss} img")).to_have_count(0)
    pia.reload()
    expect(pia.locator(f"{xss} .text")).to_contain_text('<img src=x onerror="window.__pwned=1">')
    assert pia.evaluate("window.__pwned") is None
    assert paul.evaluate("window.__pwned") is None
    assert dialogs == []

    # After the live hour a late answer lands under its question, marked late.
    host.get_by_role("button", name="Post Q2 now").click()
    expect(pia.locator("#group-q2 h2")).to_be_visible()
    host.get_by_role("button", name="End the live hour").click()
    host.get_by_role("button", name="Yes, end the live hour").click()  # the confirmation step
    expect(pia.locator("#chat-state")).to_have_text(re.compile("late"))
    send(pia, "A1 Late thought: write the wins down")
    late = post_in(paul, "q1", "Late thought")
    expect(paul.locator(f"{late} .badge-late")).to_have_text("late")

    # Closing comments stops posting: the compose box goes, the API refuses.
    host.get_by_role("button", name="Close comments").click()
    host.get_by_role("button", name="Yes, close comments").click()
    expect(pia.locator("#closed-note")).to_be_visible()
    expect(pia.locator("#compose")).to_have_count(0)
    status = pia.evaluate(
        """async (id) => (await fetch(`/api/v1/chats/${id}/posts`, {method: "POST",
             headers: {"Content-Type": "application/json"},
             body: JSON.stringify({text: "A1 too late"})})).status""",
        chat_id,
    )
    assert status in (403, 401)
    ARTIFACTS.mkdir(exist_ok=True)
    pia.screenshot(path=str(ARTIFACTS / "room.png"), full_page=True)

    # The recap shows it all, readable without JavaScript.
    reader = new_context().new_page()
    reader.goto(f"{live_server.base_url}{room}/recap")
    q1 = reader.locator("#recap-q1")
    expect(q1.locator("h3")).to_have_text("Q1. What went <em>well</em>?")
    expect(q1).to_contain_text("Small batches beat big launches")
    expect(q1).to_contain_text("Checklists for every job")
    expect(q1.locator("ol.replies")).to_contain_text("small is easier")
    expect(q1.locator("li.post", has_text="Late thought").locator(".badge-late")).to_be_visible()
    expect(q1).to_contain_text("<script>window.__pwned=1</script>")
    assert reader.evaluate("window.__pwned") is None
    reader.screenshot(path=str(ARTIFACTS / "recap.png"), full_page=True)


def test_series_room_and_recap_have_no_serious_accessibility_violations(
    live_server: LiveServer, new_context: ContextFactory
) -> None:
    chat_id, names = seed(live_server, "b")
    page = open_as(new_context, live_server, names["pia"], f"/series/{TAG}b")
    anonymous = new_context().new_page()
    pages = {
        "series": (anonymous, f"/series/{TAG}b"),
        "room": (page, f"/chats/{chat_id}"),
        "recap": (anonymous, f"/chats/{chat_id}/recap"),
    }
    found = {}
    for name, (viewer, path) in pages.items():
        viewer.goto(live_server.base_url + path)
        found[name] = axe_violations(viewer)
    assert found == {"series": [], "room": [], "recap": []}
