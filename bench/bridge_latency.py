"""Network -> room latency of the bridges (issue 11: p99 < 2 s under 20 posts/s per network,
lost 0, duplicated 0), with the real local PDS, the local Mastodon server and the local X v2
server at once.

Posts are written on each network at the given rate for the given time (Bluesky through its
HTTP API as two accounts, Mastodon and X in their local servers), while `hashchat serve`'s bridge
runner follows all three in this process (its threads, its 2 s tick; X by recent search every
6 s, its rate limit with user keys) on a SQLite file. The room is watched
by polling the database every 20 ms; a post's latency is when it was first seen there minus when
its network answered the write. Lost: posted but never filed within the drain time; duplicated:
an identity filed twice (the database's unique key makes that impossible, so it is counted from
the rows, not assumed).

    .venv/bin/python bench/bridge_latency.py [--rate 20] [--seconds 10] [--networks a,b,c]

`--networks` defaults to `mastodon,bluesky,x`; `mastodon,bluesky` is the two-network run of before,
the baseline to run beside it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "bridges"), str(ROOT / "tests")]
os.environ.setdefault("HASHCHAT_SECRET_KEY", "bench-only-key-0123456789abcdef")

from mastodon_server import TOKEN, LocalMastodon  # noqa: E402
from pds_support import LocalPds, install  # noqa: E402
from x_server import GOOD_KEY, LocalX  # noqa: E402

from hashchat.actions import bridges  # noqa: E402
from hashchat.actions.accounts import do_register  # noqa: E402
from hashchat.actions.chats import do_create_chat, do_start_chat  # noqa: E402
from hashchat.actions.series import do_create_series  # noqa: E402
from hashchat.bridges.bluesky import BlueskyAccount  # noqa: E402
from hashchat.bridges.registry import verify_login  # noqa: E402
from hashchat.bridges.runner import BridgeRunner  # noqa: E402
from hashchat.bridges.x import XAccount  # noqa: E402
from hashchat.settings import Settings  # noqa: E402
from hashchat.store.migrate import upgrade  # noqa: E402
from hashchat.store.models import PostRow  # noqa: E402
from hashchat.web.app import build_context  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0, help="posts per second per network")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--networks", default="mastodon,bluesky,x", help="comma-separated")
    args = parser.parse_args()
    networks = tuple(n for n in args.networks.split(",") if n)
    if not networks or set(networks) - set(NETWORKS):
        raise SystemExit(f"--networks takes some of {','.join(NETWORKS)}")
    problem = install()
    if problem:
        raise SystemExit(problem)
    with tempfile.TemporaryDirectory() as tmp:
        run(Path(tmp), args.rate, args.seconds, networks)


NETWORKS = ("mastodon", "bluesky", "x")


def run(tmp: Path, rate: float, seconds: float, networks: tuple[str, ...] = NETWORKS) -> None:
    pds = LocalPds.start(tmp, ("chathost.test", "alice.test", "bob.test"))
    mastodon = LocalMastodon.start()
    x = LocalX.start()
    url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    upgrade(url)
    ctx = build_context(Settings(database_url=url))
    stop = threading.Event()
    try:
        host = do_register(ctx, "owner", "correct horse battery")
        do_create_series(ctx, host, "EduChat", "Bench", "UTC")
        if "bluesky" in networks:
            bridges.do_connect_bridge(
                ctx,
                host,
                "EduChat",
                "bluesky",
                {
                    "service": pds.service,
                    "handle": "chathost.test",
                    "app_password": pds.password,
                    "firehose": pds.firehose,
                },
                verify_login,
            )
        if "mastodon" in networks:
            bridges.do_connect_bridge(
                ctx,
                host,
                "EduChat",
                "mastodon",
                {"instance": mastodon.base_url, "access_token": TOKEN},
                verify_login,
            )
        keys = {"api_key": GOOD_KEY, "api_secret": "s", "access_token": "t"}
        keys["access_token_secret"] = "ts"
        if "x" in networks:
            bridges.do_connect_bridge(
                ctx,
                host,
                "EduChat",
                "x",
                keys,
                lambda network, values: XAccount(values, x.session()).verify(),
            )
        chat = do_create_chat(ctx, host, "EduChat", "Bench", ctx.now(), 60, ["Q?"])
        do_start_chat(ctx, host, chat.id)
        runner = BridgeRunner(ctx, name="bench")
        runner.x_session = x.session()

        def tick() -> None:
            while not stop.is_set():
                runner.tick()
                stop.wait(2.0)

        ticker = threading.Thread(target=tick)
        ticker.start()
        deadline = time.monotonic() + 30
        while (
            "mastodon" in networks and not mastodon.state.listeners and time.monotonic() < deadline
        ):
            time.sleep(0.05)
        time.sleep(2.0)  # the firehose is open
        sent: dict[str, tuple[str, float]] = {}
        lock = threading.Lock()
        count = int(rate * seconds)

        def write_mastodon() -> None:
            for n in range(count):
                due = start + n / rate
                time.sleep(max(0.0, due - time.monotonic()))
                made = mastodon.post_as(f"user{n % 9}", f"A1 mastodon {n} #EduChat")
                with lock:
                    sent[made["id"]] = ("mastodon", time.monotonic())

        def write_x() -> None:
            for n in range(count):
                due = start + n / rate
                time.sleep(max(0.0, due - time.monotonic()))
                made = x.post_as(f"user{n % 9}", f"A1 x {n} #EduChat")
                with lock:
                    sent[made["id"]] = ("x", time.monotonic())

        def write_bluesky(handle: str, offset: int) -> None:
            with BlueskyAccount(pds.service, handle, pds.password) as account:
                account.verify()
                for n in range(offset, count, 2):
                    due = start + n / rate
                    time.sleep(max(0.0, due - time.monotonic()))
                    made = account.post(f"A1 bluesky {n}", "EduChat")
                    with lock:
                        sent[made.external_id] = ("bluesky", time.monotonic())

        seen: dict[str, float] = {}
        rows: list[str] = []

        def watch() -> None:
            while not stop.is_set():
                with ctx.store.read() as session:
                    ids = list(
                        session.scalars(
                            sa.select(PostRow.external_id).where(
                                PostRow.chat_id == chat.id, PostRow.network != "hashchat"
                            )
                        )
                    )
                now = time.monotonic()
                for external_id in ids:
                    seen.setdefault(str(external_id), now)
                rows[:] = [str(i) for i in ids]
                time.sleep(0.02)

        watcher = threading.Thread(target=watch)
        start = time.monotonic()
        writers = []
        if "mastodon" in networks:
            writers.append(threading.Thread(target=write_mastodon))
        if "x" in networks:
            writers.append(threading.Thread(target=write_x))
        if "bluesky" in networks:
            writers.append(threading.Thread(target=write_bluesky, args=("alice.test", 0)))
            writers.append(threading.Thread(target=write_bluesky, args=("bob.test", 1)))
        watcher.start()
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join()
        wrote = time.monotonic() - start
        drain = time.monotonic() + 30
        while set(sent) - set(seen) and time.monotonic() < drain:
            time.sleep(0.1)
        stop.set()
        watcher.join()
        ticker.join()
        runner.close()
    finally:
        stop.set()
        mastodon.stop()
        x.stop()
        pds.stop()
        ctx.store.dispose()
    print(f"{count} posts per network at {rate}/s each (written in {wrote:.1f} s)")
    for network in networks:
        mine = {k: t for k, (n, t) in sent.items() if n == network}
        latencies = sorted(seen[k] - t for k, t in mine.items() if k in seen)
        lost = len(set(mine) - set(seen))
        dup = sum(1 for k in rows if k in mine) - len({k for k in rows if k in mine})
        if latencies:
            p50 = statistics.median(latencies)
            p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
            counts = f"sent {len(mine):>4}  filed {len(latencies):>4}  lost {lost}  dup {dup}"
            times = f"p50 {p50:.3f} s  p99 {p99:.3f} s  max {latencies[-1]:.3f} s"
            print(f"{network:<9} {counts}  {times}")
        else:
            print(f"{network:<9} sent {len(mine)} filed 0 lost {lost}")


if __name__ == "__main__":
    main()
