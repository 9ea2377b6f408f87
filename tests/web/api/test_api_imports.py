"""POST /api/v1/series/{tag}/imports: a host's upload imported (the uploader is the archive's
owner), a re-upload adds nothing, progress streamed as JSON lines, a broken archive 422 naming
its line, others 403, and the route takes bodies over the JSON limit (the upload limit)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.anyio
FIXTURES = Path(__file__).parents[2] / "formats" / "fixtures"


async def test_a_host_uploads_an_archive(api: Any) -> None:
    host = api.person("cafehost")
    guest = api.person("guest")
    await api.series(host, "CafeChat")
    body = (FIXTURES / "x_host.zip").read_bytes()
    path = "/series/CafeChat/imports?kind=x&split=true"
    refused = await api.call(guest, "POST", path, content=body)
    assert refused.status_code == 403
    first = await api.ok(host, "POST", path, content=body, headers={"X-Filename": "x_host.zip"})
    assert first["added"] == 8
    assert len(first["chats"]) == 1
    streamed = await api.call(host, "POST", path + "&progress=true", content=body)
    lines = [json.loads(line) for line in streamed.text.splitlines()]
    assert {"phase": "checking"}.items() <= lines[0].items()
    assert lines[-1] == {"result": {**first, "added": 0, "unchanged": 8}}
    bad = await api.call(
        host,
        "POST",
        path,
        content=(FIXTURES / "x_badpart.zip").read_bytes(),
        headers={"X-Filename": "x_badpart.zip"},
    )
    assert bad.status_code == 422
    assert "x_badpart.zip/data/tweets-part1.js:45: bad JSON" in bad.text
    big = (FIXTURES / "wxr_blog.xml").read_bytes()  # over the 64 KiB JSON limit once padded
    padded = big.replace(b"</rss>", b"<!--" + b" " * 70_000 + b"--></rss>")
    blog = await api.call(
        host,
        "POST",
        "/series/CafeChat/imports?kind=wxr&chat=" + str(first["chats"][0]),
        content=padded,
    )
    assert blog.status_code == 200, blog.text
    assert blog.json()["added"] == 12
