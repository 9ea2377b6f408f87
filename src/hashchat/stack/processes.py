"""Starting and stopping the stack: app processes and nginx, recorded in a run directory.

`up` migrates the database once, starts each `hashchat serve` in its own session (so it
outlives the command that started it), renders the nginx config, starts nginx as a daemon
with the run directory as its prefix, waits until the front answers, and writes
`stack.json` (pids, ports, front URL). `down` reads it back and stops everything.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from hashchat.settings import Settings
from hashchat.stack.nginx import (
    BODY_LIMITS,
    NginxValues,
    StackError,
    nginx_binary,
    render_config,
)

# The app processes this process started: kept so that they are reaped (no zombies) when
# this same process stops them, and so that a running child is never garbage-collected.
_STARTED: dict[int, subprocess.Popen[bytes]] = {}

STATE_FILE = "stack.json"
NGINX_CONF = "nginx.conf"
START_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class StackOptions:
    """What `hashchat stack up` was asked for."""

    run_dir: Path
    database_url: str
    redis_url: str | None
    workers: int = 2
    host: str = "127.0.0.1"
    port: int = 8080
    buffer_length: int = 1000
    message_seconds: int = 3600
    nchan_redis: bool = False
    nginx_workers: str = "auto"


@dataclass(frozen=True, slots=True)
class StackState:
    """What is running, as recorded in `stack.json`."""

    front_url: str
    publish_url: str
    app_pids: tuple[int, ...]
    app_ports: tuple[int, ...]
    nginx_pid: int

    @classmethod
    def load(cls, run_dir: Path) -> StackState | None:
        """The recorded stack of `run_dir`, None when nothing is recorded there."""
        path = run_dir / STATE_FILE
        if not path.is_file():
            return None
        data = json.loads(path.read_text())
        return cls(
            front_url=data["front_url"],
            publish_url=data["publish_url"],
            app_pids=tuple(data["app_pids"]),
            app_ports=tuple(data["app_ports"]),
            nginx_pid=int(data["nginx_pid"]),
        )

    def save(self, run_dir: Path) -> None:
        """Record the stack in `run_dir`."""
        (run_dir / STATE_FILE).write_text(json.dumps(asdict(self), indent=2) + "\n")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def is_alive(pid: int) -> bool:
    """True while process `pid` exists and is not a zombie."""
    child = _STARTED.get(pid)
    if child is not None and child.poll() is not None:
        return False
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return status.rsplit(")", 1)[-1].split()[0] != "Z"


def app_command(options: StackOptions, port: int, publish_url: str) -> list[str]:
    """The `hashchat serve` command of one app process."""
    command = [
        sys.executable,
        "-c",
        "import sys; from hashchat.cli import main; sys.argv[0] = 'hashchat'; main()",
        "serve",
        "--db",
        options.database_url,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--fanout",
        "nchan",
        "--nchan-publish",
        publish_url,
    ]
    if options.redis_url:
        command += ["--redis", options.redis_url]
    return command


def start_app(options: StackOptions, index: int, port: int, publish_url: str) -> int:
    """Start app process `index` on `port`, detached, logging to the run directory."""
    env = {
        **os.environ,
        "HASHCHAT_NCHAN_BUFFER": str(options.buffer_length),
        "HASHCHAT_NCHAN_MESSAGE_SECONDS": str(options.message_seconds),
        # Our own nginx, on loopback, is the only proxy whose X-Forwarded-For is believed.
        "HASHCHAT_TRUSTED_PROXIES": "127.0.0.1",
    }
    with (options.run_dir / f"app-{index}.log").open("ab") as log:
        process = subprocess.Popen(
            app_command(options, port, publish_url),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env=env,
            start_new_session=True,
        )
    _STARTED[process.pid] = process
    return process.pid


def start_nginx(run_dir: Path) -> int:
    """Check and start nginx on the rendered config; its pid (from nginx.pid)."""
    nginx = nginx_binary()
    (run_dir / "tmp").mkdir(exist_ok=True)
    command = [nginx, "-p", str(run_dir), "-c", str(run_dir / NGINX_CONF)]
    checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True, check=False)
    if checked.returncode != 0:
        raise StackError(f"nginx refuses the config: {checked.stderr.strip()}")
    started = subprocess.run(command, capture_output=True, text=True, check=False)
    if started.returncode != 0:
        raise StackError(f"nginx did not start: {started.stderr.strip()}")
    pid_file = run_dir / "nginx.pid"
    deadline = time.monotonic() + 10
    while not pid_file.is_file():
        if time.monotonic() > deadline:
            raise StackError("nginx started but wrote no pid file")
        time.sleep(0.05)
    return int(pid_file.read_text().strip())


def wait_until_answering(url: str, pids: tuple[int, ...], seconds: float) -> None:
    """Poll `url` until it answers 200; a StackError if a process dies or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        dead = [pid for pid in pids if not is_alive(pid)]
        if dead:
            raise StackError(f"process {dead[0]} exited while starting (see the run directory)")
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise StackError(f"{url} did not answer within {seconds:.0f} s (see the run directory)")


