"""The one runner of background work in `hashchat serve`: cadence ticks, schedule top-ups,
outbox deliveries and pruning (and the bridges' pollers), each a `Job` run every few seconds
in a worker thread, all stopped cleanly on shutdown.

A job's round runs in a thread (the store is synchronous); a failing round is logged and the
next one retries. On cancel (server shutdown) each job lets its round in flight finish (a
thread cannot be cancelled, and its connection must be back before the store is disposed),
then runs its `close` (e.g. the cadence runner's lock connection). Who runs what when several
processes share a PostgreSQL database is each job's own business: the cadence job holds its
chats' advisory locks (`store.locks`), outbox deliveries are claimed with `SKIP LOCKED` and a
lease (`actions.outbox`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from hashchat.actions import cadence, schedule
from hashchat.actions.context import AppContext
from hashchat.actions.outbox import HANDLERS, Handler, OutboxWorker, prune
from hashchat.store.locks import runner_locks

logger = logging.getLogger(__name__)

OUTBOX_TICK_SECONDS = 1.0
PRUNE_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class Job:
    """A piece of background work: `run` every `every` seconds (in a thread), `close` once
    at the end (in a thread)."""

    name: str
    every: float
    run: Callable[[], object]
    close: Callable[[], None] | None = None


async def run_job(job: Job) -> None:
    """Run `job` until cancelled; see the module docstring for how it stops."""
    round_: asyncio.Future[object] | None = None
    try:
        while True:
            round_ = asyncio.ensure_future(asyncio.to_thread(job.run))
            try:
                await asyncio.shield(round_)
            except Exception:
                logger.exception("background job %s failed; the next round retries", job.name)
            await asyncio.sleep(job.every)
    finally:
        if round_ is not None:
            await asyncio.wait({round_})
            if not round_.cancelled() and round_.exception() is not None:
                logger.warning("the last round of %s failed", job.name, exc_info=round_.exception())
        if job.close is not None:
            await asyncio.to_thread(job.close)


async def run_background(jobs: Sequence[Job]) -> None:
    """Run every job until cancelled; on cancel, stop them all and wait for each to finish."""
    tasks = [asyncio.create_task(run_job(job), name=f"hashchat-{job.name}") for job in jobs]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            # Once only: a second cancel would interrupt a job waiting for its last round.
            if not task.done() and not task.cancelling():
                task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


def server_jobs(ctx: AppContext, handlers: Mapping[str, Handler] | None = None) -> list[Job]:
    """The background work of one server process: the cadence (of the chats whose runner
    lock it holds), the schedules' top-ups, the blog's comment pull, and the outbox deliveries
    of `handlers` (consumers served in this process: the bridges and the blog register
    theirs)."""
    locks = runner_locks(ctx.store.engine)
    jobs = [
        Job(
            "cadence",
            ctx.settings.cadence_tick_seconds,
            lambda: cadence.run_due(ctx, ctx.now(), runner=locks),
            locks.close,
        ),
        Job("schedules", schedule.TOP_UP_SECONDS, lambda: schedule.do_top_up_schedules(ctx)),
    ]
    jobs.append(Job("outbox-prune", PRUNE_SECONDS, lambda: prune(ctx)))
    if handlers is None:
        jobs.extend(_blog_jobs(ctx))  # registers the `blog` consumer before the worker is made
    handlers = HANDLERS if handlers is None else handlers
    if handlers:
        worker = OutboxWorker(ctx, handlers)
        jobs.append(Job("outbox", OUTBOX_TICK_SECONDS, worker.work_once))
    return jobs


def _blog_jobs(ctx: AppContext) -> list[Job]:
    """Issue 12: the host's blog kept in step (its comments pulled, our posts published through
    the `blog` outbox consumer). The network code is passed in, as the bridges' login check is;
    imported here because `actions.blog_sync` builds on this module."""
    from hashchat.actions.blog_sync import blog_jobs, register_blog
    from hashchat.bridges.wordpress import open_site

    return blog_jobs(register_blog(ctx, open_site))
