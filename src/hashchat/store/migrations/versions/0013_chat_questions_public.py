"""a chat's questions shown before the start, when its host chooses

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04

Issue 9, number 9: an upcoming chat's room shows its questions if the host publishes them early.
One column, false by default (questions stay the host's until asked).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "chats",
        sa.Column("questions_public", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("chats", "questions_public")
