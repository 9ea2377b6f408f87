"""chats whose live hour ended by the cadence get the default closing time

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04

Issue 9: only the host's End set `comments_close_at`; a chat whose hour ended by itself (the
cadence's close) stayed open to late answers for ever, with no countdown and no automatic close.
`lifecycle.move_chat` now sets the default (24 hours after the end) however the hour ends; this
gives the chats already stuck that way the same: 24 hours after they ended (a time already past
closes them at the runner's next tick, as it would have).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

OPEN_AFTER_END = timedelta(hours=24)  # as actions.lifecycle.COMMENTS_OPEN_AFTER_END was


def upgrade() -> None:
    chats = sa.table(
        "chats",
        sa.column("id", sa.Integer()),
        sa.column("state", sa.String()),
        sa.column("ended_at", sa.DateTime(timezone=True)),
        sa.column("comments_close_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    stuck = bind.execute(
        sa.select(chats.c.id, chats.c.ended_at).where(
            chats.c.state == "late_answers",
            chats.c.comments_close_at.is_(None),
            chats.c.ended_at.is_not(None),
        )
    ).all()
    for chat_id, ended_at in stuck:
        bind.execute(
            chats.update()
            .where(chats.c.id == chat_id)
            .values(comments_close_at=ended_at + OPEN_AFTER_END)
        )


def downgrade() -> None:
    pass  # a closing time is data a host may since have moved: nothing to undo
