"""Series insights over 1,000,000 posts in 500 chats (issue 13): cold (no cache) < 2 s on SQLite
and on PostgreSQL, against the same-run cost of `SELECT count(*)` over the same rows; then a
page view with every closed chat cached (a lookup).

    .venv/bin/python bench/insights.py                       # SQLite, temporary file
    .venv/bin/python bench/insights.py --db postgresql+psycopg://postgres@127.0.0.1:5432/bench

The rows are written with Core executemany (posts, their segments, questions, one event per
chat), shaped like a busy chat: 60% answers (some answering two questions, some late), 20%
replies, the rest conversation, 3% reposts and 1% hidden, on three networks, a few hundred
people coming back now and then. The database is filled once per URL and kept for the next
run (`--refill` makes it again; `--fill-only` fills and stops); on PostgreSQL the fill ends with
VACUUM ANALYZE, as autovacuum would soon after, and so does a run that migrated the rows (0020
rewrites every post). count(*) and the cold figures are timed in turn, so both see the same load.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from hashchat.actions.insights import get_series_insights
from hashchat.assembly import build_context
from hashchat.settings import Settings
from hashchat.store.migrate import upgrade
from hashchat.store.models import (
    ChatInsightsRow,
    ChatRow,
    EventRow,
    Membership,
    PostRow,
    QuestionRow,
    SegmentRow,
    SeriesRow,
    User,
)

TAG = "BenchInsights"
NETWORKS = ("hashchat", "x", "mastodon")
START = datetime(2020, 1, 3, 17, 0, tzinfo=UTC)


def fill(engine: sa.Engine, chats: int, posts: int, seed: int = 13) -> None:
    """Write the series: `chats` closed chats with `posts` posts in all."""
    rng = random.Random(seed)
    per_chat = posts // chats
    people = 2_000
    with engine.begin() as conn:
        now = datetime.now(UTC)
        conn.execute(
            sa.insert(User),
            [
                {
                    "id": 1,
                    "name": "benchhost",
                    "display_name": "Host",
                    "password_hash": "x",
                    "timezone": "UTC",
                    "is_admin": False,
                    "created_at": now,
                }
            ],
        )
        series_id = conn.execute(
            sa.insert(SeriesRow).returning(SeriesRow.id),
            {
                "tag": TAG,
                "tag_key": TAG.casefold(),
                "tag_skeleton": None,
                "title": "Bench",
                "timezone": "UTC",
                "char_rule": "x",
                "char_limit": 280,
                "description": "",
                "created_at": now,
            },
        ).scalar_one()
        conn.execute(
            sa.insert(Membership), [{"series_id": series_id, "user_id": 1, "role": "owner"}]
        )
        post_id = 0
        for index in range(chats):
            starts = START + timedelta(days=7 * index + (7 if index % 5 == 4 else 0))
            chat_id = conn.execute(
                sa.insert(ChatRow).returning(ChatRow.id),
                {
                    "series_id": series_id,
                    "title": f"Chat {index + 1}",
                    "starts_at": starts,
                    "duration_minutes": 60,
                    "cadence": None,
                    "state": "closed",
                    "started_at": starts,
                    "ended_at": starts + timedelta(hours=1),
                    "closed_at": starts + timedelta(days=1),
                    "comments_close_at": starts + timedelta(days=1),
                    "created_by_id": 1,
                    "created_at": starts,
                },
            ).scalar_one()
            conn.execute(
                sa.insert(QuestionRow),
                [
                    {
                        "chat_id": chat_id,
                        "number": n,
                        "text": f"Q{n}?",
                        "asked_at": starts + timedelta(minutes=10 * n),
                    }
                    for n in range(1, 6)
                ],
            )
            crowd = rng.sample(range(people), rng.randint(80, 220))
            post_rows: list[dict[str, Any]] = []
            segment_rows: list[dict[str, Any]] = []
            for k in range(per_chat):
                post_id += 1
                at = starts + timedelta(seconds=rng.randint(0, 4_200))
                host = k % 50 == 0
                person = crowd[rng.randrange(len(crowd))]
                network = NETWORKS[person % 3]
                repost = rng.random() < 0.03
                hidden = rng.random() < 0.01
                kind_roll = rng.random()
                question = min(5, max(1, int((at - starts).total_seconds() // 600)))
                post_rows.append(
                    {
                        "id": post_id,
                        "chat_id": chat_id,
                        "author_id": 1 if host else None,
                        "author_handle": "benchhost" if host else f"p{person}",
                        "display_name": f"Person {person}",
                        "network": "hashchat" if host else network,
                        "external_id": None,
                        "external_url": None,
                        "text": "A1 something",
                        "created_at": at,
                        "reply_to_post_id": post_id - 1 if kind_roll > 0.8 and k else None,
                        "question": question,
                        "part": None,
                        "inferred": False,
                        "late": at > starts + timedelta(hours=1),
                        "segments": [],
                        "is_host": host,
                        "hidden": hidden,
                        "spotlight": False,
                        "source": "",
                        "is_repost": repost,
                        # its segments' counts (migration 0020), set below for visible posts
                        "answer_segments": 0,
                        "late_answer_segments": 0,
                        "reply_segments": 0,
                        "question_segments": 0,
                    }
                )
                if hidden:
                    continue
                kind = "repost" if repost else ("answer" if kind_roll < 0.6 else "reply")
                if host:
                    kind = "question"
                elif 0.6 <= kind_roll < 0.8:
                    kind = "conversation"
                late = at > starts + timedelta(hours=1)
                parts = 2 if kind == "answer" and kind_roll < 0.05 else 1
                post_rows[-1].update(
                    answer_segments=parts if kind == "answer" else 0,
                    late_answer_segments=parts if kind == "answer" and late else 0,
                    reply_segments=int(kind == "reply"),
                    question_segments=int(kind == "question"),
                )
                for position in range(parts):
                    segment_rows.append(
                        {
                            "chat_id": chat_id,
                            "post_id": post_id,
                            "position": position,
                            "kind": kind,
                            "question": min(5, question + position),
                            "part": None,
                            "text": "something",
                            "inferred": False,
                            "late": late,
                        }
                    )
            conn.execute(sa.insert(PostRow), post_rows)
            conn.execute(sa.insert(SegmentRow), segment_rows)
            conn.execute(
                sa.insert(EventRow),
                [{"chat_id": chat_id, "type": "state", "data": "{}", "created_at": starts}],
            )
            if (index + 1) % 50 == 0:
                print(f"  filled {index + 1}/{chats} chats", file=sys.stderr, flush=True)


CPU: list[float] = []  # this process's CPU seconds per call of the last `timed`


def timed(fn: Any, repeat: int) -> list[float]:
    """Wall-clock seconds of `repeat` calls (their CPU seconds in this process go to CPU)."""
    times = []
    CPU.clear()
    for _ in range(repeat):
        began, cpu = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - began)
        CPU.append(time.process_time() - cpu)
    return times


def _revision(url: str) -> str | None:
    """The database's migration revision (None before the first)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return None
            return conn.scalar(sa.text("SELECT version_num FROM alembic_version"))
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--chats", type=int, default=500)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--refill", action="store_true")
    parser.add_argument("--fill-only", action="store_true", help="write the rows, measure nothing")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.gettempdir()) / 'hashchat-bench-insights.sqlite3'}"
    if args.refill and url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    before = _revision(url)
    upgrade(url)
    ctx = build_context(Settings(database_url=url))
    engine = ctx.store.engine
    with engine.connect() as conn:
        have = conn.scalar(
            sa.select(sa.func.count())
            .select_from(SeriesRow)
            .where(SeriesRow.tag_key == TAG.casefold())
        )
    migrated = have and before != _revision(url)  # e.g. 0020 rewrote every post
    if not have:
        began = time.perf_counter()
        fill(engine, args.chats, args.posts)
        print(f"filled in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    if (not have or migrated) and engine.dialect.name == "postgresql":
        # what autovacuum does soon after a bulk load: statistics and the visibility map
        # (index-only scans)
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    if args.fill_only:
        return
    with engine.connect() as conn:
        chat_ids = conn.scalars(
            sa.select(ChatRow.id).join(SeriesRow).where(SeriesRow.tag_key == TAG.casefold())
        ).all()
    count_query = (
        sa.select(sa.func.count()).select_from(PostRow).where(PostRow.chat_id.in_(chat_ids))
    )

    def count() -> None:
        with engine.connect() as conn:
            conn.scalar(count_query)

    def cold() -> None:
        get_series_insights(ctx, TAG, use_cache=False)

    def cached() -> None:
        get_series_insights(ctx, TAG)

    cold()  # the pages read once, as for every figure below
    rows = 0
    with engine.connect() as conn:
        rows = conn.scalar(count_query) or 0
    load_before = os.getloadavg()[0]
    # count(*) and the cold figures alternate, so that both see the same load
    counts: list[float] = []
    colds: list[float] = []
    cold_cpu: list[float] = []
    for _ in range(args.repeat):
        counts += timed(count, 1)
        colds += timed(cold, 1)
        cold_cpu += CPU
    with engine.begin() as conn:
        conn.execute(sa.delete(ChatInsightsRow))
    began = time.perf_counter()
    cached()  # fills the cache
    fill_cache = time.perf_counter() - began
    warms = timed(cached, args.repeat)
    load = os.getloadavg()
    print(f"{engine.dialect.name}: {rows:,} posts in {len(chat_ids)} chats")
    machine = platform.processor() or platform.machine()
    print(
        f"machine: {machine}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load {load_before:.1f} before, {load[0]:.1f} after"
    )
    print(f"SELECT count(*): median {statistics.median(counts) * 1000:.0f} ms")
    print(
        f"cold insights:   median {statistics.median(colds) * 1000:.0f} ms "
        f"(min {min(colds) * 1000:.0f}) = "
        f"{statistics.median(colds) / statistics.median(counts):.1f}x count(*)"
    )
    print(
        f"cold insights, CPU of this process: median {statistics.median(cold_cpu):.2f} s "
        f"(min {min(cold_cpu):.2f})"
    )
    print(f"first cached view (computes and stores 500 tallies): {fill_cache * 1000:.0f} ms")
    print(f"cached view:     median {statistics.median(warms) * 1000:.0f} ms")
    ctx.store.dispose()


if __name__ == "__main__":
    main()
