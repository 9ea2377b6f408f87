"""hashchat's load generator: V viewers on one chat's event stream while posts arrive at R/s.

Every mode starts its own servers on free loopback ports and stops them afterwards.

    loadgen.py inprocess [--viewers 2000 --messages 200 --rate 20]
        one `hashchat serve` (SQLite, in-process fan-out), then the bare ceiling server
        (`ceiling_server.py`) under the same load; prints both and the ratios.
    loadgen.py stack --db POSTGRES_URL --redis REDIS_URL [--viewers 5000 ...]
               [--with-nchan] [--reps N] [--nginx-workers auto|N] [--prior N]
        `hashchat stack up --workers 2` (two app processes, nginx + nchan); posts go through
        the front to the app processes, streams come from nchan. Server CPU is the sum over
        nginx (master and workers) and both app processes. `--with-nchan` runs the bare
        nginx + nchan yardstick (`engines/nginx-nchan.conf` of the harness, posts straight to
        nchan) after each stack run, with the same nginx worker count; `--reps N` repeats the
        pair N times (one stack, a new chat each time) and prints the medians. `--prior N`
        runs, after each fresh chat, the same load on a chat that already holds N events
        (viewers join without a resume point, so they start at the present) and prints the
        ratio of the two (issue 8, point 4: p99 within 1.25x).
    loadgen.py idle --server inprocess|stack [--viewers 1000] [--db URL --redis URL]
        RSS of the server processes before and after V viewers connect and sit idle.
    loadgen.py stalled [--viewers 1000 --seconds 90]
        in-process: V viewers connect with a 4 KiB receive buffer and never read while posts
        of ~450 characters arrive at 20/s; one more viewer reads normally. Prints the server's
        RSS over time and whether the reading viewer got every post.

Deliveries, latencies, losses, repeats and CPU are measured by the shared harness
`fanout.py` (`--harness DIR`, default /work/shared/bench or $HASHCHAT_BENCH_HARNESS), run as a
subprocess: posts carry `seq=N t=T` and every viewer's receipt of each post is timed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

HASHCHAT = [sys.executable, "-c", "import sys; from hashchat.cli import main; main()"]
DEFAULT_HARNESS = Path(os.environ.get("HASHCHAT_BENCH_HARNESS", "/work/shared/bench"))
BENCH_ENV = {"HASHCHAT_POST_RATE": "1000000/1", "HASHCHAT_LOGIN_FAILURE_RATE": "1000000/1"}
SHOWN = (
    "connected",
    "received",
    "lost",
    "dup",
    "dropped",
    "stale",
    "lat_p50",
    "lat_p90",
    "lat_p99",
    "lat_max",
    "post_p50",
    "post_p99",
    "deliveries_per_s",
    "cpu_server_pct",
    "cpu_server_run_pct",
    "cpu_client_pct",
    "us_per_delivery",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} does not answer after {seconds} s")


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on port {port} after {seconds} s")


def rss_kib(pids: list[int], field: str = "VmRSS") -> int:
    """Summed resident memory; field RssAnon leaves out shared memory that every nginx worker
    maps (nchan's message store), which a VmRSS sum would count once per worker."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                total += int(line.split()[1])
    return total


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass(frozen=True)
class Target:
    """A running server under test: where to stream and post, and whose CPU counts."""

    stream_url: str
    post_url: str
    pids: list[int]
    headers: list[str]


def make_token(env: dict[str, str]) -> str:
    # Fails harmlessly when an earlier run on the same database made the user.
    subprocess.run(
        [*HASHCHAT, "users", "add", "bench", "--password-stdin"],
        input=b"bench password\n",
        env=env,
        check=False,
        capture_output=True,
    )
    return subprocess.run(
        [*HASHCHAT, "users", "token", "bench"], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def make_chat(base: str, token: str, tag: str = "Bench") -> int:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as api:
        series = {"tag": tag, "title": "Bench", "timezone": "UTC", "char_rule": "plain"}
        api.post("/series", json=series | {"char_limit": 500}).raise_for_status()
        chat = api.post(
            f"/series/{tag}/chats",
            json={
                "title": "Fan-out",
                "starts_at": "2026-01-01T00:00:00Z",
                "duration_minutes": 60,
                "questions": ["One?"],
            },
        ).json()
        api.post(f"/chats/{chat['id']}/start").raise_for_status()
    return int(chat["id"])


def chat_target(front: str, token: str, pids: list[int], tag: str = "Bench") -> Target:
    base = f"{front}/api/v1"
    chat_id = make_chat(base, token, tag)
    return Target(
        f"{base}/chats/{chat_id}/events",
        f"{base}/chats/{chat_id}/posts",
        pids,
        [
            "--header",
            f"Authorization: Bearer {token}",
            "--post-json",
            '{"text": "A1 seq={seq} t={t}"}',
        ],
    )


@contextmanager
def inprocess_server(workdir: Path, extra_env: dict[str, str] | None = None) -> Iterator[Target]:
    env = {
        **os.environ,
        **BENCH_ENV,
        "HASHCHAT_DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        **(extra_env or {}),
    }
    token = make_token(env)
    port = free_port()
    server = subprocess.Popen(
        [*HASHCHAT, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/openapi.json")
        yield chat_target(f"http://127.0.0.1:{port}", token, [server.pid])
    finally:
        server.terminate()
        server.wait(30)


@contextmanager
def running_stack(
    workdir: Path, db: str, redis: str, workers: int, nginx_workers: str = "auto"
) -> Iterator[Callable[[str], Target]]:
    """A stack; yields a function that makes a new live chat (by series tag) on it."""
    env = {**os.environ, **BENCH_ENV, "HASHCHAT_DATABASE_URL": db}
    run_dir = workdir / "stack"
    port = free_port()
    command = [*HASHCHAT, "stack", "up", "--workers", str(workers), "--db", db, "--redis", redis]
    command += ["--port", str(port), "--run-dir", str(run_dir), "--nginx-workers", nginx_workers]
    subprocess.run(command, env=env, check=True, capture_output=True)
    try:
        token = make_token(env)
        state = json.loads((run_dir / "stack.json").read_text())
        nginx = int(state["nginx_pid"])
        pids = [nginx, *children(nginx), *state["app_pids"]]
        yield lambda tag: chat_target(f"http://127.0.0.1:{port}", token, pids, tag)
    finally:
        subprocess.run([*HASHCHAT, "stack", "down", "--run-dir", str(run_dir)], check=False)


@contextmanager
def stack_servers(workdir: Path, db: str, redis: str, workers: int) -> Iterator[Target]:
    with running_stack(workdir, db, redis, workers) as new_chat:
        yield new_chat("Bench")


@contextmanager
def bare_nchan(harness: Path, workdir: Path, nginx_workers: str) -> Iterator[Target]:
    """The yardstick: nginx + nchan alone, with the harness's own config, on a free port."""
    run_dir = workdir / f"nchan-{time.monotonic_ns()}"
    (run_dir / "tmp").mkdir(parents=True)
    port = free_port()
    config = (harness / "engines" / "nginx-nchan.conf").read_text()
    (run_dir / "nginx.conf").write_text(config.replace("127.0.0.1:8766", f"127.0.0.1:{port}"))
    command = ["nginx", "-p", str(run_dir), "-c", str(run_dir / "nginx.conf")]
    command += ["-g", f"worker_processes {nginx_workers};"]
    server = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        base = f"http://127.0.0.1:{port}"
        yield Target(f"{base}/stream", f"{base}/post", [server.pid, *children(server.pid)], [])
    finally:
        server.terminate()
        server.wait(10)


@contextmanager
def ceiling_server(harness: Path) -> Iterator[Target]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(harness / "ceiling_server.py"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        base = f"http://127.0.0.1:{port}"
        yield Target(f"{base}/stream", f"{base}/post", [server.pid], [])
    finally:
        server.terminate()
        server.wait(10)


def run_fanout(args: argparse.Namespace, target: Target, out: Path) -> dict[str, Any]:
    command = [sys.executable, str(args.harness / "fanout.py")]
    command += ["--stream-url", target.stream_url, "--post-url", target.post_url]
    command += ["--viewers", str(args.viewers), "--messages", str(args.messages)]
    command += ["--rate", str(args.rate), "--timeout", str(args.timeout), "--drain", "30"]
    command += ["--procs", str(args.procs)]
    command += ["--server-pid", ",".join(map(str, target.pids)), "--json-out", str(out)]
    command += target.headers
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    result: dict[str, Any] = json.loads(out.read_text())
    cpu = result.get("cpu_server_run_pct") or result.get("cpu_server_pct")
    rate = result.get("deliveries_per_s")
    if isinstance(cpu, int | float) and isinstance(rate, int | float) and rate:
        result["us_per_delivery"] = round(cpu / 100 * 1e6 / rate, 2)
    return result


def print_table(named: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"# {args.viewers} viewers, {args.messages} posts at {args.rate}/s; {os.cpu_count()} CPUs "
        f"{platform.machine()}, Python {platform.python_version()}, load {load_average()}"
    )
    names = list(named)
    print(
        f"{'':20}"
        + "".join(f"{name:>14}" for name in names)
        + ("   ratio" if len(names) == 2 else "")
    )
    for key in SHOWN:
        values = [named[name].get(key) for name in names]
        ratio = ""
        if len(values) == 2 and all(isinstance(v, int | float) for v in values) and values[1]:
            ratio = f"{values[0] / values[1]:8.2f}"
        print(f"{key:20}" + "".join(f"{v!s:>14}" for v in values) + ratio)


def cmd_inprocess(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    with inprocess_server(workdir) as target:
        ours = run_fanout(args, target, workdir / "hashchat.json")
    with ceiling_server(args.harness) as target:
        ceiling = run_fanout(args, target, workdir / "ceiling.json")
    named = {"hashchat": ours, "ceiling": ceiling}
    print_table(named, args)
    return named


def cmd_stack(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    named: dict[str, dict[str, Any]] = {}
    with running_stack(workdir, args.db, args.redis, args.workers, args.nginx_workers) as new_chat:
        for rep in range(1, args.reps + 1):
            suffix = f"#{rep}" if args.reps > 1 else ""
            named[f"stack{suffix}"] = run_fanout(
                args, new_chat(f"Bench{rep}x{time.time_ns()}"), workdir / "stack.json"
            )
            if args.prior:
                target = new_chat(f"Prior{rep}x{time.time_ns()}")
                fill_chat(target, args.prior)
                named[f"prior{suffix}"] = run_fanout(args, target, workdir / "prior.json")
            if args.with_nchan:
                with bare_nchan(args.harness, workdir, args.nginx_workers) as target:
                    named[f"nchan{suffix}"] = run_fanout(args, target, workdir / "nchan.json")
    if args.with_ceiling:
        with ceiling_server(args.harness) as target:
            named["ceiling"] = run_fanout(args, target, workdir / "ceiling.json")
    print_table(named, args)
    if args.reps > 1:
        print_medians(named)
    return named


def fill_chat(target: Target, count: int) -> None:
    """Post `count` events to the target's chat (8 at a time), before any viewer joins."""
    token = target.headers[1].split(": ", 1)[1]

    def one(n: int) -> None:
        httpx.post(
            target.post_url,
            json={"text": f"A1 history {n}"},
            headers={"Authorization": token},
            timeout=30,
        ).raise_for_status()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(count)))


def print_medians(named: dict[str, dict[str, Any]]) -> None:
    """Median of each engine's runs for the figures the issue names."""
    for engine in ("stack", "prior", "nchan"):
        runs = [r for name, r in named.items() if name.split("#")[0] == engine]
        if not runs:
            continue
        figures = []
        for key in ("lat_p50", "lat_p99", "lost", "us_per_delivery"):
            values = [r[key] for r in runs if isinstance(r.get(key), int | float)]
            if values:
                figures.append(f"{key} {statistics.median(values):g} (of {sorted(values)})")
        print(f"median {engine}: " + "; ".join(figures))


async def hold_viewers(
    url: str, count: int, headers: dict[str, str], read: bool
) -> list[socket.socket]:
    """Open `count` streams; reading ones drain what arrives, stalled ones never read."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    lines = [f"GET {parts.path} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{key}: {value}" for key, value in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    loop = asyncio.get_running_loop()
    held: list[socket.socket] = []
    drains: list[asyncio.Task[None]] = []

    async def drain(sock: socket.socket) -> None:
        while await loop.sock_recv(sock, 65536):
            pass

    for _ in range(count):
        sock = socket.socket()
        if not read:  # a tiny window: the server's buffers for it fill quickly
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await loop.sock_connect(sock, (host, port))
        await loop.sock_sendall(sock, request)
        held.append(sock)
        if read:
            drains.append(asyncio.create_task(drain(sock)))
    return held


def cmd_idle(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    manager = (
        inprocess_server(workdir)
        if args.server == "inprocess"
        else stack_servers(workdir, args.db, args.redis, args.workers)
    )
    with manager as target:
        token = target.headers[1].split(": ", 1)[1]
        time.sleep(2)
        before = {pid: rss_kib([pid], "RssAnon") for pid in target.pids}

        async def hold() -> dict[int, int]:
            socks = await hold_viewers(
                target.stream_url, args.viewers, {"Authorization": token}, True
            )
            await asyncio.sleep(5)
            after = {pid: rss_kib([pid], "RssAnon") for pid in target.pids}
            for sock in socks:
                sock.close()
            return after

        after = asyncio.run(hold())
    result = {
        "server": args.server,
        "viewers": args.viewers,
        "rss_anon_before_kib": sum(before.values()),
        "rss_anon_after_kib": sum(after.values()),
        "growth_kib_by_pid": {pid: after[pid] - before[pid] for pid in before},
        "kib_per_1000_viewers": round(
            (sum(after.values()) - sum(before.values())) * 1000 / args.viewers
        ),
        "load": load_average(),
    }
    print(json.dumps(result))
    return result


def cmd_stalled(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    samples: list[tuple[float, int]] = []
    with inprocess_server(workdir) as target:
        token = target.headers[1].split(": ", 1)[1]
        auth = {"Authorization": token}

        async def run() -> dict[str, Any]:
            base_rss = rss_kib(target.pids)
            stalled = await hold_viewers(target.stream_url, args.viewers, auth, False)
            got: list[str] = []

            async def reader() -> None:
                async with (
                    httpx.AsyncClient(timeout=None) as client,
                    client.stream("GET", target.stream_url, headers=auth) as stream,
                ):
                    async for line in stream.aiter_lines():
                        if line.startswith("data:") and "stall-" in line:
                            got.append(line)

            reading = asyncio.create_task(reader())
            await asyncio.sleep(2)
            text = "A1 stall-{n} " + "x" * 440
            sent = 0
            started = time.monotonic()
            async with httpx.AsyncClient(headers=auth, timeout=30) as client:
                while (elapsed := time.monotonic() - started) < args.seconds:
                    reply = await client.post(target.post_url, json={"text": text.format(n=sent)})
                    sent += reply.status_code == 201
                    if int(elapsed) % 5 == 0 and (not samples or samples[-1][0] < int(elapsed)):
                        samples.append((int(elapsed), rss_kib(target.pids)))
                    await asyncio.sleep(max(0.0, started + sent / args.rate - time.monotonic()))
            await asyncio.sleep(3)
            reading.cancel()
            end_rss = rss_kib(target.pids)
            for sock in stalled:
                sock.close()
            return {
                "rss_before_viewers_kib": base_rss,
                "rss_end_kib": end_rss,
                "posted": sent,
                "reader_received": len(got),
            }

        result = asyncio.run(run())
    result["rss_samples_kib"] = samples
    result["viewers"] = args.viewers
    result["load"] = load_average()
    print(json.dumps(result))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["inprocess", "stack", "idle", "stalled"])
    parser.add_argument("--viewers", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--timeout", type=float, default=240)
    parser.add_argument("--seconds", type=float, default=90, help="stalled: how long to post")
    parser.add_argument("--db", help="stack: PostgreSQL URL (a fresh database is best)")
    parser.add_argument("--redis", help="stack: Redis URL")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server", choices=["inprocess", "stack"], default="inprocess")
    parser.add_argument("--with-ceiling", action="store_true")
    parser.add_argument("--with-nchan", action="store_true", help="stack: bare nchan too")
    parser.add_argument("--reps", type=int, default=1, help="stack: repeat N times")
    parser.add_argument("--nginx-workers", default="auto", help="stack: nginx workers")
    parser.add_argument(
        "--prior", type=int, default=0, help="stack: also a chat with N events before joining"
    )
    parser.add_argument(
        "--procs", type=int, default=1, help="viewer processes of the harness (fanout.py --procs)"
    )
    parser.add_argument("--harness", type=Path, default=DEFAULT_HARNESS)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    if "stack" in (args.mode, args.server) and not (args.db and args.redis):
        raise SystemExit("stack mode needs --db and --redis")
    if not (args.harness / "fanout.py").is_file():
        raise SystemExit(f"no fanout.py in {args.harness}; pass --harness DIR")
    commands = {
        "inprocess": cmd_inprocess,
        "stack": cmd_stack,
        "idle": cmd_idle,
        "stalled": cmd_stalled,
    }
    with tempfile.TemporaryDirectory(prefix="hashchat-loadgen-") as tmp:
        result = commands[args.mode](args, Path(tmp))
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
