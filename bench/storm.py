"""Reconnect storm through the scaled stack (issue 8, point 5).

    storm.py --db POSTGRES_URL --redis REDIS_URL [--viewers 5000 --procs 2 --rate 10]

Starts `hashchat stack up --workers 2` (loadgen.py's `running_stack`), makes a live chat with
`--prior` events, and connects V viewers through the front (each resuming after the chat's
newest event). Posts then arrive at `--rate`/s for the whole run. After the viewers have
followed for a few seconds, every viewer's socket is reset at once (SO_LINGER 0: a TCP RST,
as a network blip does) while the stack keeps running, and every viewer reconnects at once
with its `Last-Event-ID`, then reconnects again whenever the server ends its stream (after the
`retry:` it was given), as a browser's EventSource does.

Reported: how long until each viewer has the first event posted after the drop (max and
p99), events lost and repeated per viewer (each viewer's ids after the drop must be exactly
the chat's ids after its last id, from the database), resyncs, the app processes' CPU per
hand-off (their CPU over the storm window minus their CPU over a quiet window of the same
length at the same post rate, over the hand-offs made), and the harness's own CPU.
Every load loop is bounded (`--timeout`); all traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import platform
import resource
import socket
import struct
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp

try:
    import uvloop
except ImportError:  # the harness then runs on asyncio's loop
    uvloop = None
import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadgen import load_average, running_stack

NO_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=None)


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def sse_field(frame: bytes, name: bytes) -> bytes | None:
    """The value of the frame's first line named `name` (`b"id:"`), without the one space
    that may follow the colon; None when there is none."""
    if frame.startswith(name):
        start = len(name)
    else:
        at = frame.find(b"\n" + name)
        if at < 0:
            return None
        start = at + 1 + len(name)
    end = frame.find(b"\n", start)
    value = frame[start:] if end < 0 else frame[start:end]
    return value.removeprefix(b" ")


class Viewer:
    """One EventSource-like viewer: ids it received, when, and its reconnects."""

    def __init__(self, url: str, start: int) -> None:
        self.url = url
        self.last_id = start
        self.retry_ms = 2000
        self.ids: list[tuple[int, float]] = []  # (event id, receipt time)
        self.requests = 0
        self.resyncs = 0
        self.answered: list[float] = []  # when each request's 200 arrived
        # Per request: when it was started, its connection made, its headers sent (traced).
        self.phases: list[dict[str, float]] = []
        self.response: aiohttp.ClientResponse | None = None
        self.connected = asyncio.Event()

    async def run(self, session: aiohttp.ClientSession, deadline: float) -> None:
        while time.time() < deadline:
            headers = {"Accept": "text/event-stream", "Last-Event-ID": str(self.last_id)}
            self.requests += 1
            phases = {"start": time.time()}
            self.phases.append(phases)
            try:
                async with session.get(
                    self.url, headers=headers, trace_request_ctx=phases
                ) as response:
                    if response.status != 200:
                        await asyncio.sleep(0.5)
                        continue
                    self.response = response
                    self.answered.append(time.time())
                    self.connected.set()
                    await self._read(response)
            except (TimeoutError, aiohttp.ClientError, OSError):
                pass
            self.response = None
            if time.time() < deadline:
                await asyncio.sleep(self.retry_ms / 1000)

    async def _read(self, response: aiohttp.ClientResponse) -> None:
        buffer = b""
        async for chunk in response.content.iter_any():
            now = time.time()
            buffer += chunk
            end = buffer.rfind(b"\n\n")
            if end < 0:
                continue
            frames, buffer = buffer[:end].split(b"\n\n"), buffer[end + 2 :]
            for frame in frames:
                self._frame(frame, now)

    def _frame(self, frame: bytes, now: float) -> None:
        """One SSE frame (its lines without the blank one), as EventSource reads it. The
        harness reads 10 posts/s x every viewer on the stack's own cores, so it looks for
        the four fields it needs instead of splitting every line (bench/README.md)."""
        retry = sse_field(frame, b"retry:")
        if retry is not None and retry.isdigit():
            self.retry_ms = int(retry)
        if sse_field(frame, b"event:") == b"resync":
            self.resyncs += 1
        identifier = sse_field(frame, b"id:")
        if identifier is not None and identifier.isdigit():
            self.last_id = int(identifier)
            if frame.startswith(b"data:") or b"\ndata:" in frame:
                self.ids.append((self.last_id, now))

    def drop(self) -> None:
        """Reset the connection (RST), as a network blip does."""
        response = self.response
        if response is None or response.connection is None:
            return
        transport = response.connection.transport
        if transport is None:
            return
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()


class RawViewer(Viewer):
    """The same viewer on a bare uvloop/asyncio stream instead of aiohttp: one HTTP/1.1 GET
    written by hand, the status line, then the body (chunked or not) into the same SSE reader.
    A browser's EventSource costs its own machine; here 5,000 of them share the stack's two
    cores, and aiohttp's per-request machinery (request objects, tracing, the connector) was
    most of the harness's CPU in a storm (bench/README.md)."""

    def __init__(self, url: str, start: int) -> None:
        super().__init__(url, start)
        rest = url.split("://", 1)[1]
        authority, _, path = rest.partition("/")
        host, _, port = authority.partition(":")
        self.host, self.port, self.path = host, int(port or 80), "/" + path
        self.writer: asyncio.StreamWriter | None = None

    async def run_raw(self, deadline: float) -> None:
        while time.time() < deadline:
            self.requests += 1
            phases = {"start": time.time()}
            phases["connecting"] = phases["start"]
            self.phases.append(phases)
            writer = None
            try:
                reader, writer = await asyncio.open_connection(self.host, self.port)
                phases["connected"] = time.time()
                writer.write(
                    f"GET {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                    f"Accept: text/event-stream\r\nLast-Event-ID: {self.last_id}\r\n\r\n".encode()
                )
                phases["sent"] = time.time()
                head = await reader.readuntil(b"\r\n\r\n")
                phases["answered"] = time.time()
                if head.split(b" ", 2)[1] != b"200":
                    await asyncio.sleep(0.5)
                    continue
                self.writer = writer
                self.answered.append(phases["answered"])
                self.connected.set()
                if b"\r\ntransfer-encoding: chunked" in head.lower():
                    await self._read_chunked(reader)
                else:
                    await self._read_plain(reader)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, IndexError):
                pass
            finally:
                self.writer = None
                if writer is not None:
                    writer.transport.abort()
            if time.time() < deadline:
                await asyncio.sleep(self.retry_ms / 1000)

    async def _read_plain(self, reader: asyncio.StreamReader) -> None:
        buffer = b""
        while chunk := await reader.read(65536):
            buffer = self._feed(buffer + chunk, time.time())

    async def _read_chunked(self, reader: asyncio.StreamReader) -> None:
        buffer = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            if size == 0:
                return
            data = await reader.readexactly(size + 2)
            buffer = self._feed(buffer + data[:-2], time.time())

    def _feed(self, buffer: bytes, now: float) -> bytes:
        end = buffer.rfind(b"\n\n")
        if end < 0:
            return buffer
        for frame in buffer[:end].split(b"\n\n"):
            self._frame(frame, now)
        return buffer[end + 2 :]

    def drop(self) -> None:
        writer = self.writer
        if writer is None:
            return
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()


