"""Series and chats: create, read, run (start, next question, end, close), edit questions."""

from __future__ import annotations

from typing import Any

import pytest

from hashchat.actions.cadence import run_due

pytestmark = pytest.mark.anyio

CHAT = {
    "title": "Habits",
    "starts_at": "2026-01-09T17:00:00Z",
    "duration_minutes": 60,
    "questions": ["One?", "Two?"],
}


async def test_series_is_created_read_case_insensitively_and_unique(api: Any) -> None:
    host = api.person("host")
    created = await api.series(host, description="Weekly #KaizenBiz chat")
    assert created["tag"] == "KaizenBiz"
    detail = await api.ok(None, "GET", "/series/kaizenBIZ")
    assert detail["members"] == [{"name": "host", "display_name": "host", "role": "owner"}]
    again = await api.call(host, "POST", "/series", json={**created, "tag": "#kaizenbiz"})
    assert again.status_code == 409
    assert (await api.call(None, "GET", "/series/nosuch")).status_code == 404


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"tag": "9lives"}, "hashtag"),
        ({"tag": "two words"}, "hashtag"),
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"char_rule": "myspace"}, "char_rule"),
        ({"char_limit": 0}, "char_limit"),
        ({"title": "  "}, "title"),
    ],
)
async def test_bad_series_input_gets_422(api: Any, fields: dict[str, Any], reason: str) -> None:
    body = {"tag": "Good", "title": "t", "timezone": "UTC", **fields}
    response = await api.call(api.person("host"), "POST", "/series", json=body)
    assert response.status_code == 422
    assert reason in response.json()["detail"]


async def test_members_roles_and_the_last_owner(api: Any) -> None:
    host, _other = api.person("host"), api.person("other")
    await api.series(host)
    bad_role = await api.call(
        host, "POST", "/series/KaizenBiz/members", json={"user": "other", "role": "king"}
    )
    assert bad_role.status_code == 422
    unknown = await api.call(
        host, "POST", "/series/KaizenBiz/members", json={"user": "ghost", "role": "cohost"}
    )
    assert unknown.status_code == 404
    added = await api.ok(
        host, "POST", "/series/KaizenBiz/members", json={"user": "other", "role": "cohost"}
    )
    assert added == {"name": "other", "display_name": "other", "role": "cohost"}
    demote = await api.call(
        host, "POST", "/series/KaizenBiz/members", json={"user": "host", "role": "moderator"}
    )
    assert demote.status_code == 409
    assert (
        await api.call(
            host, "POST", "/series/nosuch/members", json={"user": "other", "role": "cohost"}
        )
    ).status_code == 404


async def test_chat_is_created_with_its_questions(api: Any) -> None:
    host = api.person("host")
    await api.series(host)
    response = await api.call(host, "POST", "/series/KaizenBiz/chats", json=CHAT)
    assert response.status_code == 201
    chat = response.json()
    assert chat["state"] == "scheduled"
    assert [q["text"] for q in chat["questions"]] == ["One?", "Two?"]
    assert await api.ok(None, "GET", f"/chats/{chat['id']}") == {**chat, "last_event_id": 0}
    assert (await api.call(None, "GET", "/chats/999")).status_code == 404


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"questions": ["q?"] * 7}, "7 questions"),
        ({"questions": []}, "questions"),
        ({"questions": ["fine?", " "]}, "question 2"),
        ({"starts_at": "2026-01-09T17:00:00"}, "UTC offset"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"cadence": {"question_interval_minutes": 0}}, "interval"),
        ({"cadence": {"every": 3}}, "every"),
        ({"title": ""}, "title"),
    ],
)
async def test_bad_chat_input_gets_422(api: Any, fields: dict[str, Any], reason: str) -> None:
    host = api.person("host")
    await api.series(host)
    response = await api.call(host, "POST", "/series/KaizenBiz/chats", json={**CHAT, **fields})
    assert response.status_code == 422
    assert reason in response.json()["detail"]


