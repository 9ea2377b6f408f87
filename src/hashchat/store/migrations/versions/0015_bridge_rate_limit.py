"""a bridge's rate-limit budget left, as the network last said

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04

Issue 11: the console shows each bridge's rate-limit budget left (Mastodon `X-RateLimit-Remaining`,
X `x-rate-limit-remaining`, Bluesky `ratelimit-remaining`). Null until a response carried one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("bridges", sa.Column("rate_limit_remaining", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bridges") as batch:
        batch.drop_column("rate_limit_remaining")
