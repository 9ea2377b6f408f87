"""a person's own network accounts, and her answers cross-posted through them

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04

Issue 11 ("a participant cross-posts her own answer through her own connected account"):
`person_networks` holds the accounts a person connected (credentials sealed with
HASHCHAT_SECRET_KEY, never a series' bridge); `cross_posts` one row per post and network she
asked to cross-post to, written with the post, then the network's id and address once posted,
so a series bridge reading the tag knows that copy as the room's post. New tables only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hashchat.store.models import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_networks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(20), nullable=False),
        sa.Column("account", sa.String(300), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_person_networks_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_networks")),
        sa.UniqueConstraint("user_id", "network", name=op.f("uq_person_networks_user_id_network")),
    )
    op.create_index(op.f("ix_person_networks_user_id"), "person_networks", ["user_id"])
    op.create_table(
        "cross_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("person_network_id", sa.Integer(), nullable=True),
        sa.Column("network", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("source", sa.String(300), nullable=True),
        sa.Column("external_id", sa.String(200), nullable=True),
        sa.Column("url", sa.String(500), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("posted_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_cross_posts_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_network_id"],
            ["person_networks.id"],
            name=op.f("fk_cross_posts_person_network_id_person_networks"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cross_posts")),
        sa.UniqueConstraint("post_id", "network", name=op.f("uq_cross_posts_post_id_network")),
    )
    op.create_index(op.f("ix_cross_posts_post_id"), "cross_posts", ["post_id"])
    op.create_index("ix_cross_posts_identity", "cross_posts", ["network", "source", "external_id"])
    op.create_index("ix_cross_posts_url", "cross_posts", ["network", "url"])


def downgrade() -> None:
    op.drop_table("cross_posts")
    op.drop_table("person_networks")
