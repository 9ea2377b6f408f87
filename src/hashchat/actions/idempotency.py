"""Idempotency keys: a retried request (same person, same key) gets the first answer again.

The answer is stored with the key in the same transaction as what the request made, so a
client that lost the answer (timeout, dropped connection, killed server) can retry safely:
either the first attempt committed and the retry gets its answer, or nothing was committed
and the retry does the work. Only successes are remembered; a refused request changed
nothing and may be retried as it is. Keys are forgotten after `KEY_LIFETIME`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions.errors import InvalidInputError
from hashchat.store.models import IdempotencyKey

KEY_LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 200
HEADER = "Idempotency-Key"


@dataclass(frozen=True, slots=True)
class Answer:
    """A response as sent: status and JSON body; `replayed` when it is a stored one."""

    status: int
    body: str
    replayed: bool = False


def check_idempotency_key(value: str) -> str:
    """The key without surrounding blanks; 422 unless it is 1–200 printable ASCII characters."""
    key = value.strip(" \t")
    if not key:
        raise InvalidInputError(f"{HEADER} is empty; send 1–{MAX_KEY_LENGTH} characters")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInputError(f"{HEADER} is longer than {MAX_KEY_LENGTH} characters")
    if not all(" " <= character <= "~" for character in key):
        raise InvalidInputError(f"{HEADER} may hold printable ASCII characters only")
    return key


def fingerprint(request: dict[str, Any]) -> str:
    """A digest of what was asked, to tell a retry from another request under the same key."""
    canonical = json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def recall(
    session: Session, user_id: int, key: str, request_hash: str, now: datetime
) -> Answer | None:
    """The stored answer to this key, or None when there is none (or it expired).

    422 when the key was used for a different request: replaying the first answer would
    tell the client its second request succeeded, which it did not.
    """
    row = session.scalar(
        sa.select(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
        )
    )
    if row is None or row.created_at <= now - KEY_LIFETIME:
        return None
    if row.request_hash != request_hash:
        raise InvalidInputError(
            f"{HEADER} {key!r} was already used for a different request; use a new key"
        )
    return Answer(row.status, row.response, replayed=True)


def reserve(
    session: Session, user_id: int, key: str, request_hash: str, now: datetime
) -> IdempotencyKey:
    """Claim the key in the caller's transaction (before doing the work).

    A concurrent request with the same key waits on the unique index and then fails with
    IntegrityError, so only one of them does the work. Expired keys of the person are
    dropped first, so that an old key can be reused and the table stays small.
    """
    session.execute(
        sa.delete(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id,
            IdempotencyKey.created_at <= now - KEY_LIFETIME,
        )
    )
    row = IdempotencyKey(
        user_id=user_id, key=key, request_hash=request_hash, status=0, response="", created_at=now
    )
    session.add(row)
    session.flush()
    return row


def remember(row: IdempotencyKey, answer: Answer) -> None:
    """Store the answer on the claimed key (committed with the work)."""
    row.status = answer.status
    row.response = answer.body
