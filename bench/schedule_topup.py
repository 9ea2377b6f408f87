"""What one round of the schedule top-up costs (the server runs one every 10 minutes).

N series, each with a weekly schedule made on a temporary SQLite file (its 4 chats made ahead).
Then, on a moved clock: a round with nothing to make (the steady state: most rounds), and a
round after a week, where every schedule makes one chat. Wall and CPU time of each round, best
of --reps. Baseline in the same run: one `get_series` read per series (what rendering each
series page once costs), to put the figures in proportion.

    .venv/bin/python bench/schedule_topup.py [--series 500] [--reps 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hashchat.actions.accounts import do_register
from hashchat.actions.schedule import do_create_schedule, do_top_up_schedules
from hashchat.actions.series import do_create_series, get_series
from hashchat.assembly import build_context
from hashchat.settings import Settings
from hashchat.store.migrate import upgrade


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def timed(action: object) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()  # type: ignore[operator]
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=500)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        upgrade(url)
        clock = Clock()
        ctx = build_context(
            Settings(database_url=url, clock=clock, argon2_time_cost=1, argon2_memory_kib=1024)
        )
        host = do_register(ctx, "host", "correct horse battery")
        tags = [f"Series{n}" for n in range(args.series)]
        for tag in tags:
            do_create_series(ctx, host, tag, tag, "Europe/London")
            do_create_schedule(ctx, host, tag, title="W", first_start=datetime(2026, 3, 20, 17))
        idle, busy, reads = [], [], []
        for _ in range(args.reps):
            wall, cpu, made = timed(lambda: do_top_up_schedules(ctx))
            assert made == 0
            idle.append((wall, cpu))
            clock.now += timedelta(days=7)
            wall, cpu, made = timed(lambda: do_top_up_schedules(ctx))
            assert made == args.series, made
            busy.append((wall, cpu))
            wall, cpu, _ = timed(lambda: [get_series(ctx, tag) for tag in tags])
            reads.append((wall, cpu))
        ctx.store.dispose()
    for name, runs in (
        ("idle round", idle),
        ("round making 1 chat each", busy),
        ("baseline: get_series per series", reads),
    ):
        wall, cpu = min(runs)
        print(
            f"{name:34} wall {wall * 1000:8.1f} ms  cpu {cpu * 1000:8.1f} ms"
            f"  ({wall / args.series * 1000:.2f} ms per series)"
        )


if __name__ == "__main__":
    main()
