"""Request bodies over their limit get 413 before the app reads them: declared (Content-Length)
or chunked, on the API and on the forms; upload routes have their own, larger limit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request

from hashchat.settings import UPLOAD_PREFIX, Settings, SettingsError
from hashchat.store.migrate import upgrade
from hashchat.web.app import create_app

CHUNK = 16 * 1024
HUGE = 300 * 1024 * 1024  # what the audit sent; never generated in full


class Sender:
    """A request body that is produced only as the server pulls it, counting what was pulled."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.pulled = 0

    async def chunks(self) -> AsyncIterator[bytes]:
        while self.pulled < self.total:
            size = min(CHUNK, self.total - self.pulled)
            self.pulled += size
            yield b"{" * size


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    url = f"sqlite:///{tmp_path / 'limits.sqlite3'}"
    upgrade(url)
    app = create_app(Settings(database_url=url, max_upload_bytes=256 * 1024))

    @app.post(UPLOAD_PREFIX + "probe")
    async def probe(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    yield app
    app.state.ctx.store.dispose()


def _post(app: FastAPI, path: str, sender: Sender, *, declare: bool) -> httpx.Response:
    form = "application/x-www-form-urlencoded"
    headers = {"Content-Type": form if path == "/login" else "application/json"}
    if declare:
        headers["Content-Length"] = str(sender.total)

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.post(path, content=sender.chunks(), headers=headers)

    return asyncio.run(send())


@pytest.mark.parametrize("path", ["/api/v1/chats/1/posts", "/api/v1/series", "/login"])
def test_a_huge_declared_body_is_refused_unread(app: FastAPI, path: str) -> None:
    sender = Sender(HUGE)
    response = _post(app, path, sender, declare=True)
    assert response.status_code == 413
    assert "65536 bytes" in response.json()["detail"]
    assert response.headers["x-content-type-options"] == "nosniff"  # the security headers too
    assert sender.pulled == 0


@pytest.mark.parametrize("path", ["/api/v1/chats/1/posts", "/api/v1/series", "/login"])
def test_a_huge_chunked_body_is_cut_off_at_the_limit(app: FastAPI, path: str) -> None:
    sender = Sender(HUGE)
    response = _post(app, path, sender, declare=False)
    assert response.status_code == 413
    assert sender.pulled <= 64 * 1024 + CHUNK


def test_a_body_within_the_limit_reaches_the_app(app: FastAPI) -> None:
    sender = Sender(60 * 1024)
    response = _post(app, "/api/v1/chats/1/posts", sender, declare=True)
    assert response.status_code == 422  # the app read it all: not JSON
    assert sender.pulled == sender.total


@pytest.mark.parametrize("declare", [True, False])
def test_upload_routes_have_their_own_limit(app: FastAPI, declare: bool) -> None:
    within = Sender(200 * 1024)  # over the default 64 KiB, within the upload limit
    response = _post(app, UPLOAD_PREFIX + "probe", within, declare=declare)
    assert response.status_code == 200
    assert response.json() == {"received": within.total}
    over = Sender(HUGE)
    assert _post(app, UPLOAD_PREFIX + "probe", over, declare=declare).status_code == 413
    assert over.pulled <= (0 if declare else 256 * 1024 + CHUNK)


def test_the_limits_come_from_the_environment() -> None:
    settings = Settings.from_env({"HASHCHAT_MAX_BODY": "16KiB", "HASHCHAT_MAX_UPLOAD": "1g"})
    assert (settings.max_body_bytes, settings.max_upload_bytes) == (16 * 1024, 1024**3)
    with pytest.raises(SettingsError, match="HASHCHAT_MAX_BODY"):
        Settings.from_env({"HASHCHAT_MAX_BODY": "lots"})


def test_every_operation_with_a_body_documents_the_413(app: FastAPI) -> None:
    operations = [
        operation
        for path in app.openapi()["paths"].values()
        for operation in path.values()
        if "requestBody" in operation
    ]
    assert operations
    for operation in operations:
        assert "413" in operation["responses"], operation["operationId"]
