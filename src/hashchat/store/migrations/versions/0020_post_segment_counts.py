"""each post carries how many of its segments answer (and late), reply and ask (issue 13, speed)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04

The series insights count, per chat and author, the answer, late answer, reply and question
segments of their visible posts. Read from `post_segments` that is a join of a million posts to
their segments (on SQLite 0.65 s of the insights' ~1.75 s of CPU; on PostgreSQL a parallel hash
join of 2.0 s of a ~4 s call); from these four columns on the post, carried in the covering index
the pass already reads, it is one index scan (SQLite 0.36-0.46 s, PostgreSQL 0.29 s). They are
written with the post's other attribution columns (`question`, `late`, `segments`), from the same
segments, by `actions.segments` and the ingest door; this backfills them from the stored segments
(posts without segments, i.e. hidden ones, keep 0).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

COUNTS = ("answer_segments", "late_answer_segments", "reply_segments", "question_segments")
_AUTHOR_INDEX = [
    "chat_id",
    "author_id",
    "network",
    "author_handle",
    "hidden",
    "is_repost",
    "is_host",
    "reply_to_post_id",
]


def upgrade() -> None:
    for name in COUNTS:
        op.add_column(
            "posts", sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    op.execute(
        "UPDATE posts SET answer_segments = c.answers, late_answer_segments = c.late, "
        "reply_segments = c.replies, question_segments = c.questions "
        "FROM (SELECT post_id, "
        "SUM(CASE WHEN kind = 'answer' THEN 1 ELSE 0 END) AS answers, "
        "SUM(CASE WHEN kind = 'answer' AND late THEN 1 ELSE 0 END) AS late, "
        "SUM(CASE WHEN kind = 'reply' THEN 1 ELSE 0 END) AS replies, "
        "SUM(CASE WHEN kind = 'question' THEN 1 ELSE 0 END) AS questions "
        "FROM post_segments GROUP BY post_id) AS c "
        "WHERE posts.id = c.post_id "
        "AND (c.answers > 0 OR c.replies > 0 OR c.questions > 0)"
    )
    op.drop_index("ix_posts_chat_author", table_name="posts")
    op.create_index("ix_posts_chat_author", "posts", [*_AUTHOR_INDEX, *COUNTS])


def downgrade() -> None:
    op.drop_index("ix_posts_chat_author", table_name="posts")
    op.create_index("ix_posts_chat_author", "posts", _AUTHOR_INDEX)
    for name in COUNTS:
        op.drop_column("posts", name)
