"""The database's own id (table `database_identity`): what outside state is labelled with."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa

from hashchat.store.db import Store
from hashchat.store.models import DatabaseIdentity


def database_id(store: Store) -> str:
    """The database's id; made here when the row is missing (a database whose row was deleted
    by hand), so that a database always has exactly one."""
    with store.read() as session:
        found = session.execute(sa.select(DatabaseIdentity.id).limit(1)).scalar()
    if found is not None:
        return str(found)
    with store.write() as session:
        found = session.execute(sa.select(DatabaseIdentity.id).limit(1)).scalar()
        if found is None:
            found = secrets.token_hex(16)
            session.add(DatabaseIdentity(id=found, created_at=datetime.now(UTC)))
    return str(found)
