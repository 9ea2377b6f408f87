"""the host's blog: a series' connected WordPress site and our posts on it

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04

Issue 12: `blogs` holds a series' connected WordPress blog (one per series: its address, the
site's own home URL that names the source of its comments, the user, her Application Password
encrypted with HASHCHAT_SECRET_KEY, how the recap goes out, and the pull's health); `blog_posts`
where each chat's announcement, recap and the host's replies went on the blog (WordPress ids,
so nothing is published twice), with what was last published and when comments closed. New
tables only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hashchat.store.models import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "blogs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("wp_user", sa.String(200), nullable=False),
        sa.Column("wp_user_id", sa.Integer(), nullable=False),
        sa.Column("wp_name", sa.String(200), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("recap", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("backoff_until", UTCDateTime(), nullable=True),
        sa.Column("last_pulled_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("blogs", "series_id", "series"),
        _fk("blogs", "user_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blogs")),
        sa.UniqueConstraint("series_id", name=op.f("uq_blogs_series_id")),
    )
    op.create_table(
        "blog_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("blog_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("wp_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(500), nullable=True),
        sa.Column("reveal_questions", sa.Boolean(), nullable=False),
        sa.Column("content_digest", sa.String(64), nullable=True),
        sa.Column("comments_digest", sa.String(64), nullable=True),
        sa.Column("comments_closed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        _fk("blog_posts", "blog_id", "blogs"),
        _fk("blog_posts", "chat_id", "chats"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_posts")),
        sa.UniqueConstraint(
            "blog_id",
            "chat_id",
            "kind",
            "number",
            name=op.f("uq_blog_posts_blog_id_chat_id_kind_number"),
        ),
    )
    op.create_index(op.f("ix_blog_posts_chat_id"), "blog_posts", ["chat_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_blog_posts_chat_id"), table_name="blog_posts")
    op.drop_table("blog_posts")
    op.drop_table("blogs")