def phase_tracing() -> aiohttp.TraceConfig:
    """Stamps each request's phases into its `trace_request_ctx` (a dict)."""
    tracing = aiohttp.TraceConfig()

    def stamp(name: str) -> Any:
        async def record(_session: Any, context: Any, _params: Any) -> None:
            stamps = context.trace_request_ctx
            if isinstance(stamps, dict):
                stamps.setdefault(name, time.time())

        return record

    tracing.on_connection_create_start.append(stamp("connecting"))
    tracing.on_connection_create_end.append(stamp("connected"))
    tracing.on_request_headers_sent.append(stamp("sent"))
    tracing.on_request_end.append(stamp("answered"))
    return tracing


def phase_delays(viewers: list[Viewer], dropped_at: float) -> dict[str, list[float]]:
    """Seconds from the drop to each phase of each viewer's first request after it."""
    delays: dict[str, list[float]] = {}
    for viewer in viewers:
        after = [p for p in viewer.phases if p["start"] > dropped_at]
        if after:
            for name, when in after[0].items():
                delays.setdefault(name, []).append(when - dropped_at)
    return delays


async def viewer_proc(
    n: int, url: str, start: int, timeout: float, conn: Connection, raw: bool = True
) -> None:
    deadline = time.time() + timeout
    viewers = [(RawViewer if raw else Viewer)(url, start) for _ in range(n)]
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(
        connector=connector, timeout=NO_TIMEOUT, trace_configs=[phase_tracing()]
    ) as session:
        tasks = [
            asyncio.create_task(
                v.run_raw(deadline) if isinstance(v, RawViewer) else v.run(session, deadline)
            )
            for v in viewers
        ]
        for v in viewers:
            await asyncio.wait_for(v.connected.wait(), max(1.0, deadline - time.time()))
        conn.send("connected")
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, conn.recv)  # "drop"
        before = {id(v): v.last_id for v in viewers}
        requests_before = sum(v.requests for v in viewers)
        dropped_at = time.time()
        for v in viewers:
            v.drop()
        conn.send(("dropped", dropped_at))
        await loop.run_in_executor(None, conn.recv)  # "stop"
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    conn.send(
        {
            "viewers": [
                (before[id(v)], [(i, t) for i, t in v.ids if i > before[id(v)]], v.resyncs)
                for v in viewers
            ],
            # Seconds from the drop until the first answer of the viewer's reconnect.
            "answered": [
                min((t for t in v.answered if t > dropped_at), default=float("inf")) - dropped_at
                for v in viewers
            ],
            "retry_s": sorted(v.retry_ms / 1000 for v in viewers)[len(viewers) // 2],
            "phases": phase_delays(viewers, dropped_at),
            "handoffs": sum(v.requests for v in viewers) - requests_before,
            "cpu": usage.ru_utime + usage.ru_stime,
        }
    )


def worker(
    n: int, url: str, start: int, timeout: float, conn: Connection, plain_loop: bool, raw: bool
) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if uvloop is not None and not plain_loop:
        uvloop.run(viewer_proc(n, url, start, timeout, conn, raw))
    else:
        asyncio.run(viewer_proc(n, url, start, timeout, conn, raw))


def post_loop(post_url: str, token: str, rate: float, stop_at: float) -> list[float]:
    """Post at `rate`/s until `stop_at`; the send times."""
    sent: list[float] = []
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        n = 0
        start = time.time()
        while (when := start + n / rate) < stop_at:
            time.sleep(max(0.0, when - time.time()))
            sent.append(time.time())
            client.post(post_url, json={"text": f"A1 storm {n}"}).raise_for_status()
            n += 1
    return sent


def chat_events(db: str, chat_id: int) -> list[tuple[int, float]]:
    """(id, commit time as epoch seconds) of the chat's events."""
    engine = sa.create_engine(db)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT id, created_at FROM events WHERE chat_id = :c ORDER BY id"),
                {"c": chat_id},
            ).all()
    finally:
        engine.dispose()
    return [(int(r[0]), r[1].timestamp()) for r in rows]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


