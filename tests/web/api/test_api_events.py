"""GET /chats/{id}/events over real HTTP: ordered ids, resume with Last-Event-ID, heartbeats,
a replay of each post as it is now, and a stream without a resume point starting at the present."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

from hashchat.actions.accounts import do_create_token, do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.moderation import do_hide_post, do_spotlight_post
from hashchat.actions.posts import do_create_post, list_posts
from hashchat.actions.series import do_create_series
from hashchat.actions.views import UserView
from hashchat.store.events import events_after, last_event_id
from hashchat.web.app import create_app


@dataclass
class Event:
    id: int
    type: str
    data: dict[str, Any]


@pytest.fixture
def server_url(ctx: Any) -> Iterator[str]:
    config = uvicorn.Config(create_app(context=ctx), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def read_stream(
    url: str, count: int, headers: dict[str, str] | None = None, linger: float = 0.0
) -> tuple[list[Event], int]:
    """Read `count` events (then `linger` seconds more); returns them and the heartbeats seen."""
    events: list[Event] = []
    heartbeats = 0
    fields: dict[str, str] = {}
    stop_at: float | None = None
    with httpx.stream("GET", url, headers=headers or {}, timeout=5) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith(": heartbeat"):
                heartbeats += 1
            elif line == "" and "data" in fields:
                events.append(Event(int(fields["id"]), fields["event"], json.loads(fields["data"])))
                fields = {}
            elif ":" in line and not line.startswith(":"):
                key, _, value = line.partition(":")
                fields[key] = value.strip()
            if len(events) >= count and stop_at is None:
                stop_at = time.monotonic() + linger
            if stop_at is not None and time.monotonic() >= stop_at:
                break
    return events, heartbeats


def test_events_arrive_in_order_and_resume_without_gaps_or_repeats(
    ctx: Any, server_url: str
) -> None:
    host = do_register(ctx, "host", "correct horse battery")
    guest = do_register(ctx, "guest", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, ["One?", "Two?"])
    do_start_chat(ctx, host, chat.id)  # writes a `state` event and the welcome `post`
    stream = f"{server_url}/api/v1/chats/{chat.id}/events"

    seen: list[Event] = []  # ?after=0: from the chat's first event
    reader = threading.Thread(target=lambda: seen.extend(read_stream(f"{stream}?after=0", 5)[0]))
    reader.start()
    time.sleep(0.5)  # let the viewer connect and replay before the live posts
    token = do_create_token(ctx, "guest")
    for n in range(3):
        response = httpx.post(
            f"{server_url}/api/v1/chats/{chat.id}/posts",
            json={"text": f"A1 answer {n}"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201
    reader.join(10)
    assert [e.type for e in seen] == ["state", "post", "post", "post", "post"]
    ids = [e.id for e in seen]
    assert ids == sorted(set(ids))
    assert seen[-1].data["text"] == "A1 answer 2"
    assert seen[-1].data["question"] == 1

    for n in range(2):  # posted while the viewer is away
        do_create_post(ctx, guest, chat.id, f"A2 while away {n}")
    resumed, _ = read_stream(stream, 2, {"Last-Event-ID": str(ids[-1])}, linger=0.5)
    assert [e.data["text"] for e in resumed] == ["A2 while away 0", "A2 while away 1"]
    assert resumed[0].id > ids[-1]
    from_query, _ = read_stream(f"{stream}?after={ids[-2]}", 3, linger=0.3)
    assert [e.id for e in from_query] == [ids[-1], resumed[0].id, resumed[1].id]


def test_heartbeats_keep_an_idle_stream_alive(ctx: Any, server_url: str) -> None:
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, ["One?"])
    events, heartbeats = read_stream(f"{server_url}/api/v1/chats/{chat.id}/events", 0, linger=0.7)
    assert events == []
    assert heartbeats >= 2  # the test settings beat every 0.2 s


def test_unknown_chat_and_bad_resume_point_are_refused(ctx: Any, server_url: str) -> None:
    assert httpx.get(f"{server_url}/api/v1/chats/999/events").status_code == 404
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, ["One?"])
    response = httpx.get(
        f"{server_url}/api/v1/chats/{chat.id}/events", headers={"Last-Event-ID": "abc"}
    )
    assert response.status_code == 422


def test_a_viewer_that_disconnects_leaves_the_room(ctx: Any, server_url: str) -> None:
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, ["One?"])
    rooms = ctx.bus._rooms  # the in-process bus: one room (pump) per watched chat
    with httpx.stream("GET", f"{server_url}/api/v1/chats/{chat.id}/events", timeout=5) as response:
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-accel-buffering"] == "no"
        assert "content-length" not in response.headers
        chunks = response.iter_bytes()  # kept: a dropped iterator closes the response
        assert next(chunks).startswith(b": connected")
        deadline = time.monotonic() + 5
        while chat.id not in rooms and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(rooms[chat.id].viewers) == 1
    deadline = time.monotonic() + 5
    while chat.id in rooms and time.monotonic() < deadline:
        time.sleep(0.02)
    assert chat.id not in rooms  # the last viewer left: the room and its pump are gone


def read_frames(url: str, headers: dict[str, str] | None = None, seconds: float = 0.6) -> bytes:
    """Everything a stream sends in `seconds` (heartbeats wake the read every 0.2 s)."""
    received = b""
    deadline = time.monotonic() + seconds
    with httpx.stream("GET", url, headers=headers or {}, timeout=5) as response:
        assert response.status_code == 200
        for chunk in response.iter_raw():
            received += chunk
            if time.monotonic() >= deadline:
                break
    return received


def parse_frames(raw: bytes) -> list[dict[str, str]]:
    """Each SSE frame's fields (comment lines left out), in order."""
    frames = []
    for block in raw.decode().split("\n\n"):
        fields = {}
        for line in block.split("\n"):
            if line and not line.startswith(":"):
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        if fields:
            frames.append(fields)
    return frames


