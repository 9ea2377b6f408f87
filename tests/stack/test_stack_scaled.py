"""The scaled stack over HTTP: two app processes, nginx + nchan, PostgreSQL and Redis.

Run alone with `pytest tests/stack -p no:xdist` if the machine is busy (about a minute).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sse_viewer import Event, Viewer
from stack_support import (
    PUBLISH_SPACING,
    Stack,
    alive,
    mapped_floor,
    new_chat,
    restart_dead_apps,
    start_nginx,
    stop_nginx,
    wait_until,
)

pytestmark = [pytest.mark.pg, pytest.mark.redis]


def post(base: str, stack: Stack, chat_id: int, text: str) -> httpx.Response:
    return httpx.post(
        f"{base}/api/v1/chats/{chat_id}/posts", json={"text": text}, headers=stack.auth, timeout=10
    )


def texts(events: list[Event]) -> list[str]:
    return [e.data["text"] for e in events if e.type == "post" and "text" in e.data]


def numbered(events: list[Event]) -> list[str]:
    return [text for text in texts(events) if "number" in text]


def test_posts_through_either_app_reach_every_front_viewer_in_order(stack: Stack) -> None:
    restart_dead_apps(stack)  # tests may run in any order (xdist)
    chat_id = new_chat(stack, ["One?"], "ScaledOrder")
    stream = f"{stack.front}/api/v1/chats/{chat_id}/events"
    # From the chat's start (no resume point would start at the present).
    viewers = [Viewer(f"{stream}?after=0"), Viewer(f"{stream}?after=0")]
    try:
        for viewer in viewers:  # the chat's start and welcome are already in nchan's buffer
            viewer.wait_for(lambda events: len(events) >= 1, 10)
        sent = [f"A1 number {n}" for n in range(20)]
        for n, text in enumerate(sent):
            # Alternate between the two app processes, bypassing nginx for the posts.
            assert post(stack.app_urls[n % 2], stack, chat_id, text).status_code == 201
        for viewer in viewers:
            events = viewer.wait_for(
                lambda ev: len([t for t in texts(ev) if "number" in t]) >= 20, 15
            )
            ids = [e.id for e in events]
            assert None not in ids
            assert ids == sorted(set(ids)), "ids increase, nothing repeated"
            assert numbered(events) == sent
    finally:
        for viewer in viewers:
            viewer.close()


def test_last_event_id_resumes_with_nothing_missed_or_repeated(stack: Stack) -> None:
    restart_dead_apps(stack)  # tests may run in any order (xdist)
    chat_id = new_chat(stack, ["One?"], "ScaledResume")
    stream = f"{stack.front}/api/v1/chats/{chat_id}/events"
    for n in range(10):
        assert post(stack.front, stack, chat_id, f"A1 early {n}").status_code == 201
        time.sleep(PUBLISH_SPACING)  # one message each: any of them is a place to resume
    full = Viewer(f"{stream}?after=0")
    try:
        everything = full.wait_for(lambda ev: len([t for t in texts(ev) if "early" in t]) == 10, 10)
    finally:
        full.close()
    middle = everything[len(everything) // 2]
    assert middle.id is not None
    resumed = Viewer(stream, {"Last-Event-ID": str(middle.id)})
    try:
        for n in range(3):  # and live ones after the replay, through the other app
            assert post(stack.app_urls[1], stack, chat_id, f"A1 late {n}").status_code == 201
        got = resumed.wait_for(lambda ev: len([t for t in texts(ev) if "late" in t]) == 3, 10)
    finally:
        resumed.close()
    expected = [e.id for e in everything if e.id is not None and e.id > middle.id]
    assert [e.id for e in got][: len(expected)] == expected
    assert [t for t in texts(got) if "late" in t] == [f"A1 late {n}" for n in range(3)]
    ids = [e.id for e in got]
    assert ids == sorted(set(ids))


def test_a_page_loaded_in_a_busy_chat_streams_on_without_resync(stack: Stack) -> None:
    """The page shows events up to its `last_event_id`; posts keep coming faster than the
    publisher's pacing. Its stream must start right after that id, not `resync` (which a
    message holding the id and later events would force)."""
    restart_dead_apps(stack)  # tests may run in any order (xdist)
    chat_id = new_chat(stack, ["One?"], "ScaledBusyPage")
    stream = f"{stack.front}/api/v1/chats/{chat_id}/events"
    stop = threading.Event()

    def flood() -> None:
        n = 0
        while not stop.is_set():
            post(stack.app_urls[n % 2], stack, chat_id, f"A1 busy {n}")
            n += 1

    poster = threading.Thread(target=flood, daemon=True)
    poster.start()
    try:
        time.sleep(0.3)
        for _ in range(20):
            chat = httpx.get(f"{stack.front}/api/v1/chats/{chat_id}", timeout=5).json()
            after = chat["last_event_id"]
            viewer = Viewer(f"{stream}?after={after}")
            try:
                first = viewer.wait_for(lambda ev: len(ev) >= 1, 10)[0]
            finally:
                viewer.close()
            assert first.type == "post", first
            assert first.id is not None
            assert first.id > after
            time.sleep(0.05)
    finally:
        stop.set()
        poster.join(10)


def test_a_stream_without_a_resume_point_starts_at_the_present(stack: Stack) -> None:
    restart_dead_apps(stack)  # tests may run in any order (xdist)
    chat_id = new_chat(stack, ["One?"], "ScaledPresent")
    for n in range(5):
        assert post(stack.front, stack, chat_id, f"A1 history {n}").status_code == 201
    viewer = Viewer(f"{stack.front}/api/v1/chats/{chat_id}/events")
    try:
        # Connected once the frame with the present id came (no data: no event).
        viewer.wait_for(lambda _: viewer.last_id is not None, 10)
        assert post(stack.front, stack, chat_id, "A1 now").status_code == 201
        got = viewer.wait_for(lambda ev: "A1 now" in texts(ev), 10)
    finally:
        viewer.close()
    assert texts(got) == ["A1 now"], "no history, only what happened after joining"


def test_a_viewer_further_back_than_the_buffer_gets_resync(stack: Stack) -> None:
    restart_dead_apps(stack)  # tests may run in any order (xdist)
    chat_id = new_chat(stack, ["One?"], "ScaledResync")
    first = None
    for n in range(200):  # the stack keeps 50 messages per chat
        reply = post(stack.front, stack, chat_id, f"A1 flood {n}")
        assert reply.status_code == 201
        time.sleep(PUBLISH_SPACING)  # one message each, unless the box is slow: then more
        if n >= 55 and mapped_floor(stack, chat_id) > 1:
            break
    assert mapped_floor(stack, chat_id) > 1, "event 1's message left nchan's buffer"
    viewer = Viewer(f"{stack.front}/api/v1/chats/{chat_id}/events", {"Last-Event-ID": "1"})
    try:
        first = viewer.wait_for(lambda ev: len(ev) >= 1, 10)[0]
    finally:
        viewer.close()
    assert first.type == "resync"
    assert first.id is None


def _cadence_holder(stack: Stack, chat_id: int) -> int:
    """The pid of the app process whose database session holds the chat's cadence lock."""
    engine = sa.create_engine(stack.database_url)
    try:
        with engine.connect() as connection:
            port = connection.execute(
                sa.text(
                    "SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
                    # pg_locks is cluster-wide: another database's chat may have this id.
                    "AND l.database = (SELECT oid FROM pg_database "
                    "WHERE datname = current_database()) "
                    "AND l.objid = :chat AND l.classid = "
                    "((hashtext(current_schema() || '/cadence'))::bigint & 4294967295)::oid"
                ),
                {"chat": chat_id},
            ).scalar()
    finally:
        engine.dispose()
    assert port is not None, "no app process holds the chat's cadence lock"
    return _pid_with_local_port(stack.app_pids, int(port))


