"""Read-only queries behind the pages; every mutation goes through hashchat.actions instead."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions.posts import POST_ORDER
from hashchat.actions.views import post_view, series_view, user_view
from hashchat.domain.text.tags import tag_key
from hashchat.store.models import (
    Block,
    ChatRow,
    Membership,
    PostRow,
    QuestionRow,
    SeriesRow,
    User,
)
from hashchat.web.pages.views import (
    ChatView,
    MemberView,
    PostView,
    QuestionView,
    SeriesView,
    Viewer,
)

HOST_ROLES = ("owner", "cohost")
ROLE_ORDER = {"owner": 0, "cohost": 1, "moderator": 2, "participant": 3}


def viewer_by_id(session: Session, user_id: int) -> Viewer | None:
    """The person with `user_id`, as a page viewer."""
    user = session.get(User, user_id)
    if user is None:
        return None
    return user_view(user)


def all_series(session: Session) -> list[SeriesView]:
    """Every series, by title."""
    rows = session.scalars(sa.select(SeriesRow).order_by(SeriesRow.title)).all()
    return [series_view(row) for row in rows]


def series_by_tag(session: Session, tag: str) -> SeriesView | None:
    """The series whose tag is `tag`, case-insensitively, with or without a leading '#'."""
    row = session.scalars(sa.select(SeriesRow).where(SeriesRow.tag_key == tag_key(tag))).first()
    return None if row is None else series_view(row)


def series_by_id(session: Session, series_id: int) -> SeriesView | None:
    """The series with `series_id`."""
    row = session.get(SeriesRow, series_id)
    return None if row is None else series_view(row)


def series_members(session: Session, series_id: int, roles: tuple[str, ...]) -> list[MemberView]:
    """Members of a series with one of `roles`, owners first."""
    rows = session.execute(
        sa.select(User.name, User.display_name, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.series_id == series_id, Membership.role.in_(roles))
    ).all()
    members = [MemberView(name, display, role) for name, display, role in rows]
    return sorted(members, key=lambda m: (ROLE_ORDER.get(m.role, 9), m.name))


def role_in_series(session: Session, series_id: int, user_id: int) -> str | None:
    """The role of a person in a series, None without one."""
    return session.scalars(
        sa.select(Membership.role).where(
            Membership.series_id == series_id, Membership.user_id == user_id
        )
    ).first()


def is_blocked(session: Session, series_id: int, user_id: int) -> bool:
    """True when the person may not post in the series."""
    found = session.scalars(
        sa.select(Block.id).where(Block.series_id == series_id, Block.user_id == user_id)
    ).first()
    return found is not None


def _questions(session: Session, chat_id: int) -> tuple[QuestionView, ...]:
    rows = session.scalars(
        sa.select(QuestionRow).where(QuestionRow.chat_id == chat_id).order_by(QuestionRow.number)
    ).all()
    return tuple(QuestionView(row.number, row.text, row.asked_at) for row in rows)


def _chat_view(session: Session, row: ChatRow) -> ChatView:
    return ChatView(
        id=row.id,
        series_id=row.series_id,
        title=row.title,
        starts_at=row.starts_at,
        duration_minutes=row.duration_minutes,
        state=row.state,
        started_at=row.started_at,
        ended_at=row.ended_at,
        closed_at=row.closed_at,
        questions=_questions(session, row.id),
    )


def chat_by_id(session: Session, chat_id: int) -> ChatView | None:
    """The chat with `chat_id` and its questions."""
    row = session.get(ChatRow, chat_id)
    return None if row is None else _chat_view(session, row)


def chats_of_series(session: Session, series_id: int) -> list[ChatView]:
    """Every chat of a series, earliest first."""
    rows = session.scalars(
        sa.select(ChatRow)
        .where(ChatRow.series_id == series_id)
        .order_by(ChatRow.starts_at, ChatRow.id)
    ).all()
    return [_chat_view(session, row) for row in rows]


def next_chat_of_series(session: Session, series_id: int, now: datetime) -> ChatView | None:
    """The earliest scheduled chat of a series that starts after `now`."""
    row = session.scalars(
        sa.select(ChatRow)
        .where(
            ChatRow.series_id == series_id,
            ChatRow.state == "scheduled",
            ChatRow.starts_at >= now,
        )
        .order_by(ChatRow.starts_at)
    ).first()
    return None if row is None else _chat_view(session, row)


def posts_of_chat(
    session: Session, chat_id: int, *, include_hidden: bool = False
) -> list[PostView]:
    """The posts of a chat, oldest first (hidden ones only when asked, for moderators)."""
    query = sa.select(PostRow).where(PostRow.chat_id == chat_id)
    if not include_hidden:
        query = query.where(PostRow.hidden.is_(False))
    rows = session.scalars(query.order_by(*POST_ORDER)).all()
    return [post_view(row) for row in rows]
