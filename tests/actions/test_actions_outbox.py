"""The outbox: our events in one order across chats, delivered to each consumer exactly once,
a failing consumer retried with back-off, a killed worker's claim taken over after its lease;
two runners on PostgreSQL share the work without doing any delivery twice."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa

from hashchat.actions import outbox
from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.ingest import do_ingest_posts
from hashchat.actions.outbox import (
    LEASE_SECONDS,
    MAX_ATTEMPTS,
    OutboxMessage,
    OutboxWorker,
    backoff_seconds,
    claim,
    complete,
    consumer_status,
    register_consumer,
)
from hashchat.actions.posts import do_create_post
from hashchat.actions.runner import Job, run_background
from hashchat.actions.series import do_create_series
from hashchat.actions.views import UserView
from hashchat.domain.ingest import ForeignPost, Network
from hashchat.store.models import DeliveryRow, OutboxRow


def _two_chats(ctx: AppContext) -> tuple[UserView, list[int]]:
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chats = []
    for title in ("One", "Two"):
        chat = do_create_chat(ctx, host, "KaizenBiz", title, ctx.now(), 60, ["Q?"])
        do_start_chat(ctx, host, chat.id)
        chats.append(chat.id)
    return host, chats


def _outbox_ids(ctx: AppContext) -> list[int]:
    with ctx.store.read() as session:
        return list(session.scalars(sa.select(OutboxRow.id).order_by(OutboxRow.id)))


def test_each_event_reaches_each_consumer_once_across_chats(
    new_context: Callable[[], AppContext], clock: object
) -> None:
    ctx = new_context()
    host, (one, two) = _two_chats(ctx)
    register_consumer(ctx, "bridge")
    register_consumer(ctx, "webhook")
    for n in range(3):
        do_create_post(ctx, host, one, f"A1 one {n}")
        do_create_post(ctx, host, two, f"A1 two {n}")
    seen: dict[str, list[OutboxMessage]] = {"bridge": [], "webhook": []}
    worker = OutboxWorker(ctx, {name: seen[name].append for name in seen})
    assert worker.work_once() == 12
    assert worker.work_once() == 0  # nothing twice
    for messages in seen.values():
        assert [m.outbox_id for m in messages] == sorted(m.outbox_id for m in messages)
        assert [m.data["text"] for m in messages] == [
            f"A1 {chat} {n}" for n in range(3) for chat in ("one", "two")
        ]
        assert {m.chat_id for m in messages} == {one, two}
    # imported history never enters the outbox
    before = _outbox_ids(ctx)
    do_ingest_posts(
        ctx,
        "archive",
        one,
        [ForeignPost(Network.X, "x.com", "1", "tom", "Tom", "A1 from the archive", ctx.now())],
    )
    assert _outbox_ids(ctx) == before
    assert consumer_status(ctx, "bridge").done == 6


def test_a_failing_consumer_is_retried_with_back_off(
    new_context: Callable[[], AppContext], clock: object
) -> None:
    ctx = new_context()
    host, (one, _) = _two_chats(ctx)
    register_consumer(ctx, "flaky")
    do_create_post(ctx, host, one, "A1 hello")
    calls: list[int] = []

    def flaky(message: OutboxMessage) -> None:
        calls.append(message.attempt)
        if len(calls) < 3:
            raise ConnectionError("the network is down")

    worker = OutboxWorker(ctx, {"flaky": flaky})
    start = ctx.now()
    assert worker.work_once(start) == 0
    assert worker.work_once(start + timedelta(seconds=backoff_seconds(1) - 0.5)) == 0
    assert worker.work_once(start + timedelta(seconds=backoff_seconds(1))) == 0
    later = start + timedelta(seconds=backoff_seconds(1) + backoff_seconds(2))
    assert worker.work_once(later - timedelta(seconds=0.5)) == 0
    assert worker.work_once(later) == 1
    assert calls == [1, 2, 3]
    status = consumer_status(ctx, "flaky")
    assert (status.done, status.pending, status.dead) == (1, 0, 0)
    assert status.last_error == "ConnectionError: the network is down"
    assert backoff_seconds(30) == outbox.MAX_BACKOFF_SECONDS


def test_a_consumer_failing_every_time_ends_dead(
    new_context: Callable[[], AppContext], clock: object
) -> None:
    ctx = new_context()
    host, (one, _) = _two_chats(ctx)
    register_consumer(ctx, "broken")
    do_create_post(ctx, host, one, "A1 hello")

    def broken(message: OutboxMessage) -> None:
        raise RuntimeError("always")

    worker = OutboxWorker(ctx, {"broken": broken})
    moment = ctx.now()
    for _ in range(MAX_ATTEMPTS):
        worker.work_once(moment)
        moment += timedelta(seconds=outbox.MAX_BACKOFF_SECONDS)
    status = consumer_status(ctx, "broken")
    assert (status.dead, status.pending) == (1, 0)


def test_a_killed_workers_claim_expires(
    new_context: Callable[[], AppContext], clock: object
) -> None:
    ctx = new_context()
    host, (one, _) = _two_chats(ctx)
    register_consumer(ctx, "bridge")
    do_create_post(ctx, host, one, "A1 hello")
    outbox.fan_out(ctx)
    now = ctx.now()
    taken = claim(ctx, "killed", frozenset({"bridge"}), now)
    assert len(taken) == 1  # ... and the worker dies without finishing
    assert claim(ctx, "other", frozenset({"bridge"}), now + timedelta(seconds=1)) == []
    after_lease = now + timedelta(seconds=LEASE_SECONDS + 1)
    retaken = claim(ctx, "other", frozenset({"bridge"}), after_lease)
    assert [m.outbox_id for m in retaken] == [taken[0].outbox_id]
    assert not complete(ctx, "killed", taken[0].delivery_id)  # its claim is gone
    assert complete(ctx, "other", retaken[0].delivery_id)


@pytest.mark.pg
def test_two_runners_on_postgresql_deliver_each_event_exactly_once(
    pg_database_url: str, clock: object
) -> None:
    from hashchat.assembly import build_context
    from hashchat.settings import RateLimit, Settings

    def make() -> AppContext:
        return build_context(
            Settings(
                database_url=pg_database_url,
                argon2_time_cost=1,
                argon2_memory_kib=1024,
                post_rate=RateLimit(10_000, 1.0),
            )
        )

    first, second = make(), make()
    try:
        host, (one, two) = _two_chats(first)
        cursor = register_consumer(first, "bridge")
        for n in range(60):
            do_create_post(first, host, one if n % 2 else two, f"A1 post {n}")
        handled: Counter[int] = Counter()
        lock = threading.Lock()

        def handler(message: OutboxMessage) -> None:
            with lock:
                handled[message.outbox_id] += 1

        def run(ctx: AppContext, name: str) -> None:
            worker = OutboxWorker(ctx, {"bridge": handler}, name=name)
            for _ in range(40):
                worker.work_once()

        threads = [
            threading.Thread(target=run, args=(first, "a")),
            threading.Thread(target=run, args=(second, "b")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        expected = {i for i in _outbox_ids(first) if i > cursor}
        assert len(expected) == 60
        assert set(handled) == expected
        assert set(handled.values()) == {1}
        with first.store.read() as session:
            claimed_by = set(session.scalars(sa.select(DeliveryRow.claimed_by)))
            states = set(session.scalars(sa.select(DeliveryRow.state)))
        assert states == {"done"}
        assert claimed_by <= {"a", "b"}
    finally:
        first.store.dispose()
        second.store.dispose()


def test_the_runner_stops_its_jobs_cleanly() -> None:
    rounds: list[str] = []
    closed: list[str] = []
    started = threading.Event()
    release = threading.Event()

    def slow_round() -> None:
        started.set()
        release.wait(5)
        rounds.append("slow")

    def failing_round() -> None:
        rounds.append("fail")
        raise RuntimeError("a bad round")

    async def main() -> None:
        task = asyncio.create_task(
            run_background(
                [
                    Job("slow", 0.01, slow_round, lambda: closed.append("slow")),
                    Job("failing", 0.01, failing_round, lambda: closed.append("failing")),
                ]
            )
        )
        await asyncio.to_thread(started.wait, 5)
        await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.sleep(0.05)
        assert closed == ["failing"]  # the slow job waits for its round in flight
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert rounds.count("fail") >= 2  # a failing round never stops its job
    assert "slow" in rounds
    assert sorted(closed) == ["failing", "slow"]


@pytest.mark.pg
def test_a_cursor_never_skips_an_event_committed_late_on_postgresql(
    pg_database_url: str, clock: object
) -> None:
    """Posts in two chats from four threads while a consumer fans out all the time: every
    outbox row gets exactly one delivery (ids commit in order under the outbox lock)."""
    from hashchat.assembly import build_context
    from hashchat.settings import RateLimit, Settings

    def make() -> AppContext:
        return build_context(
            Settings(
                database_url=pg_database_url,
                argon2_time_cost=1,
                argon2_memory_kib=1024,
                post_rate=RateLimit(10_000, 1.0),
            )
        )

    contexts = [make() for _ in range(5)]
    try:
        host, chats = _two_chats(contexts[0])
        cursor = register_consumer(contexts[0], "follower")
        done = threading.Event()

        def post(ctx: AppContext, chat_id: int, name: str) -> None:
            for n in range(25):
                do_create_post(ctx, host, chat_id, f"A1 {name} {n}")

        def follow() -> None:
            while not done.is_set():
                outbox.fan_out(contexts[4])
            outbox.fan_out(contexts[4])

        follower = threading.Thread(target=follow)
        follower.start()
        writers = [
            threading.Thread(target=post, args=(contexts[i], chats[i % 2], f"w{i}"))
            for i in range(4)
        ]
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join(60)
        done.set()
        follower.join(60)
        expected = [i for i in _outbox_ids(contexts[0]) if i > cursor]
        assert len(expected) == 100
        with contexts[0].store.read() as session:
            delivered = list(
                session.scalars(sa.select(DeliveryRow.outbox_id).order_by(DeliveryRow.outbox_id))
            )
        assert delivered == expected
    finally:
        for ctx in contexts:
            ctx.store.dispose()


def test_prune_forgets_only_what_every_consumer_is_done_with(
    new_context: Callable[[], AppContext], clock: object
) -> None:
    ctx = new_context()
    host, (one, _) = _two_chats(ctx)
    register_consumer(ctx, "fast")
    register_consumer(ctx, "slow")
    do_create_post(ctx, host, one, "A1 hello")
    OutboxWorker(ctx, {"fast": lambda message: None}).work_once()
    later = ctx.now() + outbox.KEEP + timedelta(minutes=1)
    outbox.prune(ctx, later)
    # the slow consumer has not been served: its delivery and the event stay
    status = consumer_status(ctx, "slow")
    assert (status.pending, status.done) == (1, 0)
    assert len(_outbox_ids(ctx)) >= 1
    assert consumer_status(ctx, "fast").done == 0  # its done delivery was forgotten
    OutboxWorker(ctx, {"slow": lambda message: None}).work_once(later)
    outbox.prune(ctx, later + outbox.KEEP + timedelta(minutes=1))
    assert _outbox_ids(ctx) == []


def test_processes_registering_one_consumer_at_once_all_start(database_url: str) -> None:
    """Two app processes starting on a new database register the same consumer together: the
    one that loses the insert reads the winner's row instead of failing its start-up."""
    import subprocess
    import sys

    from hashchat.store.migrate import upgrade

    upgrade(database_url)
    script = (
        "import sys, time\n"
        "from hashchat.actions.outbox import register_consumer\n"
        "from hashchat.assembly import build_context\n"
        "from hashchat.settings import Settings\n"
        "ctx = build_context(Settings(database_url=sys.argv[1]))\n"
        "time.sleep(max(0.0, float(sys.argv[2]) - time.time()))\n"
        "print(register_consumer(ctx, 'racing'))\n"
    )
    import time

    at = str(time.time() + 3.0)
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", script, database_url, at],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outcomes = [racer.communicate(timeout=120) for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0, 0, 0], outcomes
    assert {out.strip() for out, _ in outcomes} == {"0"}
