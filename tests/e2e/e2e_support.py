"""Helpers of the browser tests: the server thread, Chromium's launch, logging in, axe-core.

Chromium or axe-core missing: the tests skip loudly, or fail under CI=true
(`ci_support.skip_or_fail`).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import BrowserContext, Page

from ci_support import skip_or_fail
from hashchat.actions.context import AppContext

PROJECT_ROOT = Path(__file__).resolve().parents[2]


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
ContextFactory = Callable[[], BrowserContext]


@dataclass(frozen=True)
class LiveServer:
    """A running server: where to reach it and its context (to seed through the actions)."""

    base_url: str
    ctx: AppContext


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def log_in(page: Page, base_url: str, name: str, password: str) -> None:
    """Log in through the form, as a person would."""
    page.goto(f"{base_url}/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")


def csp_refusals(console_texts: list[str]) -> list[str]:
    """The console messages in which Chromium reports a Content-Security-Policy refusal."""
    return [text for text in console_texts if "Content Security Policy" in text]


def axe_violations(page: Page) -> list[dict[str, object]]:
    """axe-core's violations on the page as it is now, of every impact (issue 9: 0 violations;
    minor and moderate ones count too)."""
    if not AXE_SCRIPT.exists():
        skip_or_fail(f"{AXE_SCRIPT} is missing (make browser-deps runs npm install axe-core@4)")
    # Evaluated through the DevTools protocol: a <script> tag added to the page would be refused
    # by the Content-Security-Policy (script-src 'self').
    page.evaluate(AXE_SCRIPT.read_text())
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result
    ]
