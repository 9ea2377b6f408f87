"""Fixtures of the browser tests: the live server, Chromium, fresh browser contexts."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from e2e_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ContextFactory,
    LiveServer,
    csp_refusals,
    free_port,
    skip_or_fail,
)
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from hashchat.settings import RateLimit, Settings
from hashchat.store.migrate import upgrade
from hashchat.web.app import create_app


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """uvicorn in a background thread, with the cadence runner and the live bus running."""
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.sqlite3'}"
    upgrade(url)
    settings = Settings(
        database_url=url,
        cookie_secure=False,
        post_rate=RateLimit(1000, 1.0),
        sse_heartbeat_seconds=1.0,
    )
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="e2e-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the e2e server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", app.state.ctx)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing (make browser-deps installs Debian's chromium)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    chromium = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[ContextFactory]:
    """Separate browser contexts (own cookies), closed after the test; the test fails if a
    page broke the Content-Security-Policy (Chromium logs each refusal on the console)."""
    made: list[BrowserContext] = []
    refusals: list[str] = []

    def make() -> BrowserContext:
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        context.set_default_timeout(8000)
        context.on("console", lambda message: refusals.extend(csp_refusals([message.text])))
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()
    assert refusals == [], "the Content-Security-Policy refused something"


BrowserContextFactory = "Callable[[], BrowserContext]"
