"""Idempotency-Key on POST /chats/{id}/posts: a retry posts once and gets the same answer."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytestmark = pytest.mark.anyio


async def _room(api: Any) -> tuple[Any, Any, int]:
    host, guest = api.person("host"), api.person("guest")
    await api.series(host)
    chat = await api.live_chat(host)
    return host, guest, chat["id"]


async def _post(api: Any, who: Any, chat_id: int, key: str, text: str = "A1 hello") -> Any:
    return await api.call(
        who,
        "POST",
        f"/chats/{chat_id}/posts",
        json={"text": text},
        headers={"Idempotency-Key": key},
    )


async def _texts(api: Any, chat_id: int) -> list[str]:
    return [p["text"] for p in await api.ok(None, "GET", f"/chats/{chat_id}/posts")]


async def test_a_retry_posts_once_and_gets_the_same_answer(api: Any) -> None:
    _host, guest, chat_id = await _room(api)
    first = await _post(api, guest, chat_id, "retry-1")
    again = await _post(api, guest, chat_id, "retry-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert first.json()["text"] == "A1 hello"
    assert "idempotent-replayed" not in first.headers
    assert again.headers["idempotent-replayed"] == "true"
    assert (await _texts(api, chat_id)).count("A1 hello") == 1


async def test_the_answer_is_the_first_one_even_after_the_post_changed(api: Any) -> None:
    host, guest, chat_id = await _room(api)
    first = await _post(api, guest, chat_id, "k")
    await api.ok(host, "POST", f"/posts/{first.json()['id']}/spotlight")
    again = await _post(api, guest, chat_id, "k")
    assert again.json() == first.json()


async def test_the_same_key_with_another_body_is_refused(api: Any) -> None:
    _host, guest, chat_id = await _room(api)
    await _post(api, guest, chat_id, "k", "A1 hello")
    other = await _post(api, guest, chat_id, "k", "A1 something else")
    assert other.status_code == 422
    assert "different request" in other.json()["detail"]
    texts = await _texts(api, chat_id)
    assert texts.count("A1 hello") == 1
    assert "A1 something else" not in texts


async def test_keys_belong_to_one_person(api: Any) -> None:
    host, guest, chat_id = await _room(api)
    mine = await _post(api, guest, chat_id, "same-key")
    theirs = await _post(api, host, chat_id, "same-key")
    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine.json()["id"]


async def test_keys_are_forgotten_after_a_day(api: Any) -> None:
    _host, guest, chat_id = await _room(api)
    first = await _post(api, guest, chat_id, "daily")
    api.ctx.settings.clock.advance(hours=24, seconds=1)
    later = await _post(api, guest, chat_id, "daily")
    assert later.status_code == 201
    assert later.json()["id"] != first.json()["id"]


async def test_a_refused_request_is_not_remembered(api: Any) -> None:
    _host, guest, chat_id = await _room(api)
    refused = await _post(api, guest, chat_id, "k", "")
    assert refused.status_code == 422
    assert (await _post(api, guest, chat_id, "k", "")).status_code == 422
    assert (await _post(api, guest, chat_id, "k2", "A1 fine")).status_code == 201


async def test_a_replay_is_not_rate_limited(api: Any) -> None:
    _host, guest, chat_id = await _room(api)
    for n in range(5):  # the test settings allow 5 posts per 30 s
        assert (await _post(api, guest, chat_id, f"k{n}", f"A1 post {n}")).status_code == 201
    assert (await _post(api, guest, chat_id, "k6", "A1 one more")).status_code == 429
    assert (await _post(api, guest, chat_id, "k0", "A1 post 0")).status_code == 201


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("   ", "empty"),
        ("x" * 201, "longer than 200"),
        ("caf\u00e9", "printable ASCII"),
        ("tab\there", "printable ASCII"),
    ],
)
async def test_bad_keys_are_refused_with_the_reason(api: Any, key: str, reason: str) -> None:
    _host, guest, chat_id = await _room(api)
    response = await api.call(
        guest,
        "POST",
        f"/chats/{chat_id}/posts",
        json={"text": "A1 hello"},
        headers={"Idempotency-Key": key.encode("latin-1")},
    )
    assert response.status_code == 422
    assert reason in response.json()["detail"]
    assert "A1 hello" not in await _texts(api, chat_id)


async def test_concurrent_requests_with_one_key_make_one_post(api: Any) -> None:
    _host, guest, chat_id = await _room(api)
    answers = await asyncio.gather(*(_post(api, guest, chat_id, "burst") for _ in range(6)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.content for a in answers}) == 1
    assert (await _texts(api, chat_id)).count("A1 hello") == 1
