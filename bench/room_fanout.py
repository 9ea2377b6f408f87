"""Live room fan-out: 1,000 viewers on one chat's event stream while posts arrive at 20/s.

Starts `hashchat serve` on a temporary SQLite database on a free port of 127.0.0.1, creates a
user, a token, a series and a live chat through the CLI and the API, runs the shared harness
(`fanout.py`, see its README) against the chat's stream, then runs the same load against the
bare `ceiling_server.py` and prints both and the ratios.

Rate limits are Settings values; the bench passes generous ones through the environment
(HASHCHAT_POST_RATE, HASHCHAT_LOGIN_FAILURE_RATE) so that they do not throttle the poster.

    .venv/bin/python bench/room_fanout.py [--viewers 1000 --messages 200 --rate 20]
        [--harness /work/shared/bench]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

HASHCHAT = [str(Path(sys.executable).parent / "hashchat")]
DEFAULT_HARNESS = Path(os.environ.get("HASHCHAT_BENCH_HARNESS", "/work/shared/bench"))
SHOWN = [
    "connected",
    "received",
    "lost",
    "dup",
    "dropped",
    "lat_p50",
    "lat_p90",
    "lat_p99",
    "lat_max",
    "post_p50",
    "post_p99",
    "deliveries_per_s",
    "cpu_server_pct",
    "cpu_client_pct",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on port {port} after {seconds} s")


def run_harness(
    harness: Path,
    args: argparse.Namespace,
    stream: str,
    post: str,
    pid: int,
    extra: list[str],
    out: Path,
) -> dict[str, Any]:
    command = [
        sys.executable,
        str(harness / "fanout.py"),
        "--stream-url",
        stream,
        "--post-url",
        post,
        "--viewers",
        str(args.viewers),
        "--messages",
        str(args.messages),
        "--rate",
        str(args.rate),
        "--server-pid",
        str(pid),
        "--json-out",
        str(out),
        *extra,
    ]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return dict(json.loads(out.read_text()))


def bench_hashchat(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    db = f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = {
        **os.environ,
        "HASHCHAT_DATABASE_URL": db,
        "HASHCHAT_POST_RATE": "1000000/1",
        "HASHCHAT_LOGIN_FAILURE_RATE": "1000000/1",
    }
    subprocess.run(
        [*HASHCHAT, "users", "add", "bench", "--password-stdin"],
        input=b"bench password\n",
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    token = subprocess.run(
        [*HASHCHAT, "users", "token", "bench"], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    port = free_port()
    server = subprocess.Popen([*HASHCHAT, "serve", "--port", str(port)], env=env)
    try:
        wait_for_port(port, server)
        base = f"http://127.0.0.1:{port}/api/v1"
        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=auth) as api:
            api.post(
                "/series",
                json={
                    "tag": "Bench",
                    "title": "Bench",
                    "timezone": "UTC",
                    "char_rule": "plain",
                    "char_limit": 500,
                },
            ).raise_for_status()
            chat = api.post(
                "/series/Bench/chats",
                json={
                    "title": "Fan-out",
                    "starts_at": "2026-01-01T00:00:00Z",
                    "duration_minutes": 60,
                    "questions": ["One?"],
                },
            ).json()
            api.post(f"/chats/{chat['id']}/start").raise_for_status()
        return run_harness(
            args.harness,
            args,
            f"{base}/chats/{chat['id']}/events",
            f"{base}/chats/{chat['id']}/posts",
            server.pid,
            [
                "--header",
                f"Authorization: Bearer {token}",
                "--post-json",
                '{"text": "A1 seq={seq} t={t}"}',
            ],
            workdir / "hashchat.json",
        )
    finally:
        server.terminate()
        server.wait(10)


def bench_ceiling(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(args.harness / "ceiling_server.py"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, server)
        base = f"http://127.0.0.1:{port}"
        return run_harness(
            args.harness,
            args,
            f"{base}/stream",
            f"{base}/post",
            server.pid,
            [],
            workdir / "ceiling.json",
        )
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--viewers", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--harness", type=Path, default=DEFAULT_HARNESS)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    if not (args.harness / "fanout.py").is_file():
        raise SystemExit(f"no fanout.py in {args.harness}; pass --harness DIR")
    with tempfile.TemporaryDirectory(prefix="hashchat-bench-") as tmp:
        ours = bench_hashchat(args, Path(tmp))
        ceiling = bench_ceiling(args, Path(tmp))
    print(
        f"# {args.viewers} viewers, {args.messages} posts at {args.rate}/s; "
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"{'':18}{'hashchat':>12}{'ceiling':>12}{'ratio':>8}")
    for key in SHOWN:
        a, b = ours.get(key), ceiling.get(key)
        ratio = (
            f"{a / b:.2f}"
            if isinstance(a, int | float) and isinstance(b, int | float) and b
            else "-"
        )
        print(f"{key:18}{a!s:>12}{b!s:>12}{ratio:>8}")
    if args.json_out:
        args.json_out.write_text(json.dumps({"hashchat": ours, "ceiling": ceiling}, indent=2))


if __name__ == "__main__":
    main()
