"""Typed refusals of the actions layer; the web maps each to its HTTP status, the CLI to exit 2."""

from __future__ import annotations

import math


class ActionError(Exception):
    """Base of every refusal; `reason` is a sentence for the person who asked."""

    status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotAuthenticatedError(ActionError):
    """No valid credentials (or wrong name/password)."""

    status = 401


class ForbiddenError(ActionError):
    """Known person, not allowed: wrong role, blocked, or the chat is closed."""

    status = 403


class NotFoundError(ActionError):
    """The series, chat, post or person does not exist."""

    status = 404


class ConflictError(ActionError):
    """The request clashes with the current state (name taken, chat in the wrong state)."""

    status = 409


class InvalidInputError(ActionError):
    """The input breaks a rule (over the limit, bad time zone, empty title…)."""

    status = 422


class RateLimitedError(ActionError):
    """Too many attempts; `retry_after` seconds until the next one is allowed."""

    status = 429

    def __init__(self, reason: str, retry_after: float) -> None:
        super().__init__(reason)
        self.retry_after = retry_after

    @property
    def whole_seconds(self) -> int:
        """The wait in whole seconds, rounded up so that a client that waits this long is
        never early, and at least 1 (the value of a `Retry-After` header)."""
        return max(1, math.ceil(round(self.retry_after, 6)))  # 9.000000001 s is 9 s
