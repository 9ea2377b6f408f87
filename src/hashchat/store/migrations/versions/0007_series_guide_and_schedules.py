"""series guide and announcement zones; recurring chat schedules and their occurrences

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

Issue 9: a host sets her series' participation guide and announcement zones from the browser,
and schedules chats every N weeks (`chat_schedules`), each date it made remembered in
`schedule_occurrences` (its chat, or a skip) so a skipped or moved date is never made again.
Only new columns and new tables: no table is rebuilt.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hashchat.store.models import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("series", sa.Column("guide", sa.Text(), server_default="", nullable=False))
    op.add_column(
        "series",
        sa.Column("announcement_zones", sa.String(length=400), server_default="", nullable=False),
    )
    op.create_table(
        "chat_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("wall_start", sa.String(length=16), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("freq", sa.String(length=10), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("nth", sa.Integer(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("stopped_at", UTCDateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_chat_schedules_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["series.id"],
            name=op.f("fk_chat_schedules_series_id_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_schedules")),
    )
    op.create_index(
        op.f("ix_chat_schedules_series_id"), "chat_schedules", ["series_id"], unique=False
    )
    op.create_table(
        "schedule_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_start", UTCDateTime(), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=True),
        sa.Column("skipped_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["chats.id"],
            name=op.f("fk_schedule_occurrences_chat_id_chats"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["chat_schedules.id"],
            name=op.f("fk_schedule_occurrences_schedule_id_chat_schedules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_occurrences")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_schedule_occurrences_chat_id")),
        sa.UniqueConstraint(
            "schedule_id",
            "occurrence_start",
            name=op.f("uq_schedule_occurrences_schedule_id_occurrence_start"),
        ),
    )


def downgrade() -> None:
    op.drop_table("schedule_occurrences")
    op.drop_index(op.f("ix_chat_schedules_series_id"), table_name="chat_schedules")
    op.drop_table("chat_schedules")
    op.drop_column("series", "announcement_zones")
    op.drop_column("series", "guide")