async def test_a_custom_cadence_that_fits_is_accepted(api: Any) -> None:
    host = api.person("host")
    await api.series(host)
    body = {**CHAT, "questions": ["q?"] * 10, "cadence": {"question_interval_minutes": 5}}
    assert (await api.call(host, "POST", "/series/KaizenBiz/chats", json=body)).status_code == 201


async def test_chat_life_start_next_end_close(api: Any, clock: Any, ctx: Any) -> None:
    host = api.person("host")
    await api.series(host)
    chat = await api.chat(host, questions=2)
    path = f"/chats/{chat['id']}"
    started = await api.ok(host, "POST", f"{path}/start")
    assert started["state"] == "live"
    assert (await api.call(host, "POST", f"{path}/start")).status_code == 409
    posts = await api.ok(None, "GET", f"{path}/posts")
    assert [p["author"] for p in posts] == ["host"]  # the welcome, due at :00
    assert (await api.ok(host, "POST", f"{path}/next-question"))["number"] == 1
    assert (await api.ok(host, "POST", f"{path}/next-question"))["number"] == 2
    none_left = await api.call(host, "POST", f"{path}/next-question")
    assert none_left.status_code == 409
    clock.advance(minutes=30)
    close_at = clock.advance(minutes=0).replace(hour=23).isoformat()
    ended = await api.ok(host, "POST", f"{path}/end", json={"comments_close_at": close_at})
    assert (ended["state"], ended["comments_close_at"]) == (
        "late_answers",
        close_at.replace("+00:00", "Z"),
    )
    assert (await api.call(host, "POST", f"{path}/next-question")).status_code == 409
    clock.advance(hours=6)
    assert run_due(ctx, clock.now) == 1
    assert (await api.ok(None, "GET", path))["state"] == "closed"
    assert (await api.call(host, "POST", f"{path}/close")).status_code == 409


async def test_end_refuses_a_close_time_in_the_past(api: Any) -> None:
    host = api.person("host")
    await api.series(host)
    chat = await api.live_chat(host)
    response = await api.call(
        host, "POST", f"/chats/{chat['id']}/end", json={"comments_close_at": "2020-01-01T00:00:00Z"}
    )
    assert response.status_code == 422


async def test_edit_a_question_only_before_it_is_posted(api: Any) -> None:
    host = api.person("host")
    await api.series(host)
    chat = await api.live_chat(host)
    path = f"/chats/{chat['id']}/questions"
    edited = await api.ok(host, "PATCH", f"{path}/2", json={"text": "Better two?"})
    assert edited == {"chat_id": chat["id"], "number": 2, "text": "Better two?", "asked_at": None}
    await api.ok(host, "POST", f"/chats/{chat['id']}/next-question")
    assert (await api.call(host, "PATCH", f"{path}/1", json={"text": "x"})).status_code == 409
    assert (await api.call(host, "PATCH", f"{path}/9", json={"text": "x"})).status_code == 404
    assert (await api.call(host, "PATCH", f"{path}/2", json={"text": " "})).status_code == 422
    read = await api.ok(None, "GET", f"/chats/{chat['id']}")
    assert read["questions"][1]["text"] == "Better two?"


async def test_blocking_a_host_or_an_unknown_person_is_refused(api: Any) -> None:
    host, _cohost = api.person("host"), api.person("cohost")
    await api.series(host)
    await api.ok(
        host, "POST", "/series/KaizenBiz/members", json={"user": "cohost", "role": "cohost"}
    )
    assert (
        await api.call(host, "POST", "/series/KaizenBiz/blocks", json={"user": "cohost"})
    ).status_code == 409
    assert (
        await api.call(host, "POST", "/series/KaizenBiz/blocks", json={"user": "ghost"})
    ).status_code == 404
    assert (
        await api.call(host, "POST", "/series/nosuch/blocks", json={"user": "cohost"})
    ).status_code == 404
