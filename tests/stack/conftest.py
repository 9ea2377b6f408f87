"""The scaled stack for tests: a fresh PostgreSQL database, a private Redis, `hashchat stack up`."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from stack_support import HASHCHAT, PrivateRedis, Stack, free_port, reap_restarted_apps

from ci_support import skip_or_fail
from hashchat.stack.nginx import NCHAN_MODULES
from hashchat.stack.processes import StackState


@pytest.fixture(scope="module")
def stack(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Two app processes, nginx + nchan, a fresh PostgreSQL database and a private Redis."""
    yield from running_stack(pg_url, tmp_path_factory, {"--workers": "2"})


@pytest.fixture(scope="module")
def redis_stored_stack(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One app process behind nginx + nchan keeping its channels in Redis (nchan_redis_pass)."""
    yield from running_stack(pg_url, tmp_path_factory, {"--workers": "1", "--nchan-redis": ""})


@pytest.fixture(scope="module")
def own_stack(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack for one test module alone (a test there may reset its database)."""
    yield from running_stack(pg_url, tmp_path_factory, {"--workers": "2"})


def running_stack(
    pg_url: str, tmp_path_factory: pytest.TempPathFactory, extra: dict[str, str]
) -> Iterator[Stack]:
    """A stack on a fresh database and a private Redis, stopped and dropped afterwards."""
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").is_file():
        skip_or_fail("nginx is not installed (apt-get install nginx libnginx-mod-nchan)")
    if not any(path.is_file() for path in NCHAN_MODULES):
        skip_or_fail("the nchan module is not installed (apt-get install libnginx-mod-nchan)")
    if shutil.which("redis-server") is None:
        skip_or_fail("redis-server is not installed (apt-get install redis-server)")
    base = tmp_path_factory.mktemp("stack")
    name = f"hashchat_stack_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    database_url = sa.make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    (base / "redis").mkdir()
    redis = PrivateRedis(free_port(), base / "redis")
    redis.start()
    env = {
        **os.environ,
        "HASHCHAT_POST_RATE": "100000/1",
        "HASHCHAT_LOGIN_FAILURE_RATE": "100000/1",
        "HASHCHAT_CADENCE_TICK": "0.2",
        # Pacing of nchan publications, shorter than the 0.1 s default so that tests which
        # need one message per post (resume points, buffer overflow) can space their posts
        # by PUBLISH_SPACING without taking long.
        "HASHCHAT_NCHAN_INTERVAL": "0.05",
    }
    run_dir = base / "run"
    stack: Stack | None = None
    try:
        subprocess.run(
            [*HASHCHAT, "users", "add", "host", "--password-stdin", "--db", database_url],
            input=b"stack test password\n",
            env=env,
            check=True,
            capture_output=True,
        )
        token = subprocess.run(
            [*HASHCHAT, "users", "token", "host", "--db", database_url],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        port = free_port()
        options = {
            **extra,
            "--db": database_url,
            "--redis": redis.url,
            "--port": str(port),
            "--run-dir": str(run_dir),
            "--buffer-length": "50",
            "--nginx-workers": "2",
        }
        started = subprocess.run(
            [
                *HASHCHAT,
                "stack",
                "up",
                *(part for pair in options.items() for part in pair if part),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert started.returncode == 0, started.stderr
        assert started.stdout.strip() == f"http://127.0.0.1:{port}"
        state = StackState.load(run_dir)
        assert state is not None
        stack = Stack(
            front=started.stdout.strip(),
            app_urls=tuple(f"http://127.0.0.1:{p}" for p in state.app_ports),
            app_pids=list(state.app_pids),
            run_dir=run_dir,
            database_url=database_url,
            token=token,
            redis=redis,
        )
        yield stack
    finally:
        stopped = subprocess.run(
            [*HASHCHAT, "stack", "down", "--run-dir", str(run_dir)],
            capture_output=True,
            text=True,
            check=False,
        )
        if stack is not None:
            reap_restarted_apps(stack)  # stack down stopped them; their parent is this process
        redis.stop()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        assert stopped.returncode == 0 or "no stack is recorded" in stopped.stderr
