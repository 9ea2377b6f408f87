"""Changing and removing roles: the whole actor x target x change matrix, from the permission
matrix alone, through the API; and how roles and blocks exclude each other."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from hashchat.actions.permissions import Role, is_allowed, mutation_for_role_change

pytestmark = pytest.mark.anyio

# Who acts: a role in the series, "none" (logged in, no role), "blocked" (no role, blocked),
# "admin" (site admin, no role) or "anonymous" (no credentials).
ACTORS: list[Role | str] = [*Role, "none", "blocked", "admin", "anonymous"]
TARGETS: list[Role | None] = [*Role, None]  # the role the target holds before (None: no role)
CHANGES: list[Role | None] = [*Role, None]  # the role she is given (None: removed)


def _expected(actor: Role | str, target: Role | None, change: Role | None) -> int:
    if actor == "anonymous":
        return 401
    role = actor if isinstance(actor, Role) else None
    if not is_allowed(mutation_for_role_change(target, change), role, is_admin=actor == "admin"):
        return 403
    if change is None:
        return 404 if target is None else 204
    return 200


async def _members(api: Any, tag: str) -> dict[str, str]:
    detail = await api.ok(None, "GET", f"/series/{tag}")
    return {m["name"]: m["role"] for m in detail["members"]}


async def test_matrix_of_actor_target_role_and_change(api: Any) -> None:
    creator = api.person("creator")  # the series' first owner; never the target
    actors = {
        actor: api.person(f"a_{actor}", admin=actor == "admin")
        for actor in ACTORS
        if actor != "anonymous"
    }
    targets = {target: api.person(f"t_{target or 'none'}") for target in TARGETS}
    failures = []
    cases = list(itertools.product(ACTORS, TARGETS, CHANGES))
    for index, (actor, target, change) in enumerate(cases):
        tag = f"Members{index}"
        await api.series(creator, tag)
        if isinstance(actor, Role) and actor is not Role.OWNER:
            body = {"user": actors[actor].name, "role": actor.value}
            await api.ok(creator, "POST", f"/series/{tag}/members", json=body)
        elif actor is Role.OWNER:
            body = {"user": actors[actor].name, "role": "owner"}
            await api.ok(creator, "POST", f"/series/{tag}/members", json=body)
        elif actor == "blocked":
            body = {"user": actors[actor].name}
            await api.ok(creator, "POST", f"/series/{tag}/blocks", json=body)
        person = targets[target]
        if target is not None:
            body = {"user": person.name, "role": target.value}
            await api.ok(creator, "POST", f"/series/{tag}/members", json=body)
        before = await _members(api, tag)
        who = None if actor == "anonymous" else actors[actor]
        if change is None:
            response = await api.call(who, "DELETE", f"/series/{tag}/members/{person.name}")
        else:
            body = {"user": person.name, "role": change.value}
            response = await api.call(who, "POST", f"/series/{tag}/members", json=body)
        after = await _members(api, tag)
        expected = _expected(actor, target, change)
        wanted_after = dict(before)
        if expected in (200, 204):
            wanted_after.pop(person.name, None)
            if change is not None:
                wanted_after[person.name] = change.value
        if response.status_code != expected or after != wanted_after:
            failures.append((str(actor), target, change, response.status_code, response.text))
    assert failures == []
    assert len(cases) == len(ACTORS) * len(TARGETS) * len(CHANGES)


async def test_the_last_owner_can_be_neither_demoted_nor_removed(api: Any) -> None:
    owner = api.person("owner")
    await api.series(owner)
    demote = {"user": "owner", "role": "cohost"}
    response = await api.call(owner, "POST", "/series/KaizenBiz/members", json=demote)
    assert response.status_code == 409
    assert "only owner" in response.json()["detail"]
    response = await api.call(owner, "DELETE", "/series/KaizenBiz/members/owner")
    assert response.status_code == 409
    assert await _members(api, "KaizenBiz") == {"owner": "owner"}


async def test_a_block_and_a_staff_role_never_coexist(api: Any) -> None:
    owner, guest, mod = api.person("owner"), api.person("guest"), api.person("mod")
    other_mod = api.person("other_mod")
    await api.series(owner)
    path = "/series/KaizenBiz"
    for name in ("mod", "other_mod"):
        await api.ok(owner, "POST", f"{path}/members", json={"user": name, "role": "moderator"})
    await api.ok(owner, "POST", f"{path}/blocks", json={"user": "guest"})
    for role in (Role.OWNER, Role.COHOST, Role.MODERATOR):
        body = {"user": "guest", "role": role.value}
        response = await api.call(owner, "POST", f"{path}/members", json=body)
        assert response.status_code == 409, role
        assert "guest is blocked" in response.json()["detail"]
    # participant grants nothing a block takes away: allowed, and the block stays
    await api.ok(owner, "POST", f"{path}/members", json={"user": "guest", "role": "participant"})
    # a staff member cannot be blocked, by another moderator nor by the owner
    for blocker in (owner, other_mod):
        response = await api.call(blocker, "POST", f"{path}/blocks", json={"user": "mod"})
        assert response.status_code == 409
        assert "moderator" in response.json()["detail"]
    chat = await api.live_chat(owner)
    posts = f"/chats/{chat['id']}/posts"
    assert (await api.call(guest, "POST", posts, json={"text": "hi"})).status_code == 403
    # unblocking lifts the block; then the promotion is allowed
    assert (await api.call(mod, "DELETE", f"{path}/blocks/guest")).status_code == 204
    assert (await api.call(mod, "DELETE", f"{path}/blocks/guest")).status_code == 204
    assert (await api.call(guest, "POST", posts, json={"text": "hi"})).status_code == 201
    await api.ok(owner, "POST", f"{path}/members", json={"user": "guest", "role": "cohost"})
    assert (await api.call(mod, "DELETE", f"{path}/blocks/ghost")).status_code == 404
    assert (await api.call(guest, "DELETE", f"{path}/blocks/mod")).status_code == 204
    assert (await api.call(None, "DELETE", f"{path}/blocks/mod")).status_code == 401