def _pid_with_local_port(pids: list[int], port: int) -> int:
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    for pid in pids:
        if not alive(pid):
            continue  # a killed process
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return pid
    raise AssertionError(f"no app process has a connection from port {port}")


def test_cadence_moves_to_the_other_process_when_its_holder_is_killed(stack: Stack) -> None:
    restart_dead_apps(stack)  # tests may run in any order (xdist)
    questions = [f"Question {n}?" for n in range(1, 7)]
    chat_id = new_chat(stack, questions, "ScaledCadence")
    # NullPool: each connection closes when its block ends, even if the test fails before dispose.
    engine = sa.create_engine(stack.database_url, poolclass=sa.NullPool)
    with engine.begin() as connection:
        # The plan's minutes, squeezed into seconds: Q1 in 1 s, then one every 1.5 s.
        connection.execute(
            sa.text(
                "UPDATE cadence_items SET due_at = now() + make_interval(secs => "
                "CASE WHEN kind = 'question' THEN 1 + 1.5 * (question_number - 1) "
                "WHEN kind = 'close' THEN 3600 ELSE 0 END) "
                "WHERE chat_id = :chat AND state = 'pending'"
            ),
            {"chat": chat_id},
        )
    viewer = Viewer(f"{stack.front}/api/v1/chats/{chat_id}/events?after=0")
    try:
        viewer.wait_for(lambda ev: any(e.type == "question" for e in ev), 15)
        holder = _cadence_holder(stack, chat_id)
        os.kill(holder, signal.SIGKILL)
        killed_at = time.monotonic()
        events = viewer.wait_for(lambda ev: sum(e.type == "question" for e in ev) >= 6, 30)
        took = time.monotonic() - killed_at
    finally:
        viewer.close()
    asked = [e.data["number"] for e in events if e.type == "question"]
    assert asked == [1, 2, 3, 4, 5, 6], "every question once, in order"
    assert took < 15
    with engine.connect() as connection:
        counts = connection.execute(
            sa.text("SELECT count(*) FROM events WHERE chat_id = :chat AND type = 'question'"),
            {"chat": chat_id},
        ).scalar()
    engine.dispose()
    assert counts == 6
    assert _cadence_holder(stack, chat_id) != holder


