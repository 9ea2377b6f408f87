"""The API of series setup: edit a series, read its people, schedule chats every N weeks, skip
and move one chat; status codes and the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.anyio


async def test_create_and_edit_a_series_with_guide_and_zones(api: Any) -> None:
    owner = api.person("owner")
    created = await api.series(
        owner, guide="Answer with A1.", announcement_zones=["US/Pacific", "Asia/Tokyo"]
    )
    assert created["guide"] == "Answer with A1."
    assert created["announcement_zones"] == ["America/Los_Angeles", "Asia/Tokyo"]
    edited = await api.ok(
        owner, "PATCH", "/series/kaizenbiz", json={"title": "New", "announcement_zones": []}
    )
    assert (edited["title"], edited["announcement_zones"], edited["guide"]) == (
        "New",
        [],
        "Answer with A1.",
    )
    read = await api.ok(None, "GET", "/series/KaizenBiz")
    assert read["title"] == "New"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"timezone": "localtime"}, 422),
        ({"char_limit": 0}, 422),
        ({"tag": "Other"}, 422),  # the tag never changes: an unknown field
        ({"title": "x\x00"}, 422),
        ({"announcement_zones": ["UTC"] * 7}, 422),
    ],
)
async def test_bad_edits_are_refused_and_change_nothing(
    api: Any, body: dict[str, Any], status: int
) -> None:
    owner = api.person("owner")
    await api.series(owner)
    response = await api.call(owner, "PATCH", "/series/KaizenBiz", json=body)
    assert response.status_code == status, response.text
    assert (await api.ok(None, "GET", "/series/KaizenBiz"))["title"] == "Kaizen for small business"


async def test_people_lists_roles_and_blocks_for_staff_only(api: Any) -> None:
    owner, mod, someone = api.person("owner"), api.person("mod"), api.person("someone")
    api.person("troll")
    await api.series(owner)
    await api.ok(
        owner, "POST", "/series/KaizenBiz/members", json={"user": "mod", "role": "moderator"}
    )
    await api.ok(owner, "POST", "/series/KaizenBiz/blocks", json={"user": "troll"})
    people = await api.ok(mod, "GET", "/series/KaizenBiz/people")
    assert [(m["name"], m["role"]) for m in people["members"]] == [
        ("owner", "owner"),
        ("mod", "moderator"),
    ]
    assert people["blocked"] == ["troll"]
    assert (await api.call(someone, "GET", "/series/KaizenBiz/people")).status_code == 403
    assert (await api.call(None, "GET", "/series/KaizenBiz/people")).status_code == 401
    assert (await api.call(owner, "GET", "/series/Nope/people")).status_code == 404


async def test_schedule_every_two_weeks_then_skip_and_move(api: Any) -> None:
    owner = api.person("owner")
    await api.series(owner)
    made = await api.ok(
        owner,
        "POST",
        "/series/KaizenBiz/schedules",
        json={"title": "Fortnightly", "first_start": "2026-01-16T17:00", "every_weeks": 2},
    )
    assert made["schedule"]["summary"] == "Every 2 weeks on Friday at 17:00 (Europe/London)"
    starts = [chat["starts_at"] for chat in made["chats"]]
    assert starts == [
        "2026-01-16T17:00:00Z",
        "2026-01-30T17:00:00Z",
        "2026-02-13T17:00:00Z",
        "2026-02-27T17:00:00Z",
    ]
    first, second = made["chats"][0]["id"], made["chats"][1]["id"]
    skipped = await api.ok(owner, "POST", f"/chats/{second}/skip")
    assert skipped["id"] == second
    assert (await api.call(None, "GET", f"/chats/{second}")).status_code == 404
    moved = await api.ok(
        owner, "POST", f"/chats/{first}/move", json={"starts_at": "2026-01-17T10:00:00+01:00"}
    )
    assert moved["starts_at"] == "2026-01-17T09:00:00Z"
    listed = await api.ok(None, "GET", "/series/KaizenBiz/schedules")
    assert [s["id"] for s in listed] == [made["schedule"]["id"]]
    stopped = await api.ok(
        owner, "POST", f"/series/KaizenBiz/schedules/{made['schedule']['id']}/stop"
    )
    assert stopped["stopped"] is True


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"first_start": "2026-01-16T17:00", "every_weeks": 0}, 422),
        ({"first_start": "2026-01-16T17:00", "every_weeks": 521}, 422),
        ({"first_start": "2026-01-16T17:00", "until": "2025-01-01"}, 422),
        ({"first_start": "2026-01-16T17:00", "timezone": "Nowhere"}, 422),
        ({"first_start": "2026-01-16T17:00:30"}, 422),
        ({"first_start": "9999-12-31T23:59"}, 422),
        ({"first_start": "2026-01-16T17:00", "duration_minutes": 10081}, 422),
        ({"first_start": "2026-01-16T17:00", "weekly": True}, 422),
        ({"first_start": "2025-01-03T17:00", "until": "2025-06-01"}, 422),  # all in the past
    ],
)
async def test_bad_schedules_are_refused(api: Any, body: dict[str, Any], status: int) -> None:
    owner = api.person("owner")
    await api.series(owner)
    response = await api.call(
        owner, "POST", "/series/KaizenBiz/schedules", json={"title": "W", **body}
    )
    assert response.status_code == status, response.text
    assert (await api.ok(None, "GET", "/series/KaizenBiz"))["chats"] == []


async def test_started_chat_cannot_be_skipped_or_moved(api: Any) -> None:
    owner = api.person("owner")
    await api.series(owner)
    chat = await api.live_chat(owner)
    assert (await api.call(owner, "POST", f"/chats/{chat['id']}/skip")).status_code == 409
    response = await api.call(
        owner, "POST", f"/chats/{chat['id']}/move", json={"starts_at": "2026-02-01T10:00:00Z"}
    )
    assert response.status_code == 409
    past = await api.call(
        owner, "POST", f"/chats/{chat['id']}/move", json={"starts_at": "2020-02-01T10:00:00Z"}
    )
    assert past.status_code == 422


async def test_new_routes_are_documented(client: Any) -> None:
    document = (await client.get("/openapi.json")).json()
    paths = document["paths"]
    for path, method, codes in [
        ("/api/v1/series/{tag}", "patch", {"200", "403", "404", "422"}),
        ("/api/v1/series/{tag}/people", "get", {"200", "401", "403", "404"}),
        ("/api/v1/series/{tag}/schedules", "post", {"201", "403", "404", "422"}),
        ("/api/v1/series/{tag}/schedules", "get", {"200", "404"}),
        ("/api/v1/series/{tag}/schedules/{schedule_id}/stop", "post", {"200", "404"}),
        ("/api/v1/chats/{chat_id}/skip", "post", {"200", "403", "409"}),
        ("/api/v1/chats/{chat_id}/move", "post", {"200", "409", "422"}),
    ]:
        operation = paths[path][method]
        assert codes <= set(operation["responses"]), (path, method)
        assert operation["description"] or operation["summary"]