def live_chat(ctx: AppContext) -> tuple[UserView, UserView, int]:
    host = do_register(ctx, "host", "correct horse battery")
    guest = do_register(ctx, "guest", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, ["One?", "Two?"])
    do_start_chat(ctx, host, chat.id)
    return host, guest, chat.id


def snapshot_from(frames: list[dict[str, str]]) -> dict[int, dict[str, Any]]:
    """The visible posts that applying the frames to an empty room gives (as room.js does)."""
    posts: dict[int, dict[str, Any]] = {}
    for frame in frames:
        if "data" not in frame:
            continue
        data = json.loads(frame["data"])
        if frame["event"] == "post":
            if data.get("hidden"):
                posts.pop(data["id"], None)
            else:
                posts[data["id"]] = data
        elif frame["event"] == "hide":
            posts.pop(data["post_id"], None)
        elif frame["event"] == "spotlight" and data["post_id"] in posts:
            posts[data["post_id"]]["spotlight"] = data["spotlight"]
    return posts


def test_a_replay_serves_each_post_as_it_is_now_never_a_hidden_posts_text(
    ctx: Any, server_url: str
) -> None:
    host, guest, chat_id = live_chat(ctx)
    before_posts = last_event_id(ctx.store, chat_id)
    stream = f"{server_url}/api/v1/chats/{chat_id}/events"
    # A viewer watches throughout, so the bus's pump has sent every original frame live.
    watcher: list[bytes] = []
    watching = threading.Thread(
        target=lambda: watcher.append(read_frames(f"{stream}?after=0", seconds=3.0))
    )
    watching.start()
    time.sleep(0.4)

    hidden = do_create_post(ctx, guest, chat_id, "A1 secret one: ünïcødé 🙈 leak-one")
    do_hide_post(ctx, host, hidden.id)
    lit_then_hidden = do_create_post(ctx, guest, chat_id, "A1 secret two leak-two")
    do_spotlight_post(ctx, host, lit_then_hidden.id)
    do_hide_post(ctx, host, lit_then_hidden.id)
    hidden_then_lit = do_create_post(ctx, guest, chat_id, "A1 secret three leak-three")
    do_hide_post(ctx, host, hidden_then_lit.id)
    do_spotlight_post(ctx, host, hidden_then_lit.id)  # must not bring the text back
    lit_then_unlit = do_create_post(ctx, guest, chat_id, "A2 kept and unlit")
    do_spotlight_post(ctx, host, lit_then_unlit.id)
    do_spotlight_post(ctx, host, lit_then_unlit.id, on=False)
    lit = do_create_post(ctx, guest, chat_id, "A2 kept and lit")
    do_spotlight_post(ctx, host, lit.id)
    watching.join(10)
    assert b"leak-one" in watcher[0]  # the live viewer saw the post before it was hidden

    fresh = {p.id: (p.text, p.spotlight) for p in list_posts(ctx, chat_id)}
    assert set(fresh) >= {lit.id, lit_then_unlit.id}
    for headers, query in (
        ({}, "?after=0"),
        ({"Last-Event-ID": str(before_posts)}, ""),
        ({"Last-Event-ID": str(before_posts)}, "?after=2000000"),  # the header wins
    ):
        raw = read_frames(stream + query, headers)
        assert b"leak-" not in raw
        assert b"secret" not in raw
        frames = parse_frames(raw)
        replayed = {
            json.loads(f["data"])["id"]: json.loads(f["data"])
            for f in frames
            if f.get("event") == "post"
        }
        for post in (hidden, lit_then_hidden, hidden_then_lit):
            assert replayed[post.id] == {"id": post.id, "chat_id": chat_id, "hidden": True}
        posts = snapshot_from(frames)  # the welcome post is before some of the resume points
        shown = {i: (p["text"], p["spotlight"]) for i, p in posts.items() if i >= hidden.id}
        assert shown == {i: post for i, post in fresh.items() if i >= hidden.id}
        assert posts[lit.id]["spotlight"] is True
        assert posts[lit_then_unlit.id]["spotlight"] is False

    stored = b"".join(e.data.encode() for e in events_after(ctx.store, chat_id, 0))
    assert b"leak-" not in stored


