"""Recap of a 100,000-post chat: CPU time of parse, attribution + transcript, and JSON render.

Generates a deterministic chat (seeded) with the mix a big chat has: tagged answers in every
convention, untagged replies (some two and more deep), tagged replies, untagged posts in the
live hour, multi-segment posts, late answers the next day, reposts and pre-chat hellos. It
measures `time.process_time()` of each step, best of 3, prints a table, and exits 1 when
attribution + transcript + figures take 1 s of CPU or more, run as `hashchat recap` runs
them (collector paused). Parsing, the same step with the collector running, and the JSON
render are measured and shown apart.

Run: `.venv/bin/python bench/recap_100k.py [--posts N]`
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from hashchat.cli.recap import collector_paused, recap_posts
from hashchat.domain.recap import Transcript, recap_chat
from hashchat.formats.posts_jsonl import PostsFile, parse_posts_jsonl
from hashchat.formats.recap_json import render_json

BUDGET_SECONDS = 1.0
SEED = 20261120
HOST = "host"
START = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
QUESTION_MINUTES = [6 + 9 * n for n in range(6)]
OPENINGS = ["A{n} ", "A{n}: ", "A{n} - ", "A{n}) ", "A{n}. ", "a{n} ", "@host A{n}: ", "Q{n} "]
WORDS = [
    *("invoice", "same", "day", "photos", "checklist", "kiln", "schedule", "theme", "days"),
    *("spreadsheet", "whiteboard", "voice", "notes", "pricing", "quote", "deposit", "booking"),
    *("online", "customers", "team", "suggestion", "jar", "weekly", "review", "tidy", "friday"),
    *("stopped", "started", "template", "automation", "reminder", "🙌", "📈", "朝礼", "☕"),
]

T = TypeVar("T")


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 22)))


def current_question(minute: float) -> int:
    asked = [n + 1 for n, m in enumerate(QUESTION_MINUTES) if m <= minute]
    return asked[-1] if asked else 1


def generate_chat(count: int, seed: int = SEED) -> bytes:
    """JSON lines of a deterministic chat of `count` posts (6 of them the host's questions)."""
    rng = random.Random(seed)
    authors = [f"user{n:04d}" for n in range(3000)]
    networks = ["x"] * 6 + ["mastodon"] * 3 + ["bluesky"]
    records: list[dict[str, Any]] = []
    for n, minute in enumerate(QUESTION_MINUTES, start=1):
        records.append(post_record(len(records), HOST, f"Q{n} {sentence(rng)} #Big", minute, "x"))
    while len(records) < count:
        roll = rng.random()
        minute = rng.uniform(6, 66)
        question = current_question(minute)
        author = rng.choice(authors)
        network = rng.choice(networks)
        reply_to: str | None = None
        is_repost = False
        if roll < 0.40:
            text = rng.choice(OPENINGS).format(n=question) + sentence(rng) + " #Big"
        elif roll < 0.65:
            parent = records[rng.randrange(6, len(records))] if len(records) > 6 else records[0]
            reply_to = parent["id"]
            minute = parent["minute"] + rng.uniform(0.1, 3)
            text = sentence(rng)
        elif roll < 0.67:
            parent = records[rng.randrange(len(records))]
            reply_to = parent["id"]
            minute = parent["minute"] + rng.uniform(0.1, 3)
            text = f"A{current_question(minute)} {sentence(rng)}"
        elif roll < 0.77:
            text = sentence(rng) + " #Big"
        elif roll < 0.82:
            other = rng.randint(1, 6)
            text = f"A{question} & A{other}: {sentence(rng)}"
        elif roll < 0.87:
            minute = rng.uniform(70, 60 * 20)
            text = "\n".join(f"A{n} {sentence(rng)}" for n in sorted(rng.sample(range(1, 7), 3)))
        elif roll < 0.90:
            parent = records[rng.randrange(len(records))]
            text = f"RT @{parent['author']}: {parent['text'][:80]}"
            is_repost = True
        else:
            minute = rng.uniform(0, 6)
            text = f"Hello from {rng.choice(['Leeds', 'Lagos', 'Osaka', 'Austin'])} #Big"
        records.append(
            post_record(len(records), author, text, minute, network, reply_to, is_repost)
        )
    lines = []
    for record in records:
        record.pop("minute")
        lines.append(json.dumps(record, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode()


def post_record(
    index: int,
    author: str,
    text: str,
    minute: float,
    network: str,
    reply_to: str | None = None,
    is_repost: bool = False,
) -> dict[str, Any]:
    created = START + timedelta(minutes=minute)
    record: dict[str, Any] = {
        "id": f"p{index}",
        "author": author,
        "text": text,
        "created_at": created.isoformat().replace("+00:00", "Z"),
        "network": network,
        "minute": minute,
    }
    if reply_to is not None:
        record["reply_to"] = reply_to
    if is_repost:
        record["is_repost"] = True
    return record


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, or the platform's guess elsewhere."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def best_of(runs: int, step: Callable[[], T]) -> tuple[float, T]:
    """The least CPU time of `runs` calls of `step`, and the last result."""
    best = float("inf")
    result: T | None = None
    for _ in range(runs):
        result = None  # let the previous run's objects go before timing the next
        started = time.process_time()
        result = step()
        best = min(best, time.process_time() - started)
    assert result is not None
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()

    raw = generate_chat(options.posts)
    hosts = frozenset({HOST})
    parse_time, posts_file = best_of(options.runs, lambda: parse_posts_jsonl(raw))

    def recap_as_the_cli_does(source: PostsFile = posts_file) -> Transcript:
        return recap_posts(source.posts, hosts, hidden_ids=source.hidden_ids)

    def recap_with_collector(source: PostsFile = posts_file) -> Transcript:
        return recap_chat(source.posts, hosts, hidden_ids=source.hidden_ids)

    collector_time, _ = best_of(options.runs, recap_with_collector)
    recap_time, transcript = best_of(options.runs, recap_as_the_cli_does)

    def render() -> str:
        with collector_paused():
            return render_json(transcript)

    render_time, rendered = best_of(options.runs, render)
    figures = transcript.figures

    print(f"posts: {len(posts_file.posts):,} ({len(raw) / 1e6:.1f} MB of JSON lines)")
    print(
        f"answers: {figures.answers:,}, late: {figures.late_answers:,}, "
        f"inferred: {figures.inferred_answers:,}, reposts: {figures.reposts:,}, "
        f"participants: {figures.participants:,}; JSON {len(rendered) / 1e6:.1f} MB"
    )
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, {cpu_model()}, "
        f"load average {os.getloadavg()[0]:.2f}; best of {options.runs}, CPU seconds"
    )
    print()
    print("| step | CPU s |")
    print("| --- | ---: |")
    print(f"| parse JSON lines (apart) | {parse_time:.3f} |")
    print(
        f"| **attribute + transcript + figures**, collector paused as `hashchat recap` runs it "
        f"(budget {BUDGET_SECONDS:.1f}) | {recap_time:.3f} |"
    )
    print(f"| the same with the garbage collector running (apart) | {collector_time:.3f} |")
    print(f"| render JSON (apart) | {render_time:.3f} |")
    if recap_time >= BUDGET_SECONDS:
        print(f"\nOVER BUDGET: {recap_time:.3f} s >= {BUDGET_SECONDS} s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
