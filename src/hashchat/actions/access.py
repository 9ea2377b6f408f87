"""Loading the things a request names and checking the actor's role, inside a transaction."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions.errors import ForbiddenError, NotFoundError
from hashchat.actions.permissions import Mutation, Role, is_allowed
from hashchat.actions.views import UserView
from hashchat.domain.text.tags import tag_key
from hashchat.store.models import (
    MAX_ROW_ID,
    Block,
    ChatRow,
    Membership,
    PostRow,
    SeriesRow,
    User,
)


def load_series(session: Session, tag: str) -> SeriesRow:
    """The series with this tag (case-insensitive, '#' optional); 404 when unknown."""
    series = session.scalar(sa.select(SeriesRow).where(SeriesRow.tag_key == tag_key(tag)))
    if series is None:
        raise NotFoundError(f"no series #{tag.strip().lstrip('#')}")
    return series


def load_chat(session: Session, chat_id: int) -> ChatRow:
    """The chat with this id; 404 when unknown."""
    chat = session.get(ChatRow, chat_id) if 1 <= chat_id <= MAX_ROW_ID else None
    if chat is None:
        raise NotFoundError(f"no chat {chat_id}")
    return chat


def load_post(session: Session, post_id: int) -> PostRow:
    """The post with this id; 404 when unknown."""
    post = session.get(PostRow, post_id) if 1 <= post_id <= MAX_ROW_ID else None
    if post is None:
        raise NotFoundError(f"no post {post_id}")
    return post


def load_user(session: Session, name: str) -> User:
    """The person with this handle; 404 when unknown."""
    user = session.scalar(sa.select(User).where(User.name == name.strip().lower()))
    if user is None:
        raise NotFoundError(f"no user named {name!r}")
    return user


def role_in(session: Session, series_id: int, user_id: int) -> Role | None:
    """The person's role in the series, None when she has none."""
    role = session.scalar(
        sa.select(Membership.role).where(
            Membership.series_id == series_id, Membership.user_id == user_id
        )
    )
    return None if role is None else Role(role)


def is_blocked(session: Session, series_id: int, user_id: int) -> bool:
    """True when the person is blocked from the series."""
    found = session.scalar(
        sa.select(Block.id).where(Block.series_id == series_id, Block.user_id == user_id)
    )
    return found is not None


def require(session: Session, series_id: int, actor: UserView, mutation: Mutation) -> Role | None:
    """The actor's role when the permission matrix lets her do `mutation`; 403 otherwise."""
    role = role_in(session, series_id, actor.id)
    if not is_allowed(mutation, role, is_admin=actor.is_admin):
        held = f"a {role.value}" if role else "not a member"
        raise ForbiddenError(f"{actor.name} is {held} of this series and may not {mutation.value}")
    return role
