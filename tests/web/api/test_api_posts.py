"""POST and GET /chats/{id}/posts: attribution, limits, refusals, rate limits."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.anyio


async def _room(api: Any, **series_fields: Any) -> tuple[Any, Any, int]:
    host, guest = api.person("host"), api.person("guest")
    await api.series(host, **series_fields)
    chat = await api.live_chat(host)
    return host, guest, chat["id"]


async def test_tagged_answer_is_stored_with_its_question(api: Any) -> None:
    host, guest, chat_id = await _room(api)
    await api.ok(host, "POST", f"/chats/{chat_id}/next-question")
    await api.ok(host, "POST", f"/chats/{chat_id}/next-question")
    response = await api.call(guest, "POST", f"/chats/{chat_id}/posts", json={"text": "A2b: yes"})
    assert response.status_code == 201
    post = response.json()
    assert (post["question"], post["part"], post["inferred"], post["late"]) == (
        2,
        "b",
        False,
        False,
    )
    assert post["author"] == "guest"
    assert post["is_host"] is False


async def test_untagged_post_during_the_live_hour_is_inferred(api: Any) -> None:
    host, guest, chat_id = await _room(api)
    await api.ok(host, "POST", f"/chats/{chat_id}/next-question")
    post = await api.ok(guest, "POST", f"/chats/{chat_id}/posts", json={"text": "good one"})
    assert (post["question"], post["inferred"]) == (1, True)


async def test_reply_takes_its_parent_question(api: Any) -> None:
    host, guest, chat_id = await _room(api)
    for _ in range(3):
        await api.ok(host, "POST", f"/chats/{chat_id}/next-question")
    parent = await api.ok(host, "POST", f"/chats/{chat_id}/posts", json={"text": "A2 mine"})
    reply = await api.ok(
        guest, "POST", f"/chats/{chat_id}/posts", json={"text": "agreed!", "reply_to": parent["id"]}
    )
    assert (reply["question"], reply["inferred"], reply["reply_to"]) == (2, False, parent["id"])


async def test_several_answers_in_one_post_become_segments(api: Any) -> None:
    _host, guest, chat_id = await _room(api)
    post = await api.ok(
        guest, "POST", f"/chats/{chat_id}/posts", json={"text": "A1 first. A3 third"}
    )
    assert [s["question"] for s in post["segments"]] == [1, 3]
    assert post["question"] == 1


async def test_auto_adds_answer_tag_and_hashtag(api: Any) -> None:
    host, guest, chat_id = await _room(api)
    await api.ok(host, "POST", f"/chats/{chat_id}/next-question")
    post = await api.ok(
        guest, "POST", f"/chats/{chat_id}/posts", json={"text": "small steps", "auto": True}
    )
    assert post["text"] == "A1 small steps #KaizenBiz"
    assert (post["question"], post["inferred"]) == (1, False)


async def test_auto_on_a_reply_adds_the_hashtag_but_keeps_the_parents_question(api: Any) -> None:
    host, guest, chat_id = await _room(api)
    await api.ok(host, "POST", f"/chats/{chat_id}/next-question")
    answer = await api.ok(guest, "POST", f"/chats/{chat_id}/posts", json={"text": "A1 yes"})
    await api.ok(host, "POST", f"/chats/{chat_id}/next-question")
    reply = await api.ok(
        guest,
        "POST",
        f"/chats/{chat_id}/posts",
        json={"text": "love this", "reply_to": answer["id"], "auto": True},
    )
    assert reply["text"] == "love this #KaizenBiz"
    assert (reply["question"], reply["inferred"]) == (1, False)


async def test_text_is_stored_exactly_as_written(api: Any) -> None:
    _, guest, chat_id = await _room(api)
    text = '<script>alert(1)</script> <img src=x onerror=alert(2)> & "quotes"'
    post = await api.ok(guest, "POST", f"/chats/{chat_id}/posts", json={"text": text})
    listed = await api.ok(None, "GET", f"/chats/{chat_id}/posts")
    assert post["text"] == listed[-1]["text"] == text


async def test_over_the_limit_is_refused_with_the_reason_and_never_cut(api: Any) -> None:
    _, guest, chat_id = await _room(api, char_rule="x", char_limit=20)
    response = await api.call(
        guest, "POST", f"/chats/{chat_id}/posts", json={"text": "A1 " + "x" * 30}
    )
    assert response.status_code == 422
    assert "33" in response.json()["detail"]
    assert "20" in response.json()["detail"]
    posts = await api.ok(None, "GET", f"/chats/{chat_id}/posts")
    assert all("xxx" not in p["text"] for p in posts)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"text": "   "}, "empty"),
        ({}, "text"),
        ({"text": "hi", "reply_to": 999}, "reply_to"),
        ({"text": 5}, "text"),
    ],
)
async def test_invalid_posts_get_422_with_a_reason(api: Any, body: Any, reason: str) -> None:
    _, guest, chat_id = await _room(api)
    response = await api.call(guest, "POST", f"/chats/{chat_id}/posts", json=body)
    assert response.status_code == 422
    assert reason in response.json()["detail"]


async def test_reply_to_a_post_of_another_chat_is_refused(api: Any) -> None:
    host, guest, chat_id = await _room(api)
    other = await api.live_chat(host)
    elsewhere = await api.ok(guest, "POST", f"/chats/{other['id']}/posts", json={"text": "hi"})
    response = await api.call(
        guest, "POST", f"/chats/{chat_id}/posts", json={"text": "x", "reply_to": elsewhere["id"]}
    )
    assert response.status_code == 422
    assert "another chat" in response.json()["detail"]


async def test_late_answer_after_the_live_hour_is_marked_late(api: Any, clock: Any) -> None:
    host, guest, chat_id = await _room(api)
    await api.ok(host, "POST", f"/chats/{chat_id}/next-question")
    clock.advance(minutes=61)
    await api.ok(host, "POST", f"/chats/{chat_id}/end")
    clock.advance(hours=12)
    post = await api.ok(guest, "POST", f"/chats/{chat_id}/posts", json={"text": "A1 sorry, late"})
    assert (post["question"], post["late"]) == (1, True)


async def test_closed_chat_refuses_posts(api: Any) -> None:
    host, guest, chat_id = await _room(api)
    await api.ok(host, "POST", f"/chats/{chat_id}/close")
    response = await api.call(guest, "POST", f"/chats/{chat_id}/posts", json={"text": "A1 hi"})
    assert response.status_code == 403
    assert "closed" in response.json()["detail"]


async def test_scheduled_chat_refuses_posts(api: Any) -> None:
    host, guest = api.person("host"), api.person("guest")
    await api.series(host)
    chat = await api.chat(host)
    response = await api.call(guest, "POST", f"/chats/{chat['id']}/posts", json={"text": "hi"})
    assert response.status_code == 403


async def test_blocked_person_cannot_post(api: Any) -> None:
    host, guest, chat_id = await _room(api)
    await api.ok(host, "POST", "/series/KaizenBiz/blocks", json={"user": "guest"})
    response = await api.call(guest, "POST", f"/chats/{chat_id}/posts", json={"text": "spam"})
    assert response.status_code == 403
    assert "blocked" in response.json()["detail"]


async def test_posting_too_fast_is_rate_limited(api: Any, clock: Any) -> None:
    _, guest, chat_id = await _room(api)  # the fixture allows 5 posts per 30 s
    for n in range(5):
        await api.ok(guest, "POST", f"/chats/{chat_id}/posts", json={"text": f"post {n}"})
    response = await api.call(guest, "POST", f"/chats/{chat_id}/posts", json={"text": "one more"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    clock.advance(seconds=6)
    assert (
        await api.call(guest, "POST", f"/chats/{chat_id}/posts", json={"text": "ok"})
    ).status_code == 201


async def test_unknown_chat_is_404(api: Any) -> None:
    guest = api.person("guest")
    assert (
        await api.call(guest, "POST", "/chats/404/posts", json={"text": "x"})
    ).status_code == 404
    assert (await api.call(None, "GET", "/chats/404/posts")).status_code == 404
    assert (await api.call(guest, "POST", "/posts/404/hide")).status_code == 404


async def test_list_filters_by_question_and_leaves_hidden_posts_out(api: Any) -> None:
    host, guest, chat_id = await _room(api)
    first = await api.ok(guest, "POST", f"/chats/{chat_id}/posts", json={"text": "A1 one"})
    await api.ok(guest, "POST", f"/chats/{chat_id}/posts", json={"text": "A2 two"})
    await api.ok(guest, "POST", f"/chats/{chat_id}/posts", json={"text": "A1 & A2: both"})
    spam = await api.ok(guest, "POST", f"/chats/{chat_id}/posts", json={"text": "A1 spam"})
    hidden = await api.ok(host, "POST", f"/posts/{spam['id']}/hide")
    assert hidden["hidden"] is True
    answers_1 = await api.ok(None, "GET", f"/chats/{chat_id}/posts", params={"question": 1})
    assert [p["text"] for p in answers_1] == ["A1 one", "A1 & A2: both"]
    spotlit = await api.ok(host, "POST", f"/posts/{first['id']}/spotlight")
    assert spotlit["spotlight"] is True
    unlit = await api.ok(host, "POST", f"/posts/{first['id']}/spotlight", json={"spotlight": False})
    assert unlit["spotlight"] is False


async def test_a_hosts_auto_post_is_never_made_an_answer(api: Any) -> None:
    host, _, chat_id = await _room(api)
    cohost, moderator = api.person("cohost"), api.person("moderator")
    for person, role in ((cohost, "cohost"), (moderator, "moderator")):
        member = {"user": person.name, "role": role}
        await api.ok(host, "POST", "/series/KaizenBiz/members", json=member)
    await api.ok(host, "POST", f"/chats/{chat_id}/next-question")
    for person in (host, cohost):
        post = await api.ok(
            person,
            "POST",
            f"/chats/{chat_id}/posts",
            json={"text": "Great answers so far", "auto": True},
        )
        assert post["text"] == "Great answers so far #KaizenBiz"
        assert (post["question"], post["inferred"]) == (None, False)
        plain = await api.ok(person, "POST", f"/chats/{chat_id}/posts", json={"text": "so true"})
        assert (plain["question"], plain["inferred"]) == (None, False)
        tagged = await api.ok(
            person, "POST", f"/chats/{chat_id}/posts", json={"text": "A1 mine", "auto": True}
        )
        assert (tagged["question"], tagged["inferred"]) == (1, False)
    # a moderator is not a host: her posts are answers like anyone's
    post = await api.ok(
        moderator, "POST", f"/chats/{chat_id}/posts", json={"text": "email", "auto": True}
    )
    assert post["text"] == "A1 email #KaizenBiz"
    recap = await api.ok(None, "GET", f"/chats/{chat_id}/recap", params={"format": "json"})
    assert recap["figures"]["answers"] == 3


async def test_posts_are_listed_in_the_one_post_order_by_time_then_id(api: Any) -> None:
    """A post filed later through the ingest door (a bridge, an archive) with an earlier time
    comes before the room's posts in the API, as it does on the room page and in the recap."""
    from datetime import timedelta

    from hashchat.actions.ingest import do_ingest_posts
    from hashchat.domain.ingest import ForeignPost, Network

    _host, guest, chat_id = await _room(api)
    local = await api.ok(guest, "POST", f"/chats/{chat_id}/posts", json={"text": "A1 here"})
    earlier = api.ctx.now() - timedelta(minutes=5)
    foreign = ForeignPost(
        network=Network.MASTODON,
        source="mastodon.example",
        external_id="109",
        author_handle="ann@mastodon.example",
        display_name="Ann",
        text="A1 from the fediverse",
        created_at=earlier,
    )
    do_ingest_posts(api.ctx, "test", chat_id, [foreign])
    listed = await api.ok(None, "GET", f"/chats/{chat_id}/posts")
    texts = [post["text"] for post in listed]
    assert texts.index("A1 from the fediverse") < texts.index("A1 here")
    ids = [post["id"] for post in listed]
    assert ids.index(local["id"]) == len(ids) - 1
    stamps = [(post["created_at"], post["id"]) for post in listed]
    assert stamps == sorted(stamps)
