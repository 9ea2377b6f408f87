"""GET /api/v1/series/{tag}/insights and /chats/{id}/insights: the contract's shape and values
on the hand-made series; names only for hosts; settings for hosts only."""

from __future__ import annotations

import pytest

from conftest import Api, Clock
from hashchat.actions.accounts import do_create_token
from insights_support import hand_made_series

pytestmark = pytest.mark.anyio


async def test_series_insights_follow_the_contract(api: Api, clock: Clock) -> None:
    cast = hand_made_series(api.ctx, clock)
    body = await api.ok(None, "GET", "/series/KaizenBiz/insights")
    assert set(body) == {"chats", "series"}
    first = body["chats"][0]
    for key in ("chat_id", "starts_at", "participants", "newcomers", "returning", "answers"):
        assert key in first
    assert (first["chat_id"], first["starts_at"]) == (cast["chat1"], "2026-01-09T17:00:00Z")
    assert (first["late"], first["reposts"], first["answers"]) == (1, 1, 6)
    assert first["per_network"]["x"] == {
        "people": 1,
        "answers": 1,
        "replies": 0,
        "answered_share": 1.0,
    }
    assert [c["chat_id"] for c in body["chats"]] == [cast["chat1"], cast["chat2"]]
    assert {"totals", "cohorts", "verdicts"} <= set(body["series"])
    assert "regulars" not in body["series"]
    host = {"Authorization": f"Bearer {do_create_token(api.ctx, 'coach')}"}
    named = await api.client.get("/api/v1/series/KaizenBiz/insights", headers=host)
    assert named.json()["series"]["regulars"] == ["@tradietom on x", "Ann (@ann)"]
    chat = await api.ok(None, "GET", f"/chats/{cast['chat2']}/insights")
    assert (chat["participants"], chat["newcomers"], chat["returning"]) == (3, 1, 2)
    first_chat = await api.ok(None, "GET", f"/chats/{cast['chat1']}/insights")
    # minutes since the start: ann, bob and tom's A1 at 2, 3, 4; ann's A1 & A2 at 15; bob's A2
    # late at 66
    assert first_chat["questions"][0]["answers_by_minute"] == {"2": 1, "3": 1, "4": 1, "15": 1}
    assert first_chat["questions"][1]["answers_by_minute"] == {"15": 1, "66": 1}


async def test_unknown_series_and_unstarted_chat_are_404(api: Api, clock: Clock) -> None:
    assert (await api.call(None, "GET", "/series/nosuch/insights")).status_code == 404
    owner = api.person("owner")
    await api.series(owner)
    chat = await api.chat(owner)
    assert (await api.call(None, "GET", f"/chats/{chat['id']}/insights")).status_code == 404
    empty = await api.ok(None, "GET", "/series/KaizenBiz/insights")
    assert empty["chats"] == []
    assert empty["series"]["verdicts"][0] == "participation: too few chats to see a trend"


async def test_settings_are_for_hosts_and_checked(api: Api, clock: Clock) -> None:
    owner = api.person("owner")
    reader = api.person("reader")
    await api.series(owner)
    path = "/series/KaizenBiz/insights/settings"
    assert (await api.call(reader, "PUT", path, json={"return_k": 1})).status_code == 403
    assert (await api.call(None, "PUT", path, json={"return_k": 1})).status_code == 401
    refused = await api.call(owner, "PUT", path, json={"return_k": 9, "return_n": 4})
    assert refused.status_code == 422
    saved = await api.ok(owner, "PUT", path, json={"return_k": 3, "return_n": 5})
    assert (saved["return_k"], saved["return_n"], saved["trend_run"]) == (3, 5, 3)
    body = await api.ok(None, "GET", "/series/KaizenBiz/insights")
    assert body["series"]["settings"]["return_n"] == 5
