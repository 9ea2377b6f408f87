"""recap summaries: the Atom feed's sentence per chat, computed once

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04

Issue 9 (one home for each rule, the read side): the recaps feed no longer rebuilds every past
transcript on each request. One row per chat, keyed by the chat's newest event id at the time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hashchat.store.models import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recap_summaries",
        sa.Column(
            "chat_id",
            sa.Integer(),
            sa.ForeignKey("chats.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("recap_summaries")
