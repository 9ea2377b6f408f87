"""Import speed of X archives (issue 10): 1,000,000 posts over 1,000 chats from a generated X
archive into SQLite (< 60 s) and PostgreSQL (< 90 s), peak RSS < 300 MB, re-import < 20 s
with 0 added; against the same-run baseline of reading the archive alone (no database).

    .venv/bin/python bench/import_x.py [--posts 1000000] [--chats 1000] [--pg URL]

The archive is written as X writes it (a folder with `data/account.js` and
`data/tweets.js`, `tweets-part1.js` … of 100,000 posts each, the `window.YTD` wrapper, string
numbers, entities); the texts are realistic: a third carry a URL, a tenth are non-Latin
(Japanese, Russian, Arabic), emoji throughout, answers `A1`…`A6`, replies and retweets. Each
measured step runs in a child process of its own, so its peak RSS is its own. `--pg` is a
server URL (`postgresql+psycopg://postgres@127.0.0.1:5432/postgres`): the bench makes a database
(`--pg-db`, default `bench_import_x`) there and drops it at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BASE = datetime(2024, 1, 5, 17, 0, tzinfo=UTC)
PART = 100_000
WORDS = [
    "small", "wins", "habit", "tea", "van", "shelves",
    "invoice", "calendar", "kettle", "notebook", "morning", "walk",
]  # fmt: skip
NON_LATIN = [
    "朝は散歩です。スマホは見ません",
    "Бросила проверять почту до 10 утра",
    "أبدأ يومي بكوب شاي وهدوء",
    "小さな改善が一番効きました",
]
EMOJI = ["☕", "🚐", "📵", "🙏", "💛", "🚶\u200d♂️", "👩🏽\u200d💻", "🎉"]


def chat_start(index: int) -> datetime:
    return BASE + timedelta(days=2 * index)


def generate(folder: Path, posts: int, chats: int) -> None:
    rng = random.Random(10)
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "account.js").write_text(
        'window.YTD.account.part0 = [{"account": {"username": "benchhost", '
        '"accountId": "1", "accountDisplayName": "Bench Host"}}]'
    )
    per_chat = posts // chats
    part = 0
    handle = None
    for number in range(posts):
        if number % PART == 0:
            if handle is not None:
                handle.write("\n]")
                handle.close()
            name = "tweets.js" if part == 0 else f"tweets-part{part}.js"
            handle = (data / name).open("w", encoding="utf-8")
            handle.write(f"window.YTD.tweets.part{part} = [\n")
            part += 1
        else:
            assert handle is not None
            handle.write(",\n")
        chat = min(number // per_chat, chats - 1)
        within = number % per_chat
        moment = chat_start(chat) + timedelta(seconds=within * 3600 // per_chat)
        post_id = str(1_500_000_000_000_000_000 + number)
        question = 1 + within * 6 // per_chat
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18)))
        if number % 10 == 0:
            words = rng.choice(NON_LATIN) + " " + words
        text = f"A{question} {words} {rng.choice(EMOJI)} #BenchChat"
        entities: dict[str, object] = {"hashtags": [{"text": "BenchChat"}], "urls": []}
        if number % 3 == 0:
            text += " https://t.co/abc" + post_id[-6:]
            entities["urls"] = [
                {
                    "url": "https://t.co/abc" + post_id[-6:],
                    "expanded_url": f"https://example.com/notes/{number}?ref=chat",
                    "display_url": "example.com/notes/…",
                }
            ]
        tweet: dict[str, object] = {
            "id_str": post_id,
            "id": post_id,
            "created_at": moment.strftime("%a %b %d %H:%M:%S +0000 %Y"),
            "full_text": text,
            "entities": entities,
            "favorite_count": "2",
            "retweet_count": "0",
            "lang": "en",
        }
        if within % 7 == 3:
            tweet["in_reply_to_status_id_str"] = str(int(post_id) - 2)
        if within % 50 == 49:
            tweet["full_text"] = f"RT @someone: {text[:60]}…"
        handle.write(json.dumps({"tweet": tweet}, ensure_ascii=False))
    assert handle is not None
    handle.write("\n]")
    handle.close()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def phase_read(folder: Path) -> dict[str, object]:
    from hashchat.formats.x_archive import open_x_archive

    started, cpu = time.perf_counter(), cpu_seconds()
    count = sum(1 for _ in open_x_archive(folder).posts())
    seconds = time.perf_counter() - started
    return {"posts": count, "seconds": seconds, "cpu": cpu_seconds() - cpu, "rss_mb": peak_rss_mb()}


def phase_setup(url: str, chats: int) -> dict[str, object]:
    from hashchat.actions.accounts import do_register
    from hashchat.actions.ingest import do_restore_chat
    from hashchat.actions.series import do_create_series
    from hashchat.assembly import build_context
    from hashchat.domain.ingest import ForeignChat
    from hashchat.settings import Settings
    from hashchat.store.migrate import upgrade

    upgrade(url)
    ctx = build_context(Settings(database_url=url, argon2_time_cost=1, argon2_memory_kib=1024))
    host = do_register(ctx, "benchhost", "correct horse battery")
    do_create_series(ctx, host, "BenchChat", "Bench", "UTC")
    for index in range(chats):
        start = chat_start(index)
        do_restore_chat(
            ctx,
            ForeignChat(
                series_tag="BenchChat",
                title=f"Bench {index}",
                starts_at=start - timedelta(minutes=5),
                duration_minutes=70,
                state="closed",
                started_at=start - timedelta(minutes=5),
                ended_at=start + timedelta(minutes=65),
                closed_at=start + timedelta(hours=24),
                comments_close_at=start + timedelta(hours=24),
            ),
        )
    ctx.store.dispose()
    return {}


def phase_import(url: str, folder: Path) -> dict[str, object]:
    from hashchat.actions.imports import do_import
    from hashchat.assembly import build_context
    from hashchat.settings import Settings
    from hashchat.store.migrate import upgrade

    upgrade(url)  # a long run may see the tree gain a migration between its steps
    ctx = build_context(Settings(database_url=url))
    started, cpu = time.perf_counter(), cpu_seconds()
    summary = do_import(ctx, "x", folder, series="BenchChat", as_user="benchhost")
    seconds = time.perf_counter() - started
    ctx.store.dispose()
    result = summary.as_dict()
    result.pop("chats")
    out = {
        **result,
        "chats": len(summary.chats),
        "seconds": seconds,
        "cpu": cpu_seconds() - cpu,
        "rss_mb": peak_rss_mb(),
        "url": url.split("://", 1)[0],
    }
    with (folder.parent / "phases.jsonl").open("a") as log:  # readable while a long run goes on
        log.write(json.dumps(out) + "\n")
    return out


def child(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--phase", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"phase {args[0]} failed")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def fresh_pg(server: str, name: str, *, create: bool = True) -> str:
    import psycopg
    from psycopg import sql

    plain = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return server.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--chats", type=int, default=1_000)
    parser.add_argument("--pg", default=None)
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--pg-db", default="bench_import_x", help="database made and dropped")
    parser.add_argument("--phase", nargs="+", default=None)
    args = parser.parse_args()
    if args.phase:
        name, *rest = args.phase
        if name == "read":
            out = phase_read(Path(rest[0]))
        elif name == "setup":
            out = phase_setup(rest[0], int(rest[1]))
        else:
            out = phase_import(rest[0], Path(rest[1]))
        print(json.dumps(out))
        return
    with tempfile.TemporaryDirectory(prefix="bench-import-x-") as tmp:
        folder = Path(tmp) / "archive"
        started = time.perf_counter()
        generate(folder, args.posts, args.chats)
        size = sum(f.stat().st_size for f in (folder / "data").iterdir())
        print(
            f"archive: {args.posts:,} posts, {args.chats:,} chats, {size / 1e6:.0f} MB, "
            f"generated in {time.perf_counter() - started:.1f} s; load {os.getloadavg()[0]:.1f}"
        )
        read = child("read", str(folder))
        print(
            f"baseline, reading alone: {read['seconds']:.1f} s wall, {read['cpu']:.1f} s CPU, "
            f"peak RSS {read['rss_mb']:.0f} MB; load {os.getloadavg()[0]:.1f}"
        )
        targets = [] if args.no_sqlite else [("sqlite", f"sqlite:///{tmp}/bench.sqlite3")]
        if args.pg:
            targets.append(("postgresql", fresh_pg(args.pg, args.pg_db)))
        for label, url in targets:
            child("setup", url, str(args.chats))
            print(f"{label}: importing, load {os.getloadavg()[0]:.1f}", flush=True)
            first = child("import", url, str(folder))
            again = child("import", url, str(folder))
            for name, result in (("import", first), ("re-import", again)):
                seconds = float(result["seconds"])  # type: ignore[arg-type]
                cpu = float(result["cpu"])  # type: ignore[arg-type]
                ratio = cpu / float(read["cpu"])  # type: ignore[arg-type]
                print(
                    f"{label} {name}: {seconds:.1f} s wall, {cpu:.1f} s CPU ({ratio:.1f}× reading "
                    f"alone, CPU), added {result['added']:,}, unchanged "
                    f"{result['unchanged']:,}, skipped {result['skipped']:,}, chats "
                    f"{result['chats']}, peak RSS {result['rss_mb']:.0f} MB; "
                    f"load {os.getloadavg()[0]:.1f}"
                )
        if args.pg:
            fresh_pg(args.pg, args.pg_db, create=False)
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
