"""SIGKILL the server while people post and a viewer follows the stream: after a restart on
the same database every acknowledged post is there, each once, and the viewer (resuming with
Last-Event-ID) has exactly the posts of the database, in order, none twice."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

import httpx
import sqlalchemy as sa
from durability_support import Server

from hashchat.actions.accounts import do_create_token, do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.series import do_create_series
from hashchat.assembly import build_context
from hashchat.settings import Settings
from hashchat.store.models import EventRow, PostRow

ACKS_BEFORE_KILL = 40
ACKS_AFTER_RESTART = 40
BOUND_SECONDS = 60  # every loop here ends by then, whatever happens


def _seed(database_url: str) -> tuple[str, int]:
    """An owner with a token and a live chat: (token, chat id)."""
    ctx = build_context(
        Settings(database_url=database_url, argon2_time_cost=1, argon2_memory_kib=1024)
    )
    try:
        host = do_register(ctx, "host", "correct horse battery")
        do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
        chat = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, ["Q1?", "Q2?"])
        do_start_chat(ctx, host, chat.id)
        return do_create_token(ctx, "host"), chat.id
    finally:
        ctx.store.dispose()


@dataclass
class Poster:
    """Posts `A1 durable N` for N = 0, 1, …; retries each with its Idempotency-Key until it is
    acknowledged, as a careful client does."""

    server: Server
    token: str
    chat_id: int
    acked: dict[int, int] = field(default_factory=dict)  # N -> post id
    failures: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        deadline = time.monotonic() + BOUND_SECONDS
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(timeout=5) as client:
            n = 0
            while not self.stop.is_set() and time.monotonic() < deadline:
                try:
                    response = client.post(
                        f"{self.server.base_url}/api/v1/chats/{self.chat_id}/posts",
                        json={"text": f"A1 durable {n}"},
                        headers={**headers, "Idempotency-Key": f"durable-{n}"},
                    )
                except httpx.TransportError:
                    self.failures += 1
                    time.sleep(0.05)
                    continue  # the same N again, with the same key
                if response.status_code == 201:
                    self.acked[n] = response.json()["id"]
                    n += 1
                elif response.status_code >= 500:
                    self.failures += 1
                    time.sleep(0.05)
                else:
                    raise AssertionError(f"unexpected {response.status_code}: {response.text}")


@dataclass
class Viewer:
    """Follows the chat's event stream, reconnecting with Last-Event-ID."""

    server: Server
    chat_id: int
    events: list[tuple[int, str, str]] = field(default_factory=list)
    reconnects: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def last_id(self) -> int:
        return self.events[-1][0] if self.events else 0

    def run(self) -> None:
        deadline = time.monotonic() + BOUND_SECONDS + 30
        url = f"{self.server.base_url}/api/v1/chats/{self.chat_id}/events"
        while not self.stop.is_set() and time.monotonic() < deadline:
            # Always a resume point (0 = from the first event): without one a stream starts now.
            headers = {"Last-Event-ID": str(self.last_id)}
            try:
                with httpx.stream("GET", url, headers=headers, timeout=2) as response:
                    self._read(response)
            except httpx.TransportError:
                pass
            self.reconnects += 1
            time.sleep(0.05)

    def _read(self, response: httpx.Response) -> None:
        event_id, event_type = 0, ""
        for line in response.iter_lines():
            if self.stop.is_set():
                return
            if line.startswith("id: "):
                event_id = int(line[4:])
            elif line.startswith("event: "):
                event_type = line[7:]
            elif line.startswith("data: "):
                self.events.append((event_id, event_type, line[6:]))


def _stored(database_url: str, chat_id: int) -> tuple[dict[int, str], list[int], int]:
    """Posts (id -> text), post ids in event order, and the newest event id of the chat."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            posts = dict(
                connection.execute(
                    sa.select(PostRow.id, PostRow.text).where(PostRow.chat_id == chat_id)
                ).all()
            )
            rows = connection.execute(
                sa.select(EventRow.id, EventRow.type, EventRow.data)
                .where(EventRow.chat_id == chat_id)
                .order_by(EventRow.id)
            ).all()
    finally:
        engine.dispose()
    post_ids = [json.loads(data)["id"] for _id, type_, data in rows if type_ == "post"]
    return posts, post_ids, rows[-1][0]


def _wait_for(condition: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not reached within {seconds} s")


def test_killed_server_keeps_every_acknowledged_post_and_viewers_end_exact(
    server: Server,
) -> None:
    token, chat_id = _seed(server.database_url)
    server.start()
    poster, viewer = Poster(server, token, chat_id), Viewer(server, chat_id)
    threads = [threading.Thread(target=poster.run), threading.Thread(target=viewer.run)]
    for thread in threads:
        thread.start()
    try:
        _wait_for(lambda: len(poster.acked) >= ACKS_BEFORE_KILL, 30)
        server.kill()
        acked_at_kill = len(poster.acked)
        server.start()  # the same database, the same port
        _wait_for(lambda: len(poster.acked) >= acked_at_kill + ACKS_AFTER_RESTART, 30)
    finally:
        poster.stop.set()
        threads[0].join(timeout=30)
    posts, post_ids_in_order, newest = _stored(server.database_url, chat_id)
    try:
        _wait_for(lambda: viewer.last_id >= newest, 30)
    finally:
        viewer.stop.set()
        threads[1].join(timeout=30)

    assert poster.failures >= 1, "the kill should have interrupted the posting"
    for n, post_id in poster.acked.items():
        assert posts.get(post_id) == f"A1 durable {n}"
    texts = list(posts.values())
    assert len(texts) == len(set(texts)), "a retried post was stored twice"
    seen_ids = [event_id for event_id, _type, _data in viewer.events]
    assert seen_ids == sorted(set(seen_ids)), "the viewer got an event twice or out of order"
    seen_posts = [json.loads(data)["id"] for _id, type_, data in viewer.events if type_ == "post"]
    assert seen_posts == post_ids_in_order
    assert sorted(seen_posts) == sorted(posts)
    assert viewer.reconnects >= 1
