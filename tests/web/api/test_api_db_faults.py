"""The database going away: requests fail cleanly with 503 and a reason (never a 500 or a
hang), and everything works again by itself when it is back."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from hashchat.actions.context import AppContext
from hashchat.assembly import build_context
from hashchat.settings import Settings
from hashchat.web.app import create_app

pytestmark = pytest.mark.anyio

UNAVAILABLE = {"detail": "the database is unavailable; try again"}


async def _room(api: Any) -> tuple[Any, int]:
    host = api.person("host")
    await api.series(host)
    chat = await api.live_chat(host)
    return host, chat["id"]


def _terminate_app_connections(database_url: str) -> int:
    """End every server connection of this test's app, as a database restart does."""
    url = sa.make_url(database_url)
    admin = sa.create_engine(url.difference_update_query(["application_name"]))
    try:
        with admin.connect() as connection:
            ended = connection.execute(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": url.query["application_name"]},
            ).scalar_one()
    finally:
        admin.dispose()
    return int(ended)


ON_PG = pytest.mark.parametrize(
    "database_url", [pytest.param("pg", marks=pytest.mark.pg)], indirect=True
)
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@ON_PG
async def test_connections_dropped_mid_chat_give_503_or_success_then_recover(
    api: Any, database_url: str
) -> None:
    _host, chat_id = await _room(api)
    statuses: list[int] = []

    async def keep_going(writer: Any) -> None:
        for n in range(15):
            if n % 3 == 0:  # within the rate limit of the test settings
                path, body = f"/chats/{chat_id}/posts", {"text": f"A1 {writer.name} {n}"}
                response = await api.call(writer, "POST", path, json=body)
            else:
                response = await api.call(writer, "GET", f"/chats/{chat_id}/posts")
            statuses.append(response.status_code)
            if response.status_code == 503:
                assert response.json() == UNAVAILABLE
                assert int(response.headers["retry-after"]) >= 1

    writers = [api.person(f"writer{w}") for w in range(3)]
    going = asyncio.gather(*(keep_going(writer) for writer in writers))
    for _ in range(4):
        await asyncio.sleep(0.03)
        await asyncio.to_thread(_terminate_app_connections, database_url)
    await going
    assert set(statuses) <= {200, 201, 503}, statuses
    assert _terminate_app_connections(database_url) >= 1  # the pool had reconnected
    after = await api.call(None, "GET", f"/chats/{chat_id}/posts")
    assert after.status_code == 200  # the first request after a drop reconnects by itself
    assert (await api.call(None, "GET", f"/chats/{chat_id}")).status_code == 200


async def test_an_unreachable_database_gives_503_with_a_reason() -> None:
    # A port nobody listens on: connecting is refused, as while the server restarts.
    settings = Settings(database_url="postgresql+psycopg://postgres@127.0.0.1:9/none")
    ctx: AppContext = build_context(settings)
    transport = httpx.ASGITransport(app=create_app(context=ctx))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            read = await client.get("/api/v1/chats/1")
            post = await client.post(
                "/api/v1/chats/1/posts",
                json={"text": "hello"},
                headers={"Authorization": "Bearer hc_whatever"},
            )
    finally:
        ctx.store.dispose()
    for response in (read, post):
        assert response.status_code == 503
        assert response.json() == UNAVAILABLE
        assert response.headers["retry-after"] == "2"


@ON_SQLITE
async def test_a_locked_sqlite_database_gives_503(api: Any, database_url: str) -> None:
    host, chat_id = await _room(api)
    blocker = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        blocker.execute("BEGIN EXCLUSIVE")  # another program holds the file (for 5 s here)
        response = await api.call(
            host, "POST", f"/chats/{chat_id}/posts", json={"text": "A1 blocked"}
        )
        assert response.status_code == 503
        assert response.json() == UNAVAILABLE
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    again = await api.call(host, "POST", f"/chats/{chat_id}/posts", json={"text": "A1 free"})
    assert again.status_code == 201