def up(options: StackOptions) -> StackState:
    """Start the stack (see the module docstring); the database must be migrated first."""
    options.run_dir.mkdir(parents=True, exist_ok=True)
    running = StackState.load(options.run_dir)
    if running is not None and any(map(is_alive, (*running.app_pids, running.nginx_pid))):
        raise StackError(f"a stack already runs from {options.run_dir}; stop it with stack down")
    publish_port = free_port()
    publish_url = f"http://127.0.0.1:{publish_port}/pub"
    ports = tuple(free_port() for _ in range(options.workers))
    limits = Settings.from_env({k: v for k, v in os.environ.items() if k in BODY_LIMITS})
    values = NginxValues(
        front_host=options.host,
        front_port=options.port,
        publish_port=publish_port,
        app_ports=ports,
        buffer_length=options.buffer_length,
        message_seconds=options.message_seconds,
        worker_processes=options.nginx_workers,
        nchan_redis_url=options.redis_url if options.nchan_redis else None,
        # The app processes inherit this environment: nginx refuses what they would refuse.
        max_body_bytes=limits.max_body_bytes,
        max_upload_bytes=limits.max_upload_bytes,
    )
    (options.run_dir / NGINX_CONF).write_text(render_config(values))
    pids: list[int] = []
    nginx_pid = 0
    try:
        for index, port in enumerate(ports):
            pids.append(start_app(options, index, port, publish_url))
        for port in ports:
            wait_until_answering(
                f"http://127.0.0.1:{port}/openapi.json", tuple(pids), START_SECONDS
            )
        nginx_pid = start_nginx(options.run_dir)
        front = f"http://{options.host}:{options.port}"
        wait_until_answering(f"{front}/openapi.json", (nginx_pid,), 15)
    except BaseException:
        stop_processes(tuple(pids), nginx_pid)
        raise
    state = StackState(front, publish_url, tuple(pids), ports, nginx_pid)
    state.save(options.run_dir)
    return state


def _signal(pid: int, sig: signal.Signals) -> None:
    if pid > 0 and is_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def stop_processes(app_pids: tuple[int, ...], nginx_pid: int, seconds: float = 10.0) -> None:
    """SIGTERM the apps and nginx, then SIGKILL whatever remains."""
    for pid in app_pids:
        _signal(pid, signal.SIGTERM)
    _signal(nginx_pid, signal.SIGTERM)  # fast: a graceful quit waits for every viewer
    deadline = time.monotonic() + seconds
    everyone = (*app_pids, nginx_pid)
    while time.monotonic() < deadline and any(is_alive(p) for p in everyone if p > 0):
        time.sleep(0.05)
    for pid in everyone:
        _signal(pid, signal.SIGKILL)
    for pid in app_pids:
        child = _STARTED.pop(pid, None)
        if child is not None:
            child.wait(seconds)


def down(run_dir: Path) -> StackState:
    """Stop the stack recorded in `run_dir` and forget it."""
    state = StackState.load(run_dir)
    if state is None:
        raise StackError(f"no stack is recorded in {run_dir}")
    stop_processes(state.app_pids, state.nginx_pid)
    (run_dir / STATE_FILE).unlink(missing_ok=True)
    return state
