"""Durable ingest: how many posts per second one `hashchat serve` process accepts while the
POST p99 stays under 50 ms, on SQLite and on PostgreSQL.

For each backend: a fresh database (a temporary SQLite file; a new PostgreSQL schema), seeded
in-process with a live chat and `--clients` people with tokens, then `hashchat serve` on a free
127.0.0.1 port (rate limits raised through HASHCHAT_POST_RATE). Open-loop steps: at each rate
the posts are sent on schedule for `--seconds`, at most `--clients` in flight (a post waiting
for a free client counts its wait: latency is measured from its scheduled time). The step
rate rises until two steps in a row exceed the budget (or one by 10x, or a post fails);
the result is the highest rate whose p99 stayed within it. Everything is bounded and loopback-only.

    .venv/bin/python bench/ingest.py [--backends sqlite,pg] [--clients 16] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import sqlalchemy as sa

from hashchat.actions.accounts import do_create_token, do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.series import do_add_member, do_create_series
from hashchat.assembly import build_context
from hashchat.settings import Settings
from hashchat.store.migrate import upgrade

P99_BUDGET_MS = 50.0
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
RATES = (25, 50, 75, 100, 150, 200, 300, 400, 600, 800, 1200, 1600)


@dataclass(frozen=True)
class Step:
    """One rate's outcome."""

    rate: int
    sent: int
    accepted: int
    failed: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def accepted_per_second(self) -> float:
        return self.accepted / self.seconds


@contextmanager
def database(backend: str, pg_url: str) -> Iterator[str]:
    """A migrated empty database of `backend`, removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'ingest.sqlite3'}"
            upgrade(url)
            yield url
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(pg_url, poolclass=sa.NullPool)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.make_url(pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    try:
        upgrade(rendered)
        yield rendered
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def seed(url: str, clients: int) -> tuple[int, list[str]]:
    """A live chat and one token per posting client: (chat id, tokens)."""
    ctx = build_context(Settings(database_url=url, argon2_time_cost=1, argon2_memory_kib=1024))
    try:
        host = do_register(ctx, "host", "correct horse battery")
        do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
        chat = do_create_chat(ctx, host, "KaizenBiz", "Bench", ctx.now(), 60, ["Q1?"])
        do_start_chat(ctx, host, chat.id)
        tokens = []
        for n in range(clients):
            name = f"poster{n}"
            do_register(ctx, name, "correct horse battery")
            do_add_member(ctx, host, "KaizenBiz", name, "participant")
            tokens.append(do_create_token(ctx, name))
        return chat.id, tokens
    finally:
        ctx.store.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(url: str) -> Iterator[str]:
    """`hashchat serve` on `url`; yields its base URL."""
    port = free_port()
    env = {**os.environ, "HASHCHAT_POST_RATE": "1000000/1"}
    command = [sys.executable, "-c", "from hashchat.cli import main; main()", "serve"]
    process = subprocess.Popen(
        [*command, "--db", url, "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


async def run_step(base: str, chat_id: int, tokens: list[str], rate: int, seconds: float) -> Step:
    """Send `rate` posts/s for `seconds`, at most len(tokens) at a time."""
    total = int(rate * seconds)
    free: asyncio.Queue[str] = asyncio.Queue()
    for token in tokens:
        free.put_nowait(token)
    latencies: list[float] = []
    failed = 0
    url = f"{base}/api/v1/chats/{chat_id}/posts"
    timeout = aiohttp.ClientTimeout(total=10)
    connector = aiohttp.TCPConnector(limit=len(tokens))
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        start = time.perf_counter()

        async def post(n: int) -> None:
            nonlocal failed
            scheduled = start + n / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            token = await free.get()
            try:
                headers = {"Authorization": f"Bearer {token}"}
                body = {"text": f"A1 ingest {rate}/{n} #KaizenBiz"}
                async with session.post(url, json=body, headers=headers) as response:
                    await response.read()
                    if response.status == 201:
                        latencies.append((time.perf_counter() - scheduled) * 1000)
                    else:
                        failed += 1
            except (aiohttp.ClientError, TimeoutError):
                failed += 1
            finally:
                free.put_nowait(token)

        await asyncio.gather(*(post(n) for n in range(total)))
        elapsed = time.perf_counter() - start
    latencies.sort()

    def quantile(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0

    return Step(rate, total, len(latencies), failed, elapsed, quantile(0.5), quantile(0.99))


def bench(backend: str, pg_url: str, clients: int, seconds: float) -> list[Step]:
    """Every step of one backend, up to saturation."""
    steps: list[Step] = []
    with database(backend, pg_url) as url:
        chat_id, tokens = seed(url, clients)
        with server(url) as base:
            asyncio.run(run_step(base, chat_id, tokens, 20, 1.0))  # warm-up, not counted
            for rate in RATES:
                step = asyncio.run(run_step(base, chat_id, tokens, rate, seconds))
                steps.append(step)
                print(
                    f"{backend:6} rate {rate:5}/s  accepted {step.accepted_per_second:7.1f}/s"
                    f"  failed {step.failed:4}  p50 {step.p50_ms:7.1f} ms"
                    f"  p99 {step.p99_ms:7.1f} ms",
                    flush=True,
                )
                over = [s.p99_ms > P99_BUDGET_MS for s in steps[-2:]]
                if step.failed or step.p99_ms > 10 * P99_BUDGET_MS or over == [True, True]:
                    break  # saturated (one step over budget may be other processes' noise)
    return steps


def machine() -> str:
    model = "unknown CPU"
    with Path("/proc/cpuinfo").open() as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return (
        f"nproc {os.cpu_count()}, {model}, Python {platform.python_version()}, "
        f"{stamp}, load average {load}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,pg")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--pg", default=os.environ.get("HASHCHAT_TEST_PG", DEFAULT_PG))
    args = parser.parse_args()
    if not 1 <= args.clients <= 256 or not 0.5 <= args.seconds <= 60:
        parser.error("--clients must be 1-256 and --seconds 0.5-60")
    print(machine())
    for backend in args.backends.split(","):
        steps = bench(backend, args.pg, args.clients, args.seconds)
        within = [s for s in steps if not s.failed and s.p99_ms <= P99_BUDGET_MS]
        best = max(within, key=lambda s: s.accepted_per_second, default=None)
        if best is None:
            print(f"{backend}: no rate kept p99 under {P99_BUDGET_MS:.0f} ms")
        else:
            print(
                f"{backend}: {best.accepted_per_second:.0f} posts/s accepted with p99 "
                f"{best.p99_ms:.1f} ms (p50 {best.p50_ms:.1f} ms)"
            )
    print(machine())
    return 0


if __name__ == "__main__":
    sys.exit(main())
