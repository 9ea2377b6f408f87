"""Network -> room latency of the bridges (issue 11: p99 < 2 s under 20 posts/s per network,
lost 0, duplicated 0), with the real local PDS, the local Mastodon server and the local X v2
server at once.

Posts are written on each network at the given rate for the given time (Bluesky through its
HTTP API as two accounts, Mastodon and X in their local servers), while `hashchat serve`'s bridge
runner follows all three in this process (its threads, its 2 s tick; X on its filtered stream, or
with `--x-read search` by recent search every 6 s as with an access level without the stream) on
a SQLite file. The room is watched by polling the database every 20 ms; a post's latency is when
it was first seen there minus when its network answered the write. Lost: posted but never filed
within the drain time; duplicated: an identity filed twice (the database's unique key makes that
impossible, so it is counted from the rows, not assumed).

    .venv/bin/python bench/bridge_latency.py [--rate 20] [--seconds 10] [--networks a,b,c]
        [--x-read stream|search]

`--networks` defaults to `mastodon,bluesky,x`; `mastodon,bluesky` is the two-network run of before,
the baseline to run beside it.

Where the time goes, per post (p50 / p99 of each stage, from the same run): `network` is the
write's answer to the network's own event (the local Mastodon and X servers handing the post to
their streams; for Bluesky the firehose frame reaching this process, so it holds the PDS's own
sequencing and the websocket); `reader` is that event to the bridge holding the post (the client
library reading and parsing the stream, or the firehose filter); `queue` is the wait before its
batch is filed (the previous batch still being committed); `file` is filing it (the bridge's
reads, the ingest door's transaction and commit, after which the room's event is published);
`seen` is the commit to the bench's next database poll.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

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
    parser.add_argument(
        "--x-read",
        choices=("stream", "search"),
        default="stream",
        help="X's access level: with the filtered stream, or recent search only",
    )
    args = parser.parse_args()
    networks = tuple(n for n in args.networks.split(",") if n)
    if not networks or set(networks) - set(NETWORKS):
        raise SystemExit(f"--networks takes some of {','.join(NETWORKS)}")
    problem = install()
    if problem:
        raise SystemExit(problem)
    with tempfile.TemporaryDirectory() as tmp:
        run(Path(tmp), args.rate, args.seconds, networks, x_stream=args.x_read == "stream")


NETWORKS = ("mastodon", "bluesky", "x")


class Stages:
    """When each post passed each stage (monotonic seconds), by external id."""

    def __init__(self) -> None:
        self.event: dict[str, float] = {}
        self.received: dict[str, float] = {}
        self.filing: dict[str, float] = {}
        self.committed: dict[str, float] = {}
        self.files: list[tuple[float, float, int]] = []  # each filing: start, end, posts
        self.seq: dict[str, int] = {}  # a Bluesky post's firehose sequence number
        self.lock = threading.Lock()

    def note(self, stage: dict[str, float], ids: list[str], when: float | None = None) -> None:
        when = time.monotonic() if when is None else when
        with self.lock:
            for external_id in ids:
                stage.setdefault(external_id, when)

    def install(self, mastodon: LocalMastodon, x: LocalX) -> None:
        """Wrap the servers' stream hand-off, the bridge's reader, batcher and filing."""
        from hashchat.bridges import bluesky, runner

        stages = self
        broadcast = mastodon._broadcast

        def on_broadcast(event: str, data: str, status: dict[str, Any]) -> None:
            stages.note(stages.event, [str(status["id"])])
            broadcast(event, data, status)

        mastodon._broadcast = on_broadcast  # type: ignore[method-assign]
        deliver = x._deliver

        def on_deliver(tweet: dict[str, Any]) -> None:
            stages.note(stages.event, [str(tweet["id"])])
            deliver(tweet)

        x._deliver = on_deliver  # type: ignore[method-assign]
        read = bluesky.TagFilter.read

        def on_frame(self: bluesky.TagFilter, frame: Any) -> bluesky.FirehoseItem:
            arrived = time.monotonic()
            item = read(self, frame)
            stages.note(stages.event, [p.external_id for p in item.posts], arrived)
            if item.seq is not None:
                with stages.lock:
                    for post in item.posts:
                        stages.seq[post.external_id] = item.seq
            return item

        bluesky.TagFilter.read = on_frame  # type: ignore[method-assign]
        add = runner._Batcher.add

        def on_add(self: runner._Batcher, posts: Any, deleted: Any, cursor: Any) -> None:
            stages.note(stages.received, [p.external_id for p in posts])
            add(self, posts, deleted, cursor)

        runner._Batcher.add = on_add  # type: ignore[method-assign]
        if hasattr(bridges, "do_file_bridges_posts"):  # one filing for all bridges
            file_many = bridges.do_file_bridges_posts

            def on_file_many(ctx: Any, batches: Any) -> Any:
                posts = [p for b in batches for p in b.posts]
                began = time.monotonic()
                stages.note(stages.filing, [p.external_id for p in posts], began)
                try:
                    return file_many(ctx, batches)
                finally:
                    with stages.lock:
                        stages.files.append((began, time.monotonic(), len(posts)))

            bridges.do_file_bridges_posts = on_file_many
        else:  # a tree before it (run with PYTHONPATH=<that tree>/src): one filing per bridge
            file_posts = bridges.do_file_bridge_posts

            def on_file(ctx: Any, bridge_id: int, posts: Any, **kwargs: Any) -> Any:
                posts = list(posts)
                began = time.monotonic()
                stages.note(stages.filing, [p.external_id for p in posts], began)
                try:
                    return file_posts(ctx, bridge_id, posts, **kwargs)
                finally:
                    with stages.lock:
                        stages.files.append((began, time.monotonic(), len(posts)))

            bridges.do_file_bridge_posts = on_file  # type: ignore[assignment]
        ingest = bridges.do_ingest_posts

        def on_ingest(ctx: Any, source: str, chat_id: int, posts: Any) -> Any:
            posts = list(posts)
            counts = ingest(ctx, source, chat_id, posts)
            stages.note(stages.committed, [p.external_id for p in posts])
            return counts

        bridges.do_ingest_posts = on_ingest  # type: ignore[assignment]


# A second firehose reader in a process of its own, doing nothing else: when the PDS's frames
# reach an idle reader (CLOCK_MONOTONIC is the machine's, so its times compare with ours).
PROBE = """
import sys, time
from atproto import FirehoseSubscribeReposClient, parse_subscribe_repos_message
out = open(sys.argv[2], "w", buffering=1)
def on_message(message):
    now = time.monotonic()
    seq = getattr(parse_subscribe_repos_message(message), "seq", None)
    if seq is not None:
        out.write(f"{seq} {now}\\n")
