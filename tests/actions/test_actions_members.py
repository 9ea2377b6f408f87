"""Role changes racing each other: the last owner survives two owners demoting each other at
the same moment (on PostgreSQL two transactions really overlap; SQLite writes take turns)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from hashchat.actions.accounts import do_register
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ConflictError, ForbiddenError
from hashchat.actions.series import do_add_member, do_create_series, get_series
from hashchat.actions.views import UserView


def _demote_each_other(ctx: AppContext, alice: UserView, bob: UserView, tag: str) -> list[str]:
    """Alice demotes Bob while Bob demotes Alice; the refusals."""
    start = threading.Barrier(2)
    refused: list[str] = []

    def demote(actor: UserView, other: UserView) -> None:
        start.wait()
        try:
            do_add_member(ctx, actor, tag, other.name, "cohost")
        except (ConflictError, ForbiddenError) as error:  # the only owner / no longer an owner
            refused.append(error.reason)

    threads = [
        threading.Thread(target=demote, args=(alice, bob)),
        threading.Thread(target=demote, args=(bob, alice)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return refused


def test_two_owners_demoting_each_other_at_once_leave_one_owner(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    alice = do_register(ctx, "alice", "correct horse battery")
    bob = do_register(ctx, "bob", "correct horse battery")
    for attempt in range(20):
        tag = f"Owners{attempt}"
        do_create_series(ctx, alice, tag, "Two owners", "UTC")
        do_add_member(ctx, alice, tag, "bob", "owner")
        refused = _demote_each_other(ctx, alice, bob, tag)
        roles = [member.role for member in get_series(ctx, tag).members]
        assert roles.count("owner") == 1, (attempt, roles)
        assert len(refused) == 1
