"""Every response carries the security headers: each page route and each API route (whatever
its status, anonymous or not), static files, the schema, refusals before routing (404, 413)."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.types import Message

from hashchat.actions.accounts import do_create_token, do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.posts import do_create_post
from hashchat.actions.series import do_create_series
from hashchat.settings import Settings
from hashchat.store.migrate import upgrade
from hashchat.web.app import create_app
from hashchat.web.pages import PAGE_ROUTES
from hashchat.web.security_headers import PAGE_POLICY, document_policy

_PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[FastAPI, dict[str, str], str]]:
    """The app, a value for every path parameter, and the host's bearer token."""
    url = f"sqlite:///{tmp_path / 'headers.sqlite3'}"
    upgrade(url)
    app = create_app(Settings(database_url=url, argon2_time_cost=1, argon2_memory_kib=1024))
    ctx = app.state.ctx
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "Headers", "Headers", "UTC", "plain", 500, "")
    chat = do_create_chat(ctx, host, "Headers", "Chat", ctx.now() + timedelta(hours=1), 60, ["Q?"])
    do_start_chat(ctx, host, chat.id)
    post = do_create_post(ctx, host, chat.id, "A1 hello #Headers")
    values = {"chat_id": str(chat.id), "post_id": str(post.id), "number": "1", "tag": "Headers"}
    yield app, values, do_create_token(ctx, "host")
    ctx.store.dispose()


async def _response_start(app: FastAPI, method: str, path: str, token: str | None) -> Message:
    """The `http.response.start` message of one request (streams are cut after it)."""
    started: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
    asked = False
    headers = [(b"host", b"127.0.0.1")]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 5000),
        "root_path": "",
    }

    async def receive() -> Message:
        nonlocal asked
        if asked:
            await asyncio.Event().wait()  # the client stays until the test has the headers
        asked = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start" and not started.done():
            started.set_result(message)

    task = asyncio.create_task(app(scope, receive, send))
    try:
        return await asyncio.wait_for(started, 10)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _every_route(app: FastAPI, values: dict[str, str]) -> list[tuple[str, str]]:
    routes = [(method, route.path) for route in PAGE_ROUTES for method in sorted(route.methods)]
    for path, operations in app.openapi()["paths"].items():
        routes += [(method.upper(), path) for method in operations]
    found = [(m, _PARAM.sub(lambda match: values.get(match.group(1), "1"), p)) for m, p in routes]
    others = ["/openapi.json", "/static/room.js", "/static/style.css", "/no/such/page"]
    return [*found, *(("GET", path) for path in others), ("DELETE", "/login")]


def _assert_secure(headers: Headers, where: str) -> None:
    policy = headers.get("content-security-policy", "")
    assert policy, where
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert "unsafe-inline" not in policy, where
    assert "unsafe-eval" not in policy, where
    assert directives.get("frame-ancestors") == "'none'", where
    assert directives.get("script-src", directives.get("default-src")) in ("'self'", "'none'")
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("referrer-policy") == "same-origin", where


@pytest.mark.parametrize("as_host", [False, True])
def test_every_route_answers_with_the_security_headers(
    seeded: tuple[FastAPI, dict[str, str], str], as_host: bool
) -> None:
    app, values, token = seeded
    routes = _every_route(app, values)
    assert len(routes) > 30  # every page and API route was found

    async def check() -> None:
        for method, path in routes:
            start = await _response_start(app, method, path, token if as_host else None)
            _assert_secure(Headers(raw=start["headers"]), f"{method} {path} {start['status']}")

    asyncio.run(check())


def test_the_pages_policy_allows_only_this_site() -> None:
    assert "script-src 'self'" in PAGE_POLICY
    assert "style-src 'self'" in PAGE_POLICY
    assert "object-src 'none'" in PAGE_POLICY


def test_an_exported_document_allows_its_own_style_and_nothing_else() -> None:
    policy = document_policy("<html><style>p { color: red }</style><p>x</p></html>")
    assert "default-src 'none'" in policy
    # sha256 of "p { color: red }", as a browser computes it for the element's text
    assert "style-src 'sha256-" in policy
    assert "script-src" not in policy  # falls back to default-src 'none'
    assert "style-src 'none'" in document_policy("<p>no style</p>")
