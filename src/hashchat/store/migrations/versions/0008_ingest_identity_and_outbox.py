"""foreign post identity (network, source, external id), reposts, pending reply links, linked
handles; the outbox, its consumers and their deliveries

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

Issue 10, the ingest door: a post from elsewhere is identified by (network, source, external
id), since comment and status ids are unique per site only. The old unique constraint on
(network, external id) has to go; on SQLite dropping a constraint is only possible by copying
the table (batch mode, run with foreign keys off and checked before commit, see env.py), so
`posts` is rebuilt once there. Everything else is new columns and new tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hashchat.store.models import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.add_column(
            sa.Column("source", sa.String(length=300), server_default="", nullable=False)
        )
        batch.add_column(
            sa.Column("is_repost", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("reply_to_external_id", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("edited_at", UTCDateTime(), nullable=True))
        batch.drop_constraint(op.f("uq_posts_network_external_id"), type_="unique")
        batch.create_unique_constraint(
            op.f("uq_posts_network_source_external_id"), ["network", "source", "external_id"]
        )
        batch.create_index(
            op.f("ix_posts_reply_to_external_id"), ["reply_to_external_id"], unique=False
        )
    op.create_table(
        "linked_handles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=20), nullable=False),
        sa.Column("handle", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_linked_handles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linked_handles")),
        sa.UniqueConstraint("network", "handle", name=op.f("uq_linked_handles_network_handle")),
    )
    op.create_index(op.f("ix_linked_handles_user_id"), "linked_handles", ["user_id"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name=op.f("fk_outbox_chat_id_chats"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index(op.f("ix_outbox_chat_id"), "outbox", ["chat_id"], unique=False)
    op.create_table(
        "outbox_consumers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_consumers")),
        sa.UniqueConstraint("name", name=op.f("uq_outbox_consumers_name")),
    )
    op.create_table(
        "outbox_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["consumer_id"],
            ["outbox_consumers.id"],
            name=op.f("fk_outbox_deliveries_consumer_id_outbox_consumers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox.id"],
            name=op.f("fk_outbox_deliveries_outbox_id_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_deliveries")),
        sa.UniqueConstraint(
            "consumer_id", "outbox_id", name=op.f("uq_outbox_deliveries_consumer_id_outbox_id")
        ),
    )
    op.create_index(
        op.f("ix_outbox_deliveries_outbox_id"), "outbox_deliveries", ["outbox_id"], unique=False
    )
    op.create_index(
        "ix_outbox_deliveries_state_next_attempt_at",
        "outbox_deliveries",
        ["state", "next_attempt_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("outbox_deliveries")
    op.drop_table("outbox_consumers")
    op.drop_table("outbox")
    op.drop_table("linked_handles")
    with op.batch_alter_table("posts") as batch:
        batch.drop_index(op.f("ix_posts_reply_to_external_id"))
        batch.drop_constraint(op.f("uq_posts_network_source_external_id"), type_="unique")
        batch.create_unique_constraint(
            op.f("uq_posts_network_external_id"), ["network", "external_id"]
        )
        batch.drop_column("edited_at")
        batch.drop_column("reply_to_external_id")
        batch.drop_column("is_repost")
        batch.drop_column("source")
