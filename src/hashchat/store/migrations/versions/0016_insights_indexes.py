"""covering indexes for the series insights' passes (issue 13, speed)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04

The series insights aggregate every post and segment of a series' chats in four passes; each
now reads one index alone, in the order its GROUP BY wants, instead of every row of the tables:
- posts by author: `ix_posts_chat_author` (chat, author id, network, handle, then the flags the
  pass filters and counts on, and the parent for conversations); it drives the segments join;
- the segments of each post: `ix_post_segments_post_kind` (post, position, kind, late);
- posts by minute: `ix_posts_chat_id_created_at` gains hidden and is_repost (same leading
  columns, so every query that used it still can); it replaces the plain chat_id index too,
  which it makes redundant (one index more to write per post, not two);
- answers by question: `ix_post_segments_chat_id_question` gains kind and late.
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_posts_chat_author",
        "posts",
        [
            "chat_id",
            "author_id",
            "network",
            "author_handle",
            "hidden",
            "is_repost",
            "is_host",
            "reply_to_post_id",
        ],
    )
    op.create_index(
        "ix_post_segments_post_kind", "post_segments", ["post_id", "position", "kind", "late"]
    )
    op.drop_index("ix_posts_chat_id_created_at", table_name="posts")
    op.create_index(
        "ix_posts_chat_id_created_at", "posts", ["chat_id", "created_at", "hidden", "is_repost"]
    )
    op.drop_index("ix_posts_chat_id", table_name="posts")
    op.drop_index("ix_post_segments_chat_id_question", table_name="post_segments")
    op.create_index(
        "ix_post_segments_chat_id_question",
        "post_segments",
        ["chat_id", "question", "kind", "late"],
    )


def downgrade() -> None:
    op.drop_index("ix_post_segments_chat_id_question", table_name="post_segments")
    op.create_index("ix_post_segments_chat_id_question", "post_segments", ["chat_id", "question"])
    op.create_index("ix_posts_chat_id", "posts", ["chat_id"])
    op.drop_index("ix_posts_chat_id_created_at", table_name="posts")
    op.create_index("ix_posts_chat_id_created_at", "posts", ["chat_id", "created_at"])
    op.drop_index("ix_post_segments_post_kind", table_name="post_segments")
    op.drop_index("ix_posts_chat_author", table_name="posts")
