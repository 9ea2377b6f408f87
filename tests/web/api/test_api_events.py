"""GET /chats/{id}/events over real HTTP: ordered ids, resume with Last-Event-ID, heartbeats."""

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
from hashchat.actions.posts import do_create_post
from hashchat.actions.series import do_create_series
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

    seen: list[Event] = []
    reader = threading.Thread(target=lambda: seen.extend(read_stream(stream, 5)[0]))
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
