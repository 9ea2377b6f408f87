"""The health of a connection to somewhere else (a network bridge, a blog): one set of states
and one rule for what an attempt does to them, shared by `actions.bridges` and `actions.blog`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

CONNECTING, OK, BACKING_OFF, FAILED = "connecting", "ok", "backing_off", "failed"


class HealthRow(Protocol):
    """A stored connection's health columns."""

    status: str
    last_error: str | None
    failures: int
    backoff_until: datetime | None


def record_attempt(
    row: HealthRow,
    now: datetime,
    *,
    error: str | None,
    backoff_seconds: float,
    login_refused: bool,
) -> None:
    """What one attempt did: a refused login fails the connection (the host must reconnect),
    another error backs off for `backoff_seconds` and counts, success clears both."""
    if login_refused:
        row.status, row.last_error, row.backoff_until = FAILED, error, None
    elif error is not None:
        row.status, row.last_error = BACKING_OFF, error
        row.failures += 1
        row.backoff_until = now + timedelta(seconds=backoff_seconds)
    else:
        row.status, row.failures, row.backoff_until = OK, 0, None