def storm(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    with running_stack(workdir, args.db, args.redis, args.workers, args.nginx_workers) as new_chat:
        target = new_chat(f"Storm{time.time_ns()}")
        token = target.headers[1].split("Bearer ", 1)[1]
        stack_pids = target.pids
        app_pids = json.loads((workdir / "stack" / "stack.json").read_text())["app_pids"]
        chat_id = int(target.stream_url.rsplit("/", 2)[1])
        for n in range(args.prior):
            httpx.post(
                target.post_url,
                json={"text": f"A1 prior {n}"},
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            ).raise_for_status()
        base = target.stream_url.split("/api/v1")[0]
        start = httpx.get(f"{base}/api/v1/chats/{chat_id}", timeout=10).json()["last_event_id"]
        procs, conns = [], []
        per = [
            args.viewers // args.procs + (i < args.viewers % args.procs) for i in range(args.procs)
        ]
        for n in per:
            ours, theirs = mp.Pipe()
            proc = mp.Process(
                target=worker,
                args=(
                    n,
                    target.stream_url,
                    start,
                    args.timeout,
                    theirs,
                    args.asyncio_loop,
                    args.client == "raw",
                ),
            )
            proc.start()
            procs.append(proc)
            conns.append(ours)
        deadline = time.time() + args.timeout
        for conn in conns:
            if not conn.poll(max(0.0, deadline - time.time())):
                raise SystemExit("viewers did not connect in time")
            assert conn.recv() == "connected"
        connected_at = time.time()
        stop_posting = connected_at + args.quiet + args.follow + 1
        poster_result: list[list[float]] = []
        poster = threading.Thread(
            target=lambda: poster_result.append(
                post_loop(target.post_url, token, args.rate, stop_posting)
            )
        )
        poster.start()
        time.sleep(1.0)
        quiet0 = (time.time(), cpu_seconds(app_pids))
        time.sleep(args.quiet)
        quiet1 = (time.time(), cpu_seconds(app_pids))
        storm0 = cpu_seconds(app_pids)
        for conn in conns:
            conn.send("drop")
        dropped_at = min(conn.recv()[1] for conn in conns)
        time.sleep(args.follow)
        storm1 = (time.time(), cpu_seconds(app_pids))
        poster.join()
        time.sleep(2.0)
        for conn in conns:
            conn.send("stop")
        results = [conn.recv() for conn in conns]
        for proc in procs:
            proc.join(30)
        events = chat_events(args.db, chat_id)
    truth = [i for i, _ in events]
    # "Following again": a viewer has the first event committed after the drop.
    first_new_id = min(i for i, t in events if t >= dropped_at)
    follow_times, lost, dup, resyncs, unfinished = [], 0, 0, 0, 0
    for result in results:
        for before, got, resynced in result["viewers"]:
            resyncs += resynced
            ids = [i for i, _ in got]
            # A gap: an event between the viewer's resume point and the newest it received
            # that it never got. (Events after that are late, counted in "behind at end".)
            expected = [i for i in truth if before < i <= (ids[-1] if ids else before)]
            dup += len(ids) - len(set(ids))
            lost += len(set(expected) - set(ids))
            unfinished += ids[-1:] != truth[-1:]
            times = [t for i, t in got if i >= first_new_id]
            follow_times.append((min(times) - dropped_at) if times else float("inf"))
    handoffs = sum(r["handoffs"] for r in results)
    phases: dict[str, list[float]] = {}
    for result in results:
        for name, delays in result["phases"].items():
            phases.setdefault(name, []).extend(delays)
    answered = [a for r in results for a in r["answered"]]
    quiet_rate = (quiet1[1] - quiet0[1]) / (quiet1[0] - quiet0[0])
    storm_cpu = storm1[1] - storm0
    storm_window = storm1[0] - dropped_at
    extra = storm_cpu - quiet_rate * storm_window
    summary = {
        "viewers": args.viewers,
        "procs": args.procs,
        "rate": args.rate,
        "prior_events": args.prior,
        "followed": sum(t != float("inf") for t in follow_times),
        "follow_p50_s": round(pct(follow_times, 50), 3),
        "follow_p99_s": round(pct(follow_times, 99), 3),
        "follow_max_s": round(max(follow_times), 3),
        "reconnect_answered_p50_s": round(pct(answered, 50), 3),
        "reconnect_answered_p99_s": round(pct(answered, 99), 3),
        "client_retry_wait_s": results[0]["retry_s"],
        # Where the reconnect's time goes, from the drop (p50 / p99): the harness starting the
        # request after its retry wait, the TCP connection made, the request sent, the 200.
        "reconnect_phases_s": {
            name: [round(pct(phases[name], 50), 3), round(pct(phases[name], 99), 3)]
            for name in ("start", "connecting", "connected", "sent", "answered")
            if name in phases
        },
        "lost": lost,
        "dup": dup,
        "resyncs": resyncs,
        "viewers_behind_at_end": unfinished,
        "handoffs": handoffs,
        "app_cpu_storm_s": round(storm_cpu, 3),
        "app_cpu_quiet_rate": round(quiet_rate, 4),
        "app_cpu_ms_per_handoff": round(extra * 1000 / max(1, handoffs), 3),
        "app_cpu_ms_per_handoff_raw": round(storm_cpu * 1000 / max(1, handoffs), 3),
        "stack_pids": len(stack_pids),
        "harness_cpu_s": round(sum(r["cpu"] for r in results), 2),
        "harness_loop": "asyncio" if args.asyncio_loop or uvloop is None else "uvloop",
        "harness_client": args.client,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "load": load_average(),
    }
    print(json.dumps(summary, indent=2))
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="PostgreSQL URL (a fresh database is best)")
    parser.add_argument("--redis", required=True)
    parser.add_argument("--viewers", type=int, default=5000)
    parser.add_argument("--procs", type=int, default=2, help="viewer processes")
    parser.add_argument("--rate", type=float, default=10, help="posts per second throughout")
    parser.add_argument("--prior", type=int, default=20, help="events before viewers join")
    parser.add_argument("--quiet", type=float, default=4, help="seconds of quiet measurement")
    parser.add_argument("--follow", type=float, default=8, help="seconds measured after the drop")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--nginx-workers", default="auto")
    parser.add_argument("--timeout", type=float, default=180, help="hard cap on the viewers")
    parser.add_argument("--json-out", type=Path)
    parser.add_argument(
        "--client",
        choices=("raw", "aiohttp"),
        default="raw",
        help="the viewers' HTTP client: a hand-written GET on a bare stream (cheaper: the harness "
        "shares the stack's cores) or aiohttp (the earlier runs)",
    )
    parser.add_argument(
        "--asyncio-loop",
        action="store_true",
        help="viewers on asyncio's own loop instead of uvloop (the harness costs more CPU)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hashchat-storm-") as tmp:
        result = storm(args, Path(tmp))
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
