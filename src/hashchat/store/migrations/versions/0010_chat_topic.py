"""a chat's framing: the topic text its host writes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

Issue 9 (a chat's framing): the host writes a topic (a blog post, a paragraph) shown on the
series page and in the room; editable until the chat starts. One column, empty by default.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("chats", sa.Column("topic", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    op.drop_column("chats", "topic")