FirehoseSubscribeReposClient(base_uri=sys.argv[1]).start(on_message)
"""


def _probe_times(path: Path) -> dict[int, float]:
    times: dict[int, float] = {}
    for line in path.read_text().splitlines():
        seq, _, when = line.partition(" ")
        if when:
            times.setdefault(int(seq), float(when))
    return times


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(
    tmp: Path,
    rate: float,
    seconds: float,
    networks: tuple[str, ...] = NETWORKS,
    *,
    x_stream: bool = True,
) -> None:
    loads = [Path("/proc/loadavg").read_text().split()[0]]
    probed: dict[int, float] = {}
    cpu_start = time.process_time()
    pds = LocalPds.start(tmp, ("chathost.test", "alice.test", "bob.test"))
    mastodon = LocalMastodon.start()
    x = LocalX.start()
    x.stream_allowed = x_stream
    stages = Stages()
    stages.install(mastodon, x)
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
        ) or ("x" in networks and x_stream and not x.open_streams and time.monotonic() < deadline):
            time.sleep(0.05)
        probe = None
        if "bluesky" in networks:
            probe = subprocess.Popen(
                [sys.executable, "-c", PROBE, pds.firehose, str(tmp / "probe.txt")]
            )
        time.sleep(2.0)  # the firehoses are open
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
        cpu_writing = time.process_time()
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join()
        wrote = time.monotonic() - start
        cpu_wrote = time.process_time() - cpu_writing
        loads.append(Path("/proc/loadavg").read_text().split()[0])
        drain = time.monotonic() + 30
        while set(sent) - set(seen) and time.monotonic() < drain:
            time.sleep(0.1)
        stop.set()
        watcher.join()
        ticker.join()
        runner.close()
        if probe is not None:
            probe.terminate()
            probe.wait(timeout=10)
            probed = _probe_times(tmp / "probe.txt")
    finally:
        stop.set()
        mastodon.stop()
        x.stop()
        pds.stop()
        ctx.store.dispose()
    x_how = "filtered stream" if x_stream else "recent search every 6 s"
    print(
        f"{count} posts per network at {rate}/s each (written in {wrote:.1f} s); X read by "
        f"{x_how}; load average {loads[0]} at start, {loads[1]} after writing; this process's "
        f"CPU while writing {cpu_wrote:.1f} s ({cpu_wrote / wrote * 100:.0f} % of one core; "
        f"writers, local servers, bridges, watcher), in all {time.process_time() - cpu_start:.1f} s"
    )
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
    if "bluesky" in networks:
        idle = [
            (probed[stages.seq[k]] - t) * 1000
            for k, (n, t) in sent.items()
            if n == "bluesky" and stages.seq.get(k) in probed
        ]
        behind = [
            (stages.event[k] - probed[stages.seq[k]]) * 1000
            for k in stages.seq
            if stages.seq[k] in probed and k in stages.event
        ]
        if idle and behind:
            print(
                f"bluesky firehose: write answered -> frame at an idle reader in its own process "
                f"p50 {_p(idle, 0.5):.0f} / p99 {_p(idle, 0.99):.0f} ms; our bridge's reader "
                f"behind that reader p50 {_p(behind, 0.5):.0f} / p99 {_p(behind, 0.99):.0f} ms"
            )
    busy = sum(b - a for a, b, n in stages.files if n)
    batches = [n for _, _, n in stages.files if n]
    if batches:
        print(
            f"filing: {len(batches)} batches of {statistics.mean(batches):.1f} posts on average "
            f"(max {max(batches)}), {busy:.1f} s in all ({busy / wrote * 100:.0f} % of the "
            f"writing time), {busy / len(batches) * 1000:.0f} ms a batch"
        )
    print("where the time goes, p50 / p99 in ms (see the module's docstring):")
    for network in networks:
        mine = {k: t for k, (n, t) in sent.items() if n == network and k in seen}
        spans: dict[str, list[float]] = {name: [] for name in STAGES}
        for key, wrote_at in mine.items():
            marks = [
                wrote_at,
                stages.event.get(key),
                stages.received.get(key),
                stages.filing.get(key),
                stages.committed.get(key),
                seen[key],
            ]
            if any(m is None for m in marks):
                continue  # read by a catch-up, not by a stream
            for name, (a, b) in zip(STAGES, itertools.pairwise(marks), strict=True):
                spans[name].append((b - a) * 1000)  # type: ignore[operator]
        streamed = len(spans["network"])
        parts = "  ".join(
            f"{name} {_p(v, 0.5):.0f}/{_p(v, 0.99):.0f}" for name, v in spans.items() if v
        )
        print(f"{network:<9} {streamed:>4} streamed  {parts}")


STAGES = ("network", "reader", "queue", "file", "seen")


if __name__ == "__main__":
    main()
