"""redact the stored post events of hidden posts

Since issue 8 a post's `post` event is rewritten to the post's current view whenever it changes
(`actions.posts.refresh_post_event`), and a hidden post's is `{"id", "chat_id", "hidden": true}`.
Posts hidden before that still had their original text in the event log, which every replay
served: this rewrites them once. The shape is written out here (a migration is a snapshot; the
code's rule may move on).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import json
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_posts = sa.table(
    "posts", sa.column("id", sa.Integer), sa.column("chat_id", sa.Integer), sa.column("hidden")
)
_events = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("chat_id", sa.Integer),
    sa.column("type", sa.String),
    sa.column("data", sa.Text),
)


def upgrade() -> None:
    connection = op.get_bind()
    hidden: dict[int, set[int]] = defaultdict(set)
    for post_id, chat_id in connection.execute(
        sa.select(_posts.c.id, _posts.c.chat_id).where(_posts.c.hidden == sa.true())
    ):
        hidden[chat_id].add(post_id)
    for chat_id, post_ids in hidden.items():
        post_events = connection.execute(
            sa.select(_events.c.id, _events.c.data).where(
                _events.c.chat_id == chat_id, _events.c.type == "post"
            )
        ).all()
        for event_id, data in post_events:
            post_id = json.loads(data).get("id")
            if post_id not in post_ids:
                continue
            stub = {"id": post_id, "chat_id": chat_id, "hidden": True}
            connection.execute(
                sa.update(_events)
                .where(_events.c.id == event_id)
                .values(data=json.dumps(stub, separators=(",", ":")))
            )


def downgrade() -> None:
    """Nothing to undo: the posts keep their text; the events say what they say now."""
