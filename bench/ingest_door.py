"""The ingest door on its own: N chats of M posts each through `do_ingest_posts`, then again.

    .venv/bin/python bench/ingest_door.py --chats 100 --per-chat 1000 [--db URL]

Posts are generated in memory (a third with a URL, a tenth in Japanese, emoji throughout, every
fifth a reply, every fortieth a repost); the same-run baseline is generating and consuming the
same `ForeignPost`s alone. Reports wall and CPU seconds of the first import and of the re-import
(which must add nothing), posts per CPU second and the peak RSS. An importer's own reading of its
files comes on top (F's `bench/import_x.py`).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat
from hashchat.actions.ingest import do_ingest_posts
from hashchat.actions.series import do_create_series
from hashchat.assembly import build_context
from hashchat.domain.ingest import ForeignPost, Network
from hashchat.settings import Settings
from hashchat.store.migrate import upgrade

T0 = datetime(2026, 1, 9, 17, 0, tzinfo=UTC)


def posts(chat: int, per_chat: int) -> Iterator[ForeignPost]:
    start = T0 + timedelta(days=chat)
    for n in range(per_chat):
        text = f"A{1 + n % 6} small step number {n}, kettle on ☕ #KaizenBiz"
        if n % 3 == 0:
            text += f" https://example.com/notes/{n}"
        if n % 10 == 0:
            text = f"A{1 + n % 6} 小さな改善を毎日続ける 🌱 #KaizenBiz"
        yield ForeignPost(
            network=Network.X,
            source="x.com",
            external_id=f"{chat}-{n}",
            author_handle=f"user{n % 60}",
            display_name=f"User {n % 60}",
            text=text if n % 40 else f"RT @user1: {text}",
            created_at=start + timedelta(seconds=3 * n),
            reply_to=f"{chat}-{n - 1}" if n % 5 == 0 and n else None,
            repost_of=f"{chat}-1" if n % 40 == 0 and n else None,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--per-chat", type=int, default=1000)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/ingest.sqlite3"
    upgrade(url)
    ctx = build_context(
        Settings(database_url=url, clock=lambda: T0, argon2_time_cost=1, argon2_memory_kib=1024)
    )
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    ids = [
        do_create_chat(
            ctx, host, "KaizenBiz", f"Chat {c}", T0 + timedelta(days=c), 60, ["Q?"] * 6
        ).id
        for c in range(args.chats)
    ]
    total = args.chats * args.per_chat

    cpu, wall = time.process_time(), time.perf_counter()
    for c in range(args.chats):
        for _ in posts(c, args.per_chat):
            pass
    baseline = time.process_time() - cpu, time.perf_counter() - wall

    results = []
    for label in ("first", "again"):
        cpu, wall = time.process_time(), time.perf_counter()
        added = 0
        for c, chat_id in enumerate(ids):
            added += do_ingest_posts(ctx, "bench", chat_id, posts(c, args.per_chat)).added
        results.append((label, time.process_time() - cpu, time.perf_counter() - wall, added))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{total} posts in {args.chats} chats on {url.split(':')[0]}")
    print(f"baseline (generate posts alone): cpu {baseline[0]:.2f} s, wall {baseline[1]:.2f} s")
    for label, cpu_s, wall_s, added in results:
        print(
            f"{label}: cpu {cpu_s:.2f} s, wall {wall_s:.2f} s, added {added}, "
            f"{total / cpu_s:,.0f} posts per CPU s, {cpu_s / baseline[0]:.1f}x baseline"
        )
    print(f"peak RSS {rss:.0f} MB")
    ctx.store.dispose()


if __name__ == "__main__":
    main()
