"""A new host sets up her series in the browser, from registration on: no API call and no
pre-seeded data. She starts a series, adds a co-host who registered too, schedules a weekly
chat, skips one date after a confirmation page, and finds the chats on the series page and in
its calendar feed. axe-core finds no serious or critical violation on any of these pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from e2e_support import ContextFactory, LiveServer, axe_violations
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
TAG = "SetupE2E"


def _register(page: Page, base_url: str, name: str, display_name: str) -> None:
    page.goto(f"{base_url}/register")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Display name").fill(display_name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{base_url}/")


def _no_violations(page: Page) -> None:
    assert axe_violations(page) == [], page.url


def _next_friday(today: date) -> date:
    return today + timedelta(days=(4 - today.weekday()) % 7 or 7)


def test_a_new_host_sets_up_a_weekly_series(
    live_server: LiveServer, new_context: ContextFactory
) -> None:
    base = live_server.base_url
    cohost = new_context().new_page()
    _register(cohost, base, "setup_cohost", "Cora Cohost")

    host = new_context().new_page()
    _register(host, base, "setup_host", "Hana Host")
    host.get_by_role("link", name="Start a series").click()
    host.wait_for_url(f"{base}/series/new")
    _no_violations(host)
    host.get_by_label("Hashtag").fill(TAG)
    host.get_by_label("Title").fill("Setting up <together>")
    host.get_by_label("Home time zone").fill("Europe/London")
    host.get_by_label("Participation guide").fill("Say hello first.")
    host.get_by_label("Announcement zones").fill("Europe/London, America/New_York")
    host.get_by_role("button", name="Create the series").click()
    host.wait_for_url(f"{base}/series/{TAG}/edit?done=created")
    expect(host.get_by_role("status")).to_contain_text("Your series is ready")
    _no_violations(host)

    host.get_by_role("navigation", name="Series pages").get_by_role("link", name="People").click()
    host.get_by_label("Their handle").fill("setup_cohost")
    host.get_by_label("co-host (runs chats)").check()
    host.get_by_role("button", name="Add").click()
    expect(host.get_by_role("status")).to_have_text("Role given.")
    expect(host.get_by_role("row", name="Cora Cohost @setup_cohost cohost")).to_be_visible()
    _no_violations(host)

    friday = _next_friday(date.today())
    host.get_by_role("navigation", name="Series pages").get_by_role("link", name="Schedule").click()
    host.get_by_label("Title of each chat").fill("Friday setup chat")
    host.get_by_label("First chat (Europe/London)").fill(f"{friday.isoformat()}T17:00")
    host.get_by_label("Every how many weeks").fill("1")
    host.get_by_role("button", name="Set the schedule").click()
    expect(host.get_by_role("status")).to_contain_text("The schedule is set")
    expect(host.get_by_text("Every week on Friday at 17:00 (Europe/London)")).to_be_visible()
    rows = host.locator("table.schedule tbody tr")
    expect(rows).to_have_count(4)
    _no_violations(host)

    second = friday + timedelta(days=7)
    host.get_by_role("link", name=f"Skip… Friday setup chat on Fri {second.day} ").click()
    expect(host.get_by_role("heading", level=1)).to_have_text("Skip “Friday setup chat”?")
    _no_violations(host)
    host.get_by_role("button", name="Skip this chat").click()
    expect(host.get_by_role("status")).to_contain_text("The chat is cancelled")
    expect(rows).to_have_count(3)
    expect(host.get_by_role("heading", name="Skipped dates")).to_be_visible()

    host.get_by_role("navigation", name="Series pages").get_by_role(
        "link", name="Series page"
    ).click()
    host.wait_for_url(f"{base}/series/{TAG}")
    upcoming = host.locator(".next-chat")
    expect(upcoming).to_have_count(3)
    expect(upcoming.first).to_contain_text("Friday setup chat")
    expect(upcoming.first.locator(".announcement")).to_contain_text("ET")
    expect(host.get_by_text("Say hello first.")).to_be_visible()
    expect(host.get_by_text("Cora Cohost (@setup_cohost, cohost)")).to_be_visible()
    _no_violations(host)

    feed = host.get_by_role("link", name="Subscribe to the calendar").get_attribute("href")
    assert feed == f"/series/{TAG}/calendar.ics"
    calendar = host.request.get(f"{base}{feed}")
    assert calendar.ok
    text = calendar.text().replace("\r\n ", "")  # unfolded (RFC 5545, 3.1)
    assert text.count("BEGIN:VEVENT") == 3
    assert text.count("SUMMARY:Friday setup chat #SetupE2E") == 3
    assert f"DTSTART;TZID=Europe/London:{second:%Y%m%d}T170000" not in text
    assert "Say hello first." in text

    # The co-host sees the host links; a chat of the schedule opens its room.
    cohost.goto(f"{base}/series/{TAG}")
    expect(cohost.get_by_role("link", name="Schedule chats")).to_be_visible()
    expect(cohost.get_by_role("link", name="Series settings")).to_be_visible()