def test_a_stream_without_a_resume_point_starts_at_the_present(ctx: Any, server_url: str) -> None:
    host, guest, chat_id = live_chat(ctx)
    for n in range(5):
        do_create_post(ctx, guest, chat_id, f"A1 history {n}")
    newest = last_event_id(ctx.store, chat_id)
    stream = f"{server_url}/api/v1/chats/{chat_id}/events"

    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(read_frames(stream, seconds=1.2)))
    reader.start()
    time.sleep(0.5)
    do_create_post(ctx, host, chat_id, "A1 said after joining")
    reader.join(10)
    raw = received[0]
    assert raw.startswith(b": connected\n")
    frames = parse_frames(raw)
    assert frames[0] == {"id": str(newest), "retry": "1000"}  # no data: only the resume point
    events = [f for f in frames if "data" in f]
    assert [json.loads(f["data"])["text"] for f in events] == ["A1 said after joining"]
    assert int(events[0]["id"]) > newest

    # A browser reconnecting with the first frame's id gets exactly what came after it.
    resumed = parse_frames(read_frames(stream, {"Last-Event-ID": frames[0]["id"]}, seconds=0.4))
    assert [f["id"] for f in resumed if "data" in f] == [events[0]["id"]]
    assert resumed[0] == {"id": frames[0]["id"], "retry": "1000"}
    # ?after=0 is still the whole history.
    everything = parse_frames(read_frames(f"{stream}?after=0", seconds=0.4))
    assert frames[0]["id"] in {f.get("id") for f in everything if "data" in f}
    assert len([f for f in everything if f.get("event") == "post"]) == 1 + 5 + 1  # welcome too


@pytest.mark.anyio
async def test_the_posts_and_the_chat_hand_out_their_resume_point(api: Any) -> None:
    host = api.person("hoster")
    await api.series(host)
    chat = await api.live_chat(host)
    await api.ok(host, "POST", f"/chats/{chat['id']}/posts", json={"text": "hello"})
    newest = last_event_id(api.ctx.store, chat["id"])
    listed = await api.call(None, "GET", f"/chats/{chat['id']}/posts")
    assert listed.headers["Last-Event-ID"] == str(newest)
    assert (await api.ok(None, "GET", f"/chats/{chat['id']}"))["last_event_id"] == newest
    schema = (await api.client.get("/openapi.json")).json()
    posts = schema["paths"]["/api/v1/chats/{chat_id}/posts"]["get"]["responses"]["200"]
    assert "Last-Event-ID" in posts["headers"]
    described = schema["paths"]["/api/v1/chats/{chat_id}/events"]["get"]["description"]
    assert "starts at the present" in described
    assert "`?after=0`" in described
    assert '"hidden": true' in described
