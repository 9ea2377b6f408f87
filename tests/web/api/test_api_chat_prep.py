"""The API of a chat's preparation and its undo (issue 9): PATCH /chats/{id} (topic, cadence,
duration; 409 once started), questions added/removed/reordered, the plan, the closing time
moved, a hide undone."""

from __future__ import annotations

from typing import Any

import pytest

from hashchat.actions.cadence import run_due

pytestmark = pytest.mark.anyio


async def test_the_topic_and_cadence_are_set_before_the_start(api: Any) -> None:
    host = api.person("host")
    await api.series(host)
    chat = await api.chat(host, questions=2)
    path = f"/chats/{chat['id']}"
    body = {"topic": "Read the post first", "cadence": {"closing_minute": 50}}
    edited = await api.ok(host, "PATCH", path, json=body)
    assert edited["topic"] == "Read the post first"
    assert (await api.ok(None, "GET", path))["topic"] == "Read the post first"
    plan = await api.ok(None, "GET", f"{path}/plan")
    assert [(p["kind"], p["state"]) for p in plan][-2:] == [
        ("closing", "preview"),
        ("close", "preview"),
    ]
    unknown = await api.call(host, "PATCH", path, json={"colour": "red"})
    assert unknown.status_code == 422
    too_slow = await api.call(
        host, "PATCH", path, json={"cadence": {"question_interval_minutes": 1440}}
    )
    assert too_slow.status_code == 422
    assert "every 1440 minutes" in too_slow.json()["detail"]
    slow = {"cadence": {"question_interval_minutes": 1440}, "duration_minutes": 7 * 24 * 60}
    assert (await api.ok(host, "PATCH", path, json=slow))["duration_minutes"] == 10080
    await api.ok(host, "POST", f"{path}/start")
    late = await api.call(host, "PATCH", path, json={"topic": "Changed"})
    assert late.status_code == 409


async def test_questions_are_added_removed_and_reordered(api: Any) -> None:
    host = api.person("host")
    await api.series(host)
    chat = await api.chat(host, questions=2)
    path = f"/chats/{chat['id']}"
    added = await api.call(host, "POST", f"{path}/questions", json={"text": "Zero?", "position": 1})
    assert added.status_code == 201
    assert [q["text"] for q in added.json()["questions"]] == [
        "Zero?",
        "Question number 1?",
        "Question number 2?",
    ]
    reordered = await api.ok(host, "PUT", f"{path}/question-order", json={"order": [3, 2, 1]})
    assert [q["number"] for q in reordered["questions"]] == [1, 2, 3]
    assert reordered["questions"][0]["text"] == "Question number 2?"
    removed = await api.ok(host, "DELETE", f"{path}/questions/3")
    assert [q["text"] for q in removed["questions"]] == ["Question number 2?", "Question number 1?"]
    bad = await api.call(host, "PUT", f"{path}/question-order", json={"order": [1]})
    assert bad.status_code == 422
    await api.ok(host, "POST", f"{path}/start")
    assert (await api.call(host, "DELETE", f"{path}/questions/1")).status_code == 409


async def test_the_closing_time_defaults_to_a_day_and_moves(api: Any, clock: Any, ctx: Any) -> None:
    host = api.person("host")
    await api.series(host)
    chat = await api.live_chat(host)
    path = f"/chats/{chat['id']}"
    ended = await api.ok(host, "POST", f"{path}/end")
    assert ended["comments_close_at"] == "2026-01-10T17:00:00Z"
    moved = await api.ok(
        host, "PUT", f"{path}/comments-close", json={"comments_close_at": "2026-01-09T19:00:00Z"}
    )
    assert moved["comments_close_at"] == "2026-01-09T19:00:00Z"
    clock.advance(hours=2)
    run_due(ctx, clock.now)
    assert (await api.ok(None, "GET", path))["state"] == "closed"
    again = await api.call(
        host, "PUT", f"{path}/comments-close", json={"comments_close_at": "2026-01-12T19:00:00Z"}
    )
    assert again.status_code == 409


async def test_a_hidden_post_is_unhidden(api: Any) -> None:
    host, reader = api.person("host"), api.person("reader")
    await api.series(host)
    chat = await api.live_chat(host)
    post = await api.ok(reader, "POST", f"/chats/{chat['id']}/posts", json={"text": "hi"})
    await api.ok(host, "POST", f"/posts/{post['id']}/hide")
    assert post["id"] not in [
        p["id"] for p in await api.ok(None, "GET", f"/chats/{chat['id']}/posts")
    ]
    restored = await api.ok(host, "POST", f"/posts/{post['id']}/unhide")
    assert restored["hidden"] is False
    assert post["id"] in [p["id"] for p in await api.ok(None, "GET", f"/chats/{chat['id']}/posts")]
    assert (await api.call(reader, "POST", f"/posts/{post['id']}/unhide")).status_code == 403
