"""Helpers of the stack tests: a private Redis, the running stack, a live chat.

The Redis is private (its own port and directory, append-only file on) because a test
restarts it; the machine's shared Redis is never stopped.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis
import sqlalchemy as sa

HASHCHAT = [sys.executable, "-c", "import sys; from hashchat.cli import main; main()"]
# The stacks publish at most one nchan message per chat per 0.05 s (HASHCHAT_NCHAN_INTERVAL
# in conftest); posts this far apart go out as one message each.
PUBLISH_SPACING = 0.08


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PrivateRedis:
    """A redis-server of our own that a test may stop and start again."""

    port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@dataclass
class Stack:
    """A running stack and what the tests need to drive it."""

    front: str
    app_urls: tuple[str, ...]
    app_pids: list[int]
    run_dir: Path
    database_url: str
    token: str
    redis: PrivateRedis
    # App processes this test process started (restart_dead_apps): its children, which it must
    # reap itself once they stop (reap_restarted_apps), or they stay zombies and their Popen
    # objects warn "subprocess … is still running" when the interpreter exits.
    started_here: list[int] = field(default_factory=list)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def new_chat(stack: Stack, questions: list[str], tag: str) -> int:
    """A live chat in a new series, made through the front."""
    with httpx.Client(base_url=f"{stack.front}/api/v1", headers=stack.auth, timeout=10) as api:
        api.post(
            "/series",
            json={"tag": tag, "title": tag, "timezone": "UTC", "char_rule": "plain"}
            | {"char_limit": 500},
        ).raise_for_status()
        chat = api.post(
            f"/series/{tag}/chats",
            json={
                "title": "Scaled",
                "starts_at": "2026-01-01T00:00:00Z",
                "duration_minutes": 60,
                "questions": questions,
            },
        )
        chat.raise_for_status()
        chat_id = int(chat.json()["id"])
        api.post(f"/chats/{chat_id}/start").raise_for_status()
    return chat_id


def alive(pid: int) -> bool:
    """True while `pid` runs (a killed child stays a zombie until reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def restart_dead_apps(stack: Stack) -> None:
    """Start again, on its old port, every app process a test killed; record the new pids."""
    from hashchat.stack.processes import StackOptions, StackState, start_app

    state = StackState.load(stack.run_dir)
    assert state is not None
    options = StackOptions(stack.run_dir, stack.database_url, stack.redis.url)
    for index, (url, pid) in enumerate(zip(stack.app_urls, stack.app_pids, strict=True)):
        if alive(pid):
            continue
        stack.app_pids[index] = start_app(
            options, index, int(url.rsplit(":", 1)[1]), state.publish_url
        )
        stack.started_here.append(stack.app_pids[index])
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"app process {index} did not come back"
            time.sleep(0.1)
    StackState(
        state.front_url, state.publish_url, tuple(stack.app_pids), state.app_ports, state.nginx_pid
    ).save(stack.run_dir)


def reap_restarted_apps(stack: Stack) -> None:
    """Stop (if still running) and wait for every app process restart_dead_apps started here."""
    from hashchat.stack.processes import stop_processes

    stop_processes(tuple(stack.started_here), 0)
    stack.started_here.clear()


def stop_nginx(stack: Stack) -> None:
    """Stop the stack's nginx (fast shutdown) and wait until it is gone."""
    pid = int((stack.run_dir / "nginx.pid").read_text())
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while alive(pid):
        assert time.monotonic() < deadline, "nginx did not stop"
        time.sleep(0.05)


def start_nginx(stack: Stack) -> None:
    """Start nginx again on the stack's config, wait for the front, record the new pid."""
    from hashchat.stack.processes import StackState
    from hashchat.stack.processes import start_nginx as start

    state = StackState.load(stack.run_dir)
    assert state is not None
    pid = start(stack.run_dir)
    deadline = time.monotonic() + 15
    while True:
        try:
            if httpx.get(f"{stack.front}/openapi.json", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the front did not come back"
        time.sleep(0.1)
    StackState(state.front_url, state.publish_url, state.app_pids, state.app_ports, pid).save(
        stack.run_dir
    )


def wait_until(condition: Callable[[], bool], seconds: float) -> None:
    """Wait until `condition()` holds, looking every 20 ms; AssertionError after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not true within {seconds} s: {condition}"
        time.sleep(0.02)


def _nchan_key(stack: Stack, chat_id: int, part: str) -> str:
    engine = sa.create_engine(stack.database_url, poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            database = connection.execute(sa.text("SELECT id FROM database_identity")).scalar()
    finally:
        engine.dispose()
    return f"hashchat:nchan:{database}:{chat_id}:{part}"


def messages(stack: Stack, chat_id: int) -> list[tuple[int, int]]:
    """(first, last) event of each message the publisher mapped for the chat, oldest first
    (a marker, which carries no event, is (cursor + 1, cursor))."""
    client = redis.Redis.from_url(stack.redis.url)
    try:
        rows = client.zrange(_nchan_key(stack, chat_id, "ids"), 0, -1, withscores=True)
    finally:
        client.close()
    return [(int(member.decode().partition("|")[0]), int(score)) for member, score in rows]


def mapped_floor(stack: Stack, chat_id: int) -> int:
    """Every event of the chat at or below this has left nchan's buffer (or was never in it)."""
    client = redis.Redis.from_url(stack.redis.url)
    try:
        value = client.hget(_nchan_key(stack, chat_id, "meta"), "floor")
    finally:
        client.close()
    return int(value or 0)
