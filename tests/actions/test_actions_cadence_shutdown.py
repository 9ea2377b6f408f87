"""Stopping the cadence runner (server shutdown) waits for the tick in flight: a thread cannot
be cancelled, and one still running when the store is disposed leaves its connection open (a
ResourceWarning, later, in whatever runs next)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from hashchat.actions.cadence import run_forever
from hashchat.actions.context import AppContext


@pytest.fixture(params=[pytest.param("pg", marks=pytest.mark.pg)])
def database_url(pg_database_url: str) -> str:
    """PostgreSQL only: a table lock there holds a tick in its thread for as long as we like."""
    return pg_database_url


def test_a_cancelled_runner_lets_its_tick_finish_and_leaves_no_connection_out(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    blocker = sa.create_engine(ctx.store.engine.url, poolclass=sa.NullPool)
    with blocker.connect() as connection:
        transaction = connection.begin()
        connection.execute(sa.text("LOCK TABLE cadence_items IN ACCESS EXCLUSIVE MODE"))

        async def cancel_mid_tick() -> int:
            runner = asyncio.create_task(run_forever(ctx))
            await asyncio.sleep(0.5)  # the first tick waits for the table, in its thread
            assert ctx.store.engine.pool.checkedout() >= 1
            runner.cancel()
            threading.Timer(0.5, transaction.rollback).start()  # the tick can end after this
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(runner, 30)
            return int(ctx.store.engine.pool.checkedout())

        assert asyncio.run(cancel_mid_tick()) == 0
    blocker.dispose()
