"""bridges to other networks: connected accounts, our posts there, blocked network handles

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

Issue 11: `bridges` holds a series' connected network accounts (credentials encrypted with
HASHCHAT_SECRET_KEY, what each watches, its read position and health, its worker's claim);
`bridge_posts` where our opening, how-to, question and closing posts went on each network;
`network_blocks` the network handles hosts blocked from the series. New tables only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hashchat.store.models import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "bridges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(20), nullable=False),
        sa.Column("account", sa.String(300), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("connected", sa.Boolean(), nullable=False),
        sa.Column("cursor", sa.String(100), nullable=True),
        sa.Column("last_event_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("lag_seconds", sa.Float(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("backoff_until", UTCDateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(100), nullable=True),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("bridges", "series_id", "series"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bridges")),
        sa.UniqueConstraint(
            "series_id", "network", "account", name=op.f("uq_bridges_series_id_network_account")
        ),
    )
    op.create_index(op.f("ix_bridges_series_id"), "bridges", ["series_id"])
    op.create_table(
        "bridge_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bridge_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("url", sa.String(500), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("bridge_posts", "bridge_id", "bridges"),
        _fk("bridge_posts", "chat_id", "chats"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bridge_posts")),
        sa.UniqueConstraint(
            "bridge_id",
            "chat_id",
            "kind",
            "number",
            name=op.f("uq_bridge_posts_bridge_id_chat_id_kind_number"),
        ),
    )
    op.create_index(op.f("ix_bridge_posts_bridge_id"), "bridge_posts", ["bridge_id"])
    op.create_index(op.f("ix_bridge_posts_chat_id"), "bridge_posts", ["chat_id"])
    op.create_table(
        "network_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(20), nullable=False),
        sa.Column("handle", sa.String(300), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("network_blocks", "series_id", "series"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_blocks")),
        sa.UniqueConstraint(
            "series_id",
            "network",
            "handle",
            name=op.f("uq_network_blocks_series_id_network_handle"),
        ),
    )
    op.create_index(op.f("ix_network_blocks_series_id"), "network_blocks", ["series_id"])


def downgrade() -> None:
    op.drop_table("network_blocks")
    op.drop_table("bridge_posts")
    op.drop_table("bridges")
