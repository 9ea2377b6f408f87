"""A bridge's call into a big chat (issue 11): CPU of one 3-post `do_ingest_posts` call into
chats of N stored posts, the door re-attributing only what the call can change (now) against
the whole chat (before: `LOCAL_SHARE = 0`, the same code's whole-chat path), in one run.

    flock /tmp/hashchat-bench.lock .venv/bin/python bench/ingest_call.py \
        [--sizes 600,5000,20000] [--calls 30] [--db URL]

Each chat is filled by one import call (replies every fifth post, reposts); each timed call
then files 3 new posts at the end of the chat, one a reply to a stored post, one a late parent
of a stored pending reply. Reports the median and p90 CPU ms per call of each path, and where
the time of one call goes now (reading the chat's rows, the rest), with the load average.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hashchat.actions import ingest
from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat
from hashchat.actions.ingest import do_ingest_posts
from hashchat.actions.series import do_create_series
from hashchat.assembly import build_context
from hashchat.domain.ingest import ForeignPost, Network
from hashchat.settings import Settings
from hashchat.store.migrate import upgrade

T0 = datetime(2026, 1, 9, 17, 0, tzinfo=UTC)


def _post(n: int, chat: int, **fields: Any) -> ForeignPost:
    values: dict[str, Any] = {
        "network": Network.X,
        "source": "x.com",
        "external_id": f"{chat}-{n}",
        "author_handle": f"user{n % 60}",
        "display_name": f"User {n % 60}",
        "text": f"A{1 + n % 3} small step number {n} #KaizenBiz" if n % 4 else "agreed",
        "created_at": T0 + timedelta(days=chat, milliseconds=150 * n),
        "reply_to": f"{chat}-{n - 1}" if n % 5 == 0 and n else None,
        "repost_of": f"{chat}-1" if n % 40 == 0 and n else None,
    }
    values.update(fields)
    return ForeignPost(**values)


def history(chat: int, size: int) -> Iterator[ForeignPost]:
    for n in range(size):
        yield _post(n, chat)


def call(chat: int, n: int) -> list[ForeignPost]:
    """3 new posts at the end: a reply to a stored post, a reply to a parent not there yet
    (`p{n}`, filed by the next call), and the parent the previous call's reply waited for."""
    return [
        _post(n, chat, reply_to=f"{chat}-{n - 7}"),
        _post(n + 1, chat, text="me too", reply_to=f"{chat}-p{n + 3}"),
        _post(n + 2, chat, external_id=f"{chat}-p{n}", text="A2 the late parent"),
    ]


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="600,5000,20000")
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/ingest_call.sqlite3"
    upgrade(url)
    ctx = build_context(
        Settings(database_url=url, clock=lambda: T0, argon2_time_cost=1, argon2_memory_kib=1024)
    )
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    local_share = ingest.LOCAL_SHARE
    print(f"database {ctx.store.engine.dialect.name}, {args.calls} calls of 3 posts per path")
    for chat_index, size in enumerate(int(s) for s in args.sizes.split(",")):
        chat_id = do_create_chat(
            ctx, host, "KaizenBiz", f"Chat {size}", T0 + timedelta(days=chat_index), 60, ["Q?"] * 3
        ).id
        do_ingest_posts(ctx, "bench", chat_id, history(chat_index, size))
        n = size
        results: dict[str, list[float]] = {"now": [], "before": []}
        for turn in range(2 * args.calls):  # the two paths take turns: the same box for both
            path = "now" if turn % 2 else "before"
            ingest.LOCAL_SHARE = local_share if path == "now" else 0.0
            posts = call(chat_index, n)
            cpu = time.process_time()
            do_ingest_posts(ctx, "bench", chat_id, posts)
            results[path].append(1000 * (time.process_time() - cpu))
            n += 3
        ingest.LOCAL_SHARE = local_share
        reads = []
        with ctx.store.read() as session:
            for _ in range(10):
                cpu = time.process_time()
                ingest._chat_raw_rows(session, chat_id)
                reads.append(1000 * (time.process_time() - cpu))
        for path in ("before", "now"):
            values = sorted(results[path])
            print(
                f"chat of {size:>6} posts  {path:<6} median {statistics.median(values):7.2f} ms"
                f"  p90 {values[int(0.9 * (len(values) - 1))]:7.2f} ms CPU per call"
            )
        ratio = statistics.median(results["before"]) / statistics.median(results["now"])
        print(
            f"chat of {size:>6} posts  before/now {ratio:5.1f}x; reading its rows alone"
            f" {statistics.median(reads):.2f} ms CPU; load {_load()}"
        )


if __name__ == "__main__":
    main()
