"""The nchan hand-off route parses a resume point exactly as the in-process stream does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from hashchat.settings import Settings
from hashchat.store.migrate import upgrade
from hashchat.web.app import create_app

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    url = f"sqlite:///{tmp_path / 'handoff.sqlite3'}"
    upgrade(url)
    settings = Settings(
        database_url=url,
        fanout="nchan",
        nchan_publish_url="http://127.0.0.1:9/pub",  # never reached: every request is refused
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield client


@pytest.mark.parametrize(
    ("headers", "query"),
    [
        ({"Last-Event-ID": "abc"}, ""),
        ({"Last-Event-ID": "١٢".encode()}, ""),  # Arabic-Indic digits: int() would take them
        ({"Last-Event-ID": "+5"}, ""),
        ({}, "?after=-1"),
        ({}, "?after=x"),
        ({}, "?after=99999999999"),
    ],
)
async def test_a_bad_resume_point_is_422(
    client: httpx.AsyncClient, headers: dict[str, str | bytes], query: str
) -> None:
    reply = await client.get(f"/api/v1/chats/1/events{query}", headers=headers)
    assert reply.status_code == 422


async def test_an_unknown_chat_is_404_before_any_hand_off(client: httpx.AsyncClient) -> None:
    reply = await client.get("/api/v1/chats/999/events", headers={"Last-Event-ID": "3"})
    assert reply.status_code == 404
    assert (await client.get("/api/v1/chats/0/events")).status_code == 422
