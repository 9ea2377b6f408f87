"""series tag skeleton; canonical tag keys and zone names

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

Adds `series.tag_skeleton` (unique: two series whose tags look alike cannot both exist, even
when created at the same instant), recomputes `tag_key` as the NFKC case-folded tag, and
stores every series' and person's time zone under its canonical IANA name (a name that is not
an IANA zone, such as `localtime` or `Factory`, becomes `UTC`). Rows that already clash keep
what they had: a tag key that another series took first stays as it was, and a skeleton that
an older series already has is left null, so old look-alikes survive but no new one can join.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hashchat.domain.schedule import ScheduleError
from hashchat.domain.schedule.zones import canonical_zone_name
from hashchat.domain.text.tags import tag_key, tag_skeleton

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _zone(name: str) -> str:
    try:
        return canonical_zone_name(name)
    except ScheduleError:
        return "UTC"


def upgrade() -> None:
    with op.batch_alter_table("series") as batch:
        batch.add_column(sa.Column("tag_skeleton", sa.String(length=400), nullable=True))
    connection = op.get_bind()
    series = sa.table(
        "series",
        sa.column("id", sa.Integer),
        sa.column("tag", sa.String),
        sa.column("tag_key", sa.String),
        sa.column("tag_skeleton", sa.String),
        sa.column("timezone", sa.String),
    )
    rows = connection.execute(
        sa.select(series.c.id, series.c.tag, series.c.tag_key, series.c.timezone).order_by(
            series.c.id
        )
    ).all()
    keys = {row.tag_key for row in rows}
    skeletons: set[str] = set()
    for row in rows:
        key = tag_key(row.tag)
        if key != row.tag_key and key in keys:
            key = row.tag_key  # an older series has the new key already
        keys.discard(row.tag_key)
        keys.add(key)
        skeleton: str | None = tag_skeleton(row.tag)
        if skeleton in skeletons:
            skeleton = None
        else:
            skeletons.add(skeleton or "")
        connection.execute(
            series.update()
            .where(series.c.id == row.id)
            .values(tag_key=key, tag_skeleton=skeleton, timezone=_zone(row.timezone))
        )
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("timezone", sa.String))
    for user_id, zone in connection.execute(sa.select(users.c.id, users.c.timezone)).all():
        if _zone(zone) != zone:
            connection.execute(
                users.update().where(users.c.id == user_id).values(timezone=_zone(zone))
            )
    with op.batch_alter_table("series") as batch:
        batch.create_unique_constraint(op.f("uq_series_tag_skeleton"), ["tag_skeleton"])


def downgrade() -> None:
    with op.batch_alter_table("series") as batch:
        batch.drop_constraint(op.f("uq_series_tag_skeleton"), type_="unique")
        batch.drop_column("tag_skeleton")
