"""series insight settings (verdict thresholds, tumbleweed levels) and the per-chat insights cache

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

Issue 13: a host sets what "returning" means (came to k of the last n chats), how many chats in
a row make a trend, and the tumbleweed levels of a chat and of a network; a series without a row
uses the defaults. `chat_insights` keeps one closed chat's figures, labelled with the chat's last
event id so any later change to the chat (a hide, an edit) makes it stale. New tables only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hashchat.store.models import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "series_insight_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("return_k", sa.Integer(), nullable=False),
        sa.Column("return_n", sa.Integer(), nullable=False),
        sa.Column("trend_run", sa.Integer(), nullable=False),
        sa.Column("tumbleweed_participants", sa.Integer(), nullable=False),
        sa.Column("tumbleweed_network_people", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["series.id"],
            name=op.f("fk_series_insight_settings_series_id_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series_insight_settings")),
        sa.UniqueConstraint("series_id", name=op.f("uq_series_insight_settings_series_id")),
    )
    op.create_table(
        "chat_insights",
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["chats.id"],
            name=op.f("fk_chat_insights_chat_id_chats"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_chat_insights")),
    )


def downgrade() -> None:
    op.drop_table("chat_insights")
    op.drop_table("series_insight_settings")
