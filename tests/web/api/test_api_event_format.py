"""One serialisation (issue 10, typed events): a post, a question and a chat's state read the
same in an API response and in the event the stream sends (times in UTC with `Z`)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from hashchat.store.events import events_after

pytestmark = pytest.mark.anyio
UTC_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


async def test_a_post_reads_the_same_in_the_api_and_in_its_event(api: Any) -> None:
    host = api.person("host")
    await api.series(host)
    chat = await api.live_chat(host)
    await api.ok(host, "POST", f"/chats/{chat['id']}/next-question")
    posted = await api.ok(
        host, "POST", f"/chats/{chat['id']}/posts", json={"text": "A1 kettle on #KaizenBiz"}
    )
    events = events_after(api.ctx.store, chat["id"], 0)
    post_events = [json.loads(e.data) for e in events if e.type == "post"]
    assert posted in post_events
    assert UTC_Z.match(posted["created_at"])
    listed = await api.ok(None, "GET", f"/chats/{chat['id']}/posts")
    assert posted in listed
    questions = [json.loads(e.data) for e in events if e.type == "question"]
    assert questions
    assert all(UTC_Z.match(q["asked_at"]) for q in questions)
    state = [json.loads(e.data) for e in events if e.type == "state"][-1]
    assert UTC_Z.match(state["started_at"])
    assert state["state"] == "live"
    api_chat = await api.ok(None, "GET", f"/chats/{chat['id']}")
    assert api_chat["started_at"] == state["started_at"]
    assert [q["asked_at"] for q in api_chat["questions"] if q["asked_at"]] == [
        q["asked_at"] for q in questions
    ]
