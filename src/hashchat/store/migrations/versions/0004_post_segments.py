"""post segments: the recap pipeline's segments of every visible post, as a table

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04

The table is filled for the chats already stored, by the same domain code the server and
`hashchat recap FILE` run (`domain.recap.transcript_of_posts`), read through plain SQL on the
columns as they are at this revision; each post's own attribution columns are set from it too.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from hashchat.domain.chat import ChatWindow, Post, Question
from hashchat.domain.recap import transcript_of_posts
from hashchat.store.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_chats = sa.table(
    "chats",
    sa.column("id", sa.Integer),
    sa.column("starts_at", UTCDateTime()),
    sa.column("started_at", UTCDateTime()),
    sa.column("ended_at", UTCDateTime()),
)
_questions = sa.table(
    "questions",
    sa.column("chat_id", sa.Integer),
    sa.column("number", sa.Integer),
    sa.column("text", sa.Text),
    sa.column("asked_at", UTCDateTime()),
)
_posts = sa.table(
    "posts",
    sa.column("id", sa.Integer),
    sa.column("chat_id", sa.Integer),
    sa.column("author_handle", sa.String),
    sa.column("text", sa.Text),
    sa.column("created_at", UTCDateTime()),
    sa.column("network", sa.String),
    sa.column("reply_to_post_id", sa.Integer),
    sa.column("external_id", sa.String),
    sa.column("external_url", sa.String),
    sa.column("is_host", sa.Boolean),
    sa.column("hidden", sa.Boolean),
    sa.column("question", sa.Integer),
    sa.column("part", sa.String),
    sa.column("inferred", sa.Boolean),
    sa.column("late", sa.Boolean),
    sa.column("segments", sa.JSON),
)


def upgrade() -> None:
    segments = op.create_table(
        "post_segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("question", sa.Integer(), nullable=True),
        sa.Column("part", sa.String(length=10), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("inferred", sa.Boolean(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["chats.id"],
            name=op.f("fk_post_segments_chat_id_chats"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_post_segments_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_segments")),
        sa.UniqueConstraint("post_id", "position", name=op.f("uq_post_segments_post_id_position")),
    )
    op.create_index("ix_post_segments_chat_id_question", "post_segments", ["chat_id", "question"])
    op.create_index("ix_posts_chat_id_created_at", "posts", ["chat_id", "created_at"])
    connection = op.get_bind()
    for chat in connection.execute(sa.select(_chats)).all():
        _fill(connection, segments, chat)


def _fill(connection: sa.Connection, segments: sa.Table, chat: Any) -> None:
    rows = connection.execute(sa.select(_posts).where(_posts.c.chat_id == chat.id)).all()
    if not rows:
        return
    questions = [
        Question(q.number, q.text, q.asked_at)
        for q in connection.execute(
            sa.select(_questions).where(_questions.c.chat_id == chat.id)
        ).all()
    ]
    posts = [
        Post(
            id=str(row.id),
            author=row.author_handle,
            text=row.text,
            created_at=row.created_at,
            network=row.network,
            reply_to=None if row.reply_to_post_id is None else str(row.reply_to_post_id),
            external_id=row.external_id,
            url=row.external_url,
            by_host=bool(row.is_host),
        )
        for row in rows
    ]
    window = ChatWindow(started_at=chat.started_at or chat.starts_at, ended_at=chat.ended_at)
    hidden = frozenset(str(row.id) for row in rows if row.hidden)
    transcript = transcript_of_posts(posts, questions, window, hidden)
    by_post: dict[int, list[dict[str, Any]]] = {}
    for entry in transcript.segments:
        a = entry.attribution
        by_post.setdefault(int(entry.post.id), []).append(
            {
                "kind": entry.kind.value,
                "question": a.question,
                "part": a.part,
                "text": a.text,
                "inferred": a.inferred,
                "late": a.late,
            }
        )
    for post_id, found in by_post.items():
        connection.execute(
            sa.insert(segments),
            [
                {"chat_id": chat.id, "post_id": post_id, "position": position, **segment}
                for position, segment in enumerate(found)
            ],
        )
        first = found[0]
        connection.execute(
            sa.update(_posts)
            .where(_posts.c.id == post_id)
            .values(
                question=first["question"],
                part=first["part"],
                inferred=first["inferred"],
                late=any(segment["late"] for segment in found),
                segments=[
                    {key: segment[key] for key in ("question", "part", "text", "inferred", "late")}
                    for segment in found
                ],
            )
        )


def downgrade() -> None:
    op.drop_index("ix_posts_chat_id_created_at", table_name="posts")
    op.drop_index("ix_post_segments_chat_id_question", table_name="post_segments")
    op.drop_table("post_segments")