def _alive_app(stack: Stack) -> str:
    for url, pid in zip(stack.app_urls, stack.app_pids, strict=True):
        if alive(pid):
            return url
    raise AssertionError("no app process is alive")


def test_nginx_restart_fails_fast_and_recovers_without_losing_events(stack: Stack) -> None:
    restart_dead_apps(stack)  # tests may run in any order (xdist)
    chat_id = new_chat(stack, ["One?"], "ScaledNginx")
    stream = f"{stack.front}/api/v1/chats/{chat_id}/events"
    assert post(stack.front, stack, chat_id, "A1 before").status_code == 201
    viewer = Viewer(f"{stream}?after=0")
    try:
        seen = viewer.wait_for(lambda ev: "A1 before" in texts(ev), 10)
    finally:
        viewer.close()
    last_seen = seen[-1].id
    stop_nginx(stack)
    started = time.monotonic()
    with pytest.raises(httpx.ConnectError):  # refused at once, never a hang
        httpx.get(f"{stack.front}/api/v1/chats/{chat_id}", timeout=5)
    assert time.monotonic() - started < 2
    # The app still takes posts; their publication waits for nchan.
    assert post(_alive_app(stack), stack, chat_id, "A1 while nginx is down").status_code == 201
    start_nginx(stack)
    resumed = Viewer(stream, {"Last-Event-ID": str(last_seen)})
    try:
        assert post(stack.front, stack, chat_id, "A1 after").status_code == 201
        got = resumed.wait_for(lambda ev: "A1 after" in texts(ev), 15)
    finally:
        resumed.close()
    assert texts(got) == ["A1 while nginx is down", "A1 after"]


def test_redis_restart_gives_503_with_a_reason_then_recovers(stack: Stack) -> None:
    restart_dead_apps(stack)  # tests may run in any order (xdist)
    chat_id = new_chat(stack, ["One?"], "ScaledRedis")
    stream = f"{stack.front}/api/v1/chats/{chat_id}/events"
    stack.redis.stop()
    try:
        started = time.monotonic()
        refused = post(stack.front, stack, chat_id, "A1 while Redis is down")
        assert time.monotonic() - started < 5
        assert refused.status_code == 503
        assert "Redis" in refused.json()["detail"]
        assert httpx.get(f"{stack.front}/api/v1/chats/{chat_id}", timeout=5).status_code == 200
        no_stream = httpx.get(stream, timeout=5)
        assert no_stream.status_code == 503
        assert "live updates are unavailable" in no_stream.json()["detail"]
    finally:
        stack.redis.start()
    deadline = time.monotonic() + 15
    while (reply := post(stack.front, stack, chat_id, "A1 Redis is back")).status_code != 201:
        assert reply.status_code == 503
        assert time.monotonic() < deadline, "posting did not recover"
        time.sleep(0.2)
    viewer = Viewer(f"{stream}?after=0")
    try:
        got = viewer.wait_for(lambda ev: "A1 Redis is back" in texts(ev), 15)
    finally:
        viewer.close()
    assert texts(got)[-1] == "A1 Redis is back"
    assert "A1 while Redis is down" not in texts(got)


def test_no_app_process_answering_is_a_503_with_a_reason(stack: Stack) -> None:
    for pid in stack.app_pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    try:
        wait_until(lambda: not any(alive(pid) for pid in stack.app_pids), 10)
        reply = httpx.get(f"{stack.front}/api/v1/chats/1", timeout=10)
        assert reply.status_code == 503
        assert "no hashchat app process answers" in reply.json()["detail"]
    finally:
        restart_dead_apps(stack)
