"""The room as people who chat every week expect it (issue 9), in Chromium: the compose box
previews what it will post (hosts are not auto-tagged; the late-answer picker stores what it
showed), the counter agrees with the server's `measure` (Bluesky's bytes too), links, mentions
and hashtags work, hosts-only, search, newest first and jump, pause keeps its name and announces
questions, spotlighted posts are pinned, the compose box stays on screen, the upcoming room counts
down, and the recap fits a 390 px phone. axe: 0 serious violations on each page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from e2e_support import ContextFactory, LiveServer, axe_violations, log_in
from playwright.sync_api import Page, expect

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_end_chat, do_next_question, do_start_chat
from hashchat.actions.moderation import do_spotlight_post
from hashchat.actions.posts import do_create_post
from hashchat.actions.series import do_add_member, do_create_series
from hashchat.actions.upcoming import do_set_questions_public
from hashchat.actions.views import UserView
from hashchat.domain.text.length import measure

pytestmark = pytest.mark.browser

PASSWORD = "e2e reading password"

TEXTS = [
    "",
    "hello",
    "A1 Small batches beat big launches #Tag",
    "😀👍🏽 family: 👨‍👩‍👧‍👦",
    "日本語のテキスト",
    "see https://example.com/a/b?c=d and http://x.org",
    "@bob@mastodon.social thanks!",
    "e\u0301" * 5,
    "🇬🇧🇫🇷",
    "a" * 280,
    "emoji " + "👍🏽" * 200,
    "Ω≈ç√∫ — “quotes” …",
]


def _people(
    server: LiveServer, suffix: str, rule: str = "x", limit: int = 280
) -> dict[str, UserView]:
    ctx = server.ctx
    users = {role: do_register(ctx, f"{role}_{suffix}", PASSWORD) for role in ("host", "pia")}
    do_create_series(ctx, users["host"], f"Read{suffix}", "Reading", "UTC", rule, limit, "Guide")
    do_add_member(ctx, users["host"], f"Read{suffix}", users["pia"].name, "participant")
    return users


def _chat(server: LiveServer, suffix: str, users: dict[str, UserView], minutes: int = 90) -> int:
    chat = do_create_chat(
        server.ctx,
        users["host"],
        f"Read{suffix}",
        "Reading chat",
        server.ctx.now() + timedelta(minutes=minutes),
        60,
        ["What went well?", "What is next?"],
    )
    return chat.id


def _open(new_context: ContextFactory, server: LiveServer, name: str, path: str) -> Page:
    page = new_context().new_page()
    log_in(page, server.base_url, name, PASSWORD)
    page.goto(server.base_url + path)
    return page


@pytest.mark.parametrize("rule", ["x", "mastodon", "bluesky", "plain"])
def test_the_counter_agrees_with_the_servers_measure(
    live_server: LiveServer, new_context: ContextFactory, rule: str
) -> None:
    users = _people(live_server, f"count{rule}", rule, 300)
    chat_id = _chat(live_server, f"count{rule}", users)
    do_start_chat(live_server.ctx, users["host"], chat_id)
    page = _open(new_context, live_server, users["pia"].name, f"/chats/{chat_id}")
    bluesky_wall = "é" * 1600  # 1,600 graphemes but 3,200 bytes (NFC é is two bytes)
    texts = [*TEXTS, bluesky_wall]
    counted = page.evaluate(
        "([rule, texts]) => texts.map((t) => { const c = window.hashchatText.count(rule, t);"
        " return [c.length, c.fits(5000)]; })",
        [rule, texts],
    )
    expected = []
    for text in texts:
        measured = measure(text, rule, 5000)
        expected.append([measured.length, measured.valid])
    assert counted == expected


def test_the_compose_box_previews_what_it_posts(
    live_server: LiveServer, new_context: ContextFactory
) -> None:
    users = _people(live_server, "preview", "x", 60)
    chat_id = _chat(live_server, "preview", users)
    ctx = live_server.ctx
    do_start_chat(ctx, users["host"], chat_id)
    do_next_question(ctx, users["host"], chat_id)
    pia = _open(new_context, live_server, users["pia"].name, f"/chats/{chat_id}")
    host = _open(new_context, live_server, users["host"].name, f"/chats/{chat_id}")

    # An empty box says it is empty, not "11 / 60".
    expect(pia.locator("#compose-counter")).to_have_text("0 / 60 characters")
    expect(pia.locator("#compose-preview-line")).to_be_hidden()
    pia.get_by_label("Your post").fill("small steps")
    expect(pia.locator("#compose-preview")).to_have_text("A1 small steps #Readpreview")
    expect(pia.locator("#compose-counter")).to_have_text("27 / 60")
    # A host's comment gets the hashtag only.
    host.get_by_label("Your post").fill("Great answers so far")
    expect(host.locator("#compose-preview")).to_have_text("Great answers so far #Readpreview")
    host.get_by_role("button", name="Post", exact=True).click()
    expect(pia.locator("#group-none li.post.is-host .text").last).to_have_text(
        "Great answers so far #Readpreview"
    )

    # A stale over-limit error goes when the text changes.
    pia.get_by_label("Your post").fill("x" * 70)
    pia.get_by_role("button", name="Post", exact=True).click()
    expect(pia.locator("#compose-error")).to_contain_text("Not posted")
    pia.get_by_label("Your post").fill("short now")
    expect(pia.locator("#compose-error")).to_have_text("")

    # After the live hour: pick the question; what is stored is what the preview showed.
    do_end_chat(ctx, users["host"], chat_id)
    expect(pia.locator("#compose-question")).to_be_visible()
    expect(pia.locator("#compose-question")).to_have_value("")
    pia.get_by_label("Your post").fill("write the wins down")
    expect(pia.locator("#compose-preview")).to_have_text("write the wins down #Readpreview")
    pia.get_by_label("Answering").select_option("1")
    shown = "A1 write the wins down #Readpreview"
    expect(pia.locator("#compose-preview")).to_have_text(shown)
    pia.get_by_role("button", name="Post", exact=True).click()
    late = pia.locator("#group-q1 li.post", has_text="write the wins down")
    expect(late.locator(".text")).to_have_text(shown)
    expect(late.locator(".badge-late")).to_be_visible()
    assert axe_violations(pia) == []


def test_reading_a_long_chat(live_server: LiveServer, new_context: ContextFactory) -> None:
    users = _people(live_server, "long")
    chat_id = _chat(live_server, "long", users)
    ctx = live_server.ctx
    host, pia = users["host"], users["pia"]
    do_start_chat(ctx, host, chat_id)
    do_next_question(ctx, host, chat_id)
    for number in range(40):
        do_create_post(ctx, pia, chat_id, f"A1 answer number {number} #Readlong")
    linked = do_create_post(
        ctx,
        pia,
        chat_id,
        "A1 read https://example.com/guide). and javascript:alert(1) ask @bob #Kaizen",
    )
    page = _open(new_context, live_server, pia.name, f"/chats/{chat_id}")

    # Links are links (http/https only), with the rel the issue asks for; the rest stays text.
    post = page.locator(f"#post-{linked.id} .text")
    link = post.get_by_role("link", name="https://example.com/guide")
    expect(link).to_have_attribute("href", "https://example.com/guide")
    expect(link).to_have_attribute("rel", "nofollow ugc noopener")
    expect(post.locator("a[href^='javascript']")).to_have_count(0)
    expect(post).to_have_text(
        "A1 read https://example.com/guide). and javascript:alert(1) ask @bob #Kaizen"
    )
    # A hashtag or a mention searches the chat.
    post.get_by_role("link", name="#Kaizen").click()
    expect(page.get_by_label("Search this chat")).to_have_value("#Kaizen")
    expect(page.locator("#search-count")).to_have_text("1 post matches")
    expect(page.locator("#group-q1 li.post:visible")).to_have_count(1)
    page.get_by_label("Search this chat").fill("number 3")
    expect(page.locator("#group-q1 li.post:visible")).to_have_count(11)  # 3, 30-39
    page.get_by_label("Search this chat").fill("")
    expect(page.locator("#group-q1 li.post:visible")).to_have_count(41)

    # Hosts only.
    page.get_by_role("button", name="Hosts only").click()
    expect(page.get_by_role("button", name="Hosts only")).to_have_attribute("aria-pressed", "true")
    visible_authors = page.locator("li.post:visible").evaluate_all(
        "(items) => items.map((i) => i.classList.contains('is-host'))"
    )
    assert visible_authors
    assert all(visible_authors)
    page.get_by_role("button", name="Hosts only").click()

    # Newest first, in the DOM (reading) order too.
    first_text = page.locator("#group-q1 > ol.posts > li.post .text").first
    expect(first_text).to_contain_text("answer number 0")
    page.get_by_role("button", name="Newest first").click()
    expect(first_text).to_contain_text("read https://example.com")
    do_create_post(ctx, pia, chat_id, "A1 the newest of all")
    expect(first_text).to_contain_text("the newest of all")
    page.get_by_role("button", name="Newest first").click()

    # The compose box stays on screen while reading, and "jump" reaches the current question.
    page.mouse.wheel(0, 4000)
    box = page.locator("#compose").bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= 900 + 1
    assert box["y"] >= 0
    page.get_by_role("button", name="Jump to the current question").click()
    expect(page.locator("#heading-q1")).to_be_focused()

    # Pause: one name, aria-pressed; a new question is announced at once, posts wait.
    pause = page.get_by_role("button", name="Pause")
    pause.click()
    expect(pause).to_have_attribute("aria-pressed", "true")
    do_create_post(ctx, pia, chat_id, "A1 held back while paused")
    do_next_question(ctx, host, chat_id)
    expect(page.locator("#question-news")).to_have_text("New question: Q2. What is next?")
    expect(page.locator("#group-q2 h2")).to_be_visible()
    expect(page.locator("#new-count")).to_have_text("1 new")
    expect(page.locator("li.post", has_text="held back while paused")).to_have_count(0)
    pause.click()
    expect(pause).to_have_attribute("aria-pressed", "false")
    expect(page.locator("li.post", has_text="held back while paused")).to_have_count(1)

    # A spotlight pins the post at the top, live; taking it away unpins it.
    do_spotlight_post(ctx, host, linked.id, True)
    pinned = page.locator(f'#pinned [data-pinned-of="{linked.id}"]')
    expect(pinned).to_be_visible()
    assert page.locator("#pinned").evaluate(
        "(pinned) => pinned.compareDocumentPosition(document.getElementById('stream')) & 4"
    )
    do_spotlight_post(ctx, host, linked.id, False)
    expect(pinned).to_have_count(0)
    expect(page.locator("#pinned")).to_be_hidden()
    assert axe_violations(page) == []


def test_the_upcoming_room_counts_down_and_goes_live(
    live_server: LiveServer, new_context: ContextFactory
) -> None:
    users = _people(live_server, "soon")
    chat_id = _chat(live_server, "soon", users, minutes=125)
    do_set_questions_public(live_server.ctx, users["host"], chat_id, True)
    page = _open(new_context, live_server, users["pia"].name, f"/chats/{chat_id}")
    expect(page.locator("#early-questions li")).to_have_text(["What went well?", "What is next?"])
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^Starts in 2 hours( 4 minutes)?$"))
    expect(page.get_by_role("link", name="Add to calendar (.ics)")).to_have_attribute(
        "href", f"/chats/{chat_id}/calendar.ics"
    )
    expect(page.get_by_role("button", name="Pause")).to_have_count(0)
    expect(page.get_by_role("link", name="Recap")).to_have_count(0)
    expect(page.locator("h2", has_text="Conversation")).to_have_count(0)
    assert axe_violations(page) == []
    expect(page.locator("body[data-live=connected]")).to_be_attached()
    do_start_chat(live_server.ctx, users["host"], chat_id)
    expect(page.get_by_label("Your post")).to_be_visible()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    expect(page.locator("#countdown")).to_have_count(0)


def test_the_recap_fits_a_phone(live_server: LiveServer, new_context: ContextFactory) -> None:
    users = _people(live_server, "phone")
    chat_id = _chat(live_server, "phone", users)
    ctx = live_server.ctx
    do_start_chat(ctx, users["host"], chat_id)
    do_next_question(ctx, users["host"], chat_id)
    do_create_post(
        ctx,
        users["pia"],
        chat_id,
        "A1 https://example.com/" + "a-very-long-path-segment-" * 8 + " " + "W" * 80,
    )
    do_end_chat(ctx, users["host"], chat_id)
    context = new_context()
    page = context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    for path in (f"/chats/{chat_id}/recap", f"/chats/{chat_id}"):
        page.goto(live_server.base_url + path)
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], (path, widths)
        assert axe_violations(page) == [], path


def test_reconnecting_is_shown_only_after_a_second_without_a_connection(
    live_server: LiveServer, new_context: ContextFactory
) -> None:
    users = _people(live_server, "blip")
    chat_id = _chat(live_server, "blip", users)
    do_start_chat(live_server.ctx, users["host"], chat_id)
    context = new_context()
    context.route("**/events?**", lambda route: route.abort())
    page = context.new_page()
    page.goto(f"{live_server.base_url}/chats/{chat_id}")
    expect(page.locator("body[data-live=reconnecting]")).to_be_attached()
    assert page.locator("#connection").text_content() == ""
    expect(page.locator("#connection")).to_have_text("Reconnecting…", timeout=4000)
    context.unroute("**/events?**")
    expect(page.locator("body[data-live=connected]")).to_be_attached(timeout=8000)
    expect(page.locator("#connection")).to_have_text("")


def test_the_recap_of_a_chat_not_started_is_accessible(
    live_server: LiveServer, new_context: ContextFactory
) -> None:
    users = _people(live_server, "notyet")
    chat_id = _chat(live_server, "notyet", users)
    page = new_context().new_page()
    response = page.goto(f"{live_server.base_url}/chats/{chat_id}/recap")
    assert response is not None
    assert response.status == 404
    expect(page.locator("#not-started")).to_contain_text("has not started yet")
    expect(page.locator("a[href*='/api/v1/']")).to_have_count(0)
    assert axe_violations(page) == []
