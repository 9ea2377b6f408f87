"""GET /chats/{id}/recap in every format, from what the room stored."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

pytestmark = pytest.mark.anyio


async def _finished_chat(api: Any, clock: Any) -> int:
    host, guest = api.person("host"), api.person("guest")
    await api.series(host)
    chat = await api.live_chat(host)
    path = f"/chats/{chat['id']}"
    await api.ok(host, "POST", f"{path}/next-question")
    await api.ok(guest, "POST", f"{path}/posts", json={"text": "A1 <b>small</b> steps #KaizenBiz"})
    spam = await api.ok(guest, "POST", f"{path}/posts", json={"text": "buy followers"})
    await api.ok(host, "POST", f"/posts/{spam['id']}/hide")
    clock.advance(minutes=61)
    await api.ok(host, "POST", f"{path}/end")
    await api.ok(guest, "POST", f"{path}/posts", json={"text": "A1 and a late one"})
    return int(chat["id"])


async def test_recap_json_has_the_answers_by_question(api: Any, clock: Any) -> None:
    chat_id = await _finished_chat(api, clock)
    response = await api.call(None, "GET", f"/chats/{chat_id}/recap", params={"format": "json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    text = response.text
    assert "<b>small</b> steps" in text
    assert "buy followers" not in text
    assert "late one" in text


@pytest.mark.parametrize(
    ("fmt", "media"), [("md", "text/markdown"), ("html", "text/html"), ("csv", "text/csv")]
)
async def test_recap_exports(api: Any, clock: Any, fmt: str, media: str) -> None:
    chat_id = await _finished_chat(api, clock)
    response = await api.call(None, "GET", f"/chats/{chat_id}/recap", params={"format": fmt})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert "late one" in response.text
    if fmt == "html":
        assert "<b>small</b>" not in response.text  # escaped, shown as text
    if fmt == "csv":
        assert len(list(csv.reader(io.StringIO(response.text)))) >= 3


async def test_recap_refusals(api: Any, clock: Any) -> None:
    chat_id = await _finished_chat(api, clock)
    bad = await api.call(None, "GET", f"/chats/{chat_id}/recap", params={"format": "pdf"})
    assert bad.status_code == 422
    assert "pdf" in bad.json()["detail"]
    assert (await api.call(None, "GET", "/chats/999/recap")).status_code == 404
    host = api.person("other")
    await api.series(host, "Other")
    scheduled = await api.chat(host, "Other")
    assert (await api.call(None, "GET", f"/chats/{scheduled['id']}/recap")).status_code == 409
