"""A host runs a chat from her console in the browser, from registration on, with no API call
and no pre-seeded data (issue 9): she schedules a chat, frames it, writes its questions, starts
it, asks Q1 and Q2, comments, hides and unhides a post, ends it with a closing time after a
confirmation step, sees the countdown, and closes comments; a participant registers and answers in
the room meanwhile; the recap then says what happened. Every action shows its notice (the console's
live reload no longer cancels it). axe-core finds no violation on any page of the way."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from e2e_support import ContextFactory, LiveServer, axe_violations
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
TAG = "ConsoleE2E"


def _register(page: Page, base_url: str, name: str) -> None:
    page.goto(f"{base_url}/register")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Display name").fill(name.title())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{base_url}/")


def _no_violations(page: Page) -> None:
    assert axe_violations(page) == [], page.url


def _notice(page: Page, text: str) -> None:
    expect(page.locator("#console-notice")).to_contain_text(text)


def test_a_host_runs_a_chat_from_the_console(
    live_server: LiveServer, new_context: ContextFactory
) -> None:
    base = live_server.base_url
    host = new_context().new_page()
    _register(host, base, "console_host")
    host.get_by_role("link", name="Start a series").click()
    host.get_by_label("Hashtag").fill(TAG)
    host.get_by_label("Title").fill("Console <runs>")
    host.get_by_label("Home time zone").fill("Europe/London")
    host.get_by_role("button", name="Create the series").click()
    host.wait_for_url(f"{base}/series/{TAG}/edit?done=created")

    host.get_by_role("navigation", name="Series pages").get_by_role("link", name="Schedule").click()
    tomorrow = date.today() + timedelta(days=1)
    host.get_by_label("Title", exact=True).fill("Habits that stick")
    host.get_by_label("Start (Europe/London)").fill(f"{tomorrow.isoformat()}T17:00")
    host.get_by_role("button", name="Schedule the chat").click()
    host.get_by_role("link", name="Host console").first.click()
    expect(host.get_by_role("heading", level=1)).to_have_text("Host console: Habits that stick")
    _no_violations(host)

    # Frame the chat and write its questions.
    host.get_by_label("The chat's framing").fill("Read the post first: small steps win.")
    host.get_by_role("button", name="Save the topic").click()
    _notice(host, "Topic saved.")
    for text in ("What went well this week?", "What is your next small step?", "Spare?"):
        host.get_by_label(re.compile(r"^Add a question")).fill(text)
        host.get_by_role("button", name="Add the question").click()
        _notice(host, "Question added.")
    host.get_by_role("button", name="Remove Q3").click()
    _notice(host, "Question removed")
    expect(host.get_by_label("Q2 (not posted yet)")).to_have_value("What is your next small step?")
    expect(host.locator("table.plan")).to_contain_text("planned")
    _no_violations(host)

    # Run it.
    host.get_by_role("button", name="Start the chat").click()
    _notice(host, "The chat is live")
    host.get_by_role("button", name="Post Q1 now").click()
    _notice(host, "The next question is posted.")
    host.get_by_role("button", name="Post Q2 now").click()
    _notice(host, "The next question is posted.")
    expect(host.get_by_text("current question: Q2")).to_be_visible()

    # A participant joins from the series page and answers Q2 in the room (the box adds the tag).
    pia = new_context().new_page()
    _register(pia, base, "console_pia")
    pia.goto(f"{base}/series/{TAG}")
    pia.get_by_role("link", name="Habits that stick").first.click()
    pia.get_by_label("Your post").fill("Walking after lunch, every day")
    expect(pia.locator("#compose-preview")).to_have_text(
        f"A2 Walking after lunch, every day #{TAG}"
    )
    pia.get_by_role("button", name="Post", exact=True).click()
    expect(pia.locator("#group-q2 li.post")).to_contain_text("Walking after lunch")
    _no_violations(pia)

    host.get_by_label("Your comment").fill("Great answers so far")
    expect(host.locator("#host-comment-preview")).to_have_text(
        f"Will post: Great answers so far #{TAG}"
    )
    host.get_by_role("button", name="Post comment").click()
    _notice(host, "Your comment is posted.")
    comment = host.locator("#moderation-list li", has_text="Great answers so far")
    expect(comment).to_contain_text(f"#{TAG}")
    expect(comment).not_to_contain_text("A2")
    comment.get_by_role("button", name="Hide").click()
    _notice(host, "Post hidden.")
    comment = host.locator("#moderation-list li", has_text="Great answers so far")
    expect(comment.locator(".badge-hidden-state")).to_be_visible()
    comment.get_by_role("button", name="Unhide").click()
    _notice(host, "Post unhidden")
    expect(comment.locator(".badge-hidden-state")).to_have_count(0)
    _no_violations(host)

    # End with a closing time, after the confirmation step.
    host.get_by_label("Comments close this many hours after the end").fill("2")
    host.get_by_role("button", name="End the live hour…").click()
    expect(host.get_by_role("heading", level=1)).to_have_text("End the live hour?")
    _no_violations(host)
    host.get_by_role("button", name="Yes, end the live hour").click()
    _notice(host, "The live hour has ended")
    expect(host.locator("#countdown-left")).to_have_text(re.compile(r"^in (1 h 59|2 h 0) min$"))
    expect(host.locator("table.plan")).to_contain_text("skipped (chat ended)")
    _no_violations(host)

    host.get_by_role("button", name="Close comments now…").click()
    expect(host.get_by_role("heading", level=1)).to_have_text("Close comments?")
    host.get_by_role("button", name="Yes, close comments").click()
    _notice(host, "Comments are closed")
    expect(host.get_by_role("link", name="Read the recap")).to_be_visible()
    _no_violations(host)

    # The recap says what happened: two questions asked, one participant, her answer under Q2.
    host.get_by_role("link", name="Read the recap").click()
    figures = host.locator("table.figures").first
    for row in ("Questions asked 2", "Participants (not counting hosts) 1", "Answers 1"):
        expect(figures.get_by_role("row", name=row, exact=True)).to_be_visible()
    expect(host.locator("body")).to_contain_text("What is your next small step?")
    expect(host.locator("body")).to_contain_text("Walking after lunch, every day")
    expect(host.locator("body")).not_to_contain_text("Spare?")
    _no_violations(host)
