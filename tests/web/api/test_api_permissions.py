"""Every mutation x every role, generated from the permission matrix: allowed or 403."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from hashchat.actions.permissions import PERMISSIONS, Mutation, Role, is_allowed

pytestmark = pytest.mark.anyio

ROLES: list[Role | None] = [*Role, None]  # None: logged in, no role in the series


@dataclass
class Scene:
    """A fresh series with one person per role, and what a mutation needs."""

    api: Any
    tag: str
    people: dict[Role | None, Any]
    outsider: Any


async def _scene(api: Any, index: int, people: dict[Role | None, Any], outsider: Any) -> Scene:
    tag = f"Matrix{index}"
    owner = people[Role.OWNER]
    await api.series(owner, tag)
    for role in (Role.COHOST, Role.MODERATOR, Role.PARTICIPANT):
        await api.ok(
            owner,
            "POST",
            f"/series/{tag}/members",
            json={"user": people[role].name, "role": role.value},
        )
    return Scene(api, tag, people, outsider)


async def _live_chat_with_post(scene: Scene) -> tuple[int, int]:
    api = scene.api
    chat = await api.live_chat(scene.people[Role.OWNER], scene.tag)
    post = await api.ok(scene.outsider, "POST", f"/chats/{chat['id']}/posts", json={"text": "hi"})
    return chat["id"], post["id"]


Perform = Callable[[Scene, Any], Awaitable[httpx.Response]]


async def _create_chat(scene: Scene, actor: Any) -> httpx.Response:
    body = {
        "title": "t",
        "starts_at": "2026-01-09T17:00:00Z",
        "duration_minutes": 60,
        "questions": ["q?"],
    }
    return await scene.api.call(actor, "POST", f"/series/{scene.tag}/chats", json=body)


async def _on_scheduled_chat(
    scene: Scene, actor: Any, method: str, suffix: str, **kw: Any
) -> httpx.Response:
    chat = await scene.api.chat(scene.people[Role.OWNER], scene.tag)
    return await scene.api.call(actor, method, f"/chats/{chat['id']}{suffix}", **kw)


async def _on_live_chat(scene: Scene, actor: Any, suffix: str, **kw: Any) -> httpx.Response:
    chat_id, _ = await _live_chat_with_post(scene)
    return await scene.api.call(actor, "POST", f"/chats/{chat_id}{suffix}", **kw)


async def _on_post(scene: Scene, actor: Any, action: str) -> httpx.Response:
    _, post_id = await _live_chat_with_post(scene)
    return await scene.api.call(actor, "POST", f"/posts/{post_id}/{action}")


async def _add(scene: Scene, actor: Any, role: str) -> httpx.Response:
    body = {"user": scene.outsider.name, "role": role}
    return await scene.api.call(actor, "POST", f"/series/{scene.tag}/members", json=body)


async def _see_insight_names(scene: Scene, actor: Any) -> httpx.Response:
    """A read whose refusal is a smaller answer: the figures are public, the names behind them
    (`series.regulars`, cohort members) are in it only for whom the matrix allows; a reader
    without them stands for a 403 here."""
    response = await scene.api.call(actor, "GET", f"/series/{scene.tag}/insights")
    if response.status_code == 200 and "regulars" not in response.json()["series"]:
        return httpx.Response(403, json={"detail": "no names"})
    return response


PERFORM: dict[Mutation, Perform] = {
    Mutation.CREATE_CHAT: _create_chat,
    Mutation.EDIT_QUESTION: lambda s, a: _on_scheduled_chat(
        s, a, "PATCH", "/questions/1", json={"text": "new?"}
    ),
    Mutation.START_CHAT: lambda s, a: _on_scheduled_chat(s, a, "POST", "/start"),
    Mutation.NEXT_QUESTION: lambda s, a: _on_live_chat(s, a, "/next-question"),
    Mutation.END_CHAT: lambda s, a: _on_live_chat(s, a, "/end"),
    Mutation.CLOSE_CHAT: lambda s, a: _on_live_chat(s, a, "/close"),
    Mutation.HIDE_POST: lambda s, a: _on_post(s, a, "hide"),
    Mutation.SPOTLIGHT_POST: lambda s, a: _on_post(s, a, "spotlight"),
    Mutation.BLOCK_USER: lambda s, a: s.api.call(
        a, "POST", f"/series/{s.tag}/blocks", json={"user": s.outsider.name}
    ),
    Mutation.UNBLOCK_USER: lambda s, a: s.api.call(
        a, "DELETE", f"/series/{s.tag}/blocks/{s.outsider.name}"
    ),
    Mutation.ADD_MEMBER: lambda s, a: _add(s, a, "participant"),
    Mutation.ADD_HOST: lambda s, a: _add(s, a, "cohost"),
    Mutation.POST: lambda s, a: _on_live_chat(s, a, "/posts", json={"text": "A1 yes"}),
    Mutation.EDIT_SERIES: lambda s, a: s.api.call(
        a, "PATCH", f"/series/{s.tag}", json={"title": "Renamed"}
    ),
    Mutation.SCHEDULE_CHATS: lambda s, a: s.api.call(
        a,
        "POST",
        f"/series/{s.tag}/schedules",
        json={"title": "Weekly", "first_start": "2026-01-16T17:00", "until": "2026-02-01"},
    ),
    Mutation.RESCHEDULE_CHAT: lambda s, a: _on_scheduled_chat(
        s, a, "POST", "/move", json={"starts_at": "2026-01-10T17:00:00Z"}
    ),
    Mutation.SEE_PEOPLE: lambda s, a: s.api.call(a, "GET", f"/series/{s.tag}/people"),
    Mutation.EDIT_CHAT: lambda s, a: _on_scheduled_chat(
        s, a, "PATCH", "", json={"topic": "Habits, framed"}
    ),
    Mutation.UNHIDE_POST: lambda s, a: _on_post(s, a, "unhide"),
    Mutation.MANAGE_BRIDGES: lambda s, a: s.api.call(a, "GET", f"/series/{s.tag}/bridges"),
    Mutation.SEE_INSIGHT_NAMES: _see_insight_names,
}


def test_every_mutation_has_a_way_to_perform_it() -> None:
    assert set(PERFORM) == set(Mutation) == set(PERMISSIONS)


async def test_matrix_of_mutation_and_role(api: Any) -> None:
    people = {role: api.person(role.value if role else "nobody") for role in ROLES}
    outsider = api.person("outsider")
    exercised: set[tuple[Mutation, Role | None]] = set()
    failures = []
    for index, (mutation, role) in enumerate(itertools.product(Mutation, ROLES)):
        scene = await _scene(api, index, people, outsider)
        response = await PERFORM[mutation](scene, people[role])
        expected_ok = is_allowed(mutation, role)
        if (response.status_code < 300) != expected_ok or (
            not expected_ok and response.status_code != 403
        ):
            failures.append((mutation.value, role, response.status_code, response.text))
        exercised.add((mutation, role))
    assert failures == []
    assert exercised == set(itertools.product(Mutation, ROLES))


async def test_site_admin_may_do_everything_without_a_role(api: Any) -> None:
    people = {role: api.person(role.value if role else "nobody") for role in ROLES}
    outsider = api.person("outsider")
    admin = api.person("admin", admin=True)
    for index, mutation in enumerate(Mutation):
        scene = await _scene(api, index, people, outsider)
        response = await PERFORM[mutation](scene, admin)
        assert response.status_code < 300, (mutation, response.text)


async def test_refusal_names_the_role(api: Any) -> None:
    owner, moderator = api.person("owner"), api.person("mod")
    await api.series(owner)
    await api.ok(
        owner, "POST", "/series/KaizenBiz/members", json={"user": "mod", "role": "moderator"}
    )
    chat = await api.chat(owner)
    response = await api.call(moderator, "POST", f"/chats/{chat['id']}/start")
    assert response.status_code == 403
    assert "moderator" in response.json()["detail"]
