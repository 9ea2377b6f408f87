"""The console's import page in Chromium: a host uploads her X archive with "one chat per
Q1", watches the upload and import progress, and finds the chat made; a broken archive is
refused naming its file and line; axe finds no violation."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_support import ContextFactory, LiveServer, axe_violations, log_in
from playwright.sync_api import expect

from hashchat.actions.accounts import do_register
from hashchat.actions.series import do_create_series

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
TAG = "CafeImport"
FIXTURES = Path(__file__).parents[1] / "formats" / "fixtures"


def test_a_host_uploads_her_x_archive_and_sees_the_chat_made(
    live_server: LiveServer, new_context: ContextFactory
) -> None:
    ctx = live_server.ctx
    host = do_register(ctx, "import_host", PASSWORD)
    do_create_series(ctx, host, TAG, "Café <import>", "UTC")
    page = new_context().new_page()
    log_in(page, live_server.base_url, "import_host", PASSWORD)
    page.goto(f"{live_server.base_url}/series/{TAG}/import")
    expect(page.get_by_role("heading", name=f"Import an archive into #{TAG}")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("What is it?").select_option("x")
    page.get_by_label("The file").set_input_files(str(FIXTURES / "x_badpart.zip"))
    page.get_by_label("One new chat per Q1 I posted", exact=False).check()
    page.get_by_role("button", name="Import").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Not imported: x_badpart.zip/data/tweets-part1.js:45")
    page.get_by_label("The file").set_input_files(str(FIXTURES / "x_host.zip"))
    page.get_by_role("button", name="Import").click()
    expect(status).to_contain_text("Done: 8 added, 0 updated, 0 unchanged, 1 skipped.")
    expect(page.locator("#import-run")).to_have_attribute("value", "100")
    link = page.locator("#import-chats a")
    expect(link).to_have_count(1)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Import").click()  # again: nothing added
    expect(status).to_contain_text("Done: 0 added, 0 updated, 8 unchanged, 1 skipped.")
    href = link.get_attribute("href")
    assert href is not None
    page.goto(f"{live_server.base_url}{href}")
    expect(
        page.get_by_text("What does your first hour of the day look like?").first
    ).to_be_visible()
