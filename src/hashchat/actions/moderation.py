"""Moderation: hide a post and unhide it, spotlight a post and take the spotlight off, block a
person from a series and unblock her."""

from __future__ import annotations

import sqlalchemy as sa

from hashchat.actions.access import is_blocked, load_post, load_series, load_user, require, role_in
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ConflictError, InvalidInputError
from hashchat.actions.permissions import STAFF, Mutation
from hashchat.actions.posts import refresh_post_event
from hashchat.actions.segments import refresh_chat_segments
from hashchat.actions.views import PostView, UserView, post_view
from hashchat.domain.events import HideEvent, SpotlightEvent, UnhideEvent
from hashchat.store.events import add_typed_event
from hashchat.store.models import Block, ChatRow, User


def do_hide_post(ctx: AppContext, actor: UserView, post_id: int) -> PostView:
    """Hide a post from the room, lists and recaps (it stays stored)."""
    now = ctx.now()
    with ctx.store.write() as session:
        post = load_post(session, post_id)
        chat = session.get(ChatRow, post.chat_id)
        assert chat is not None  # a post's chat is kept by the foreign key
        require(session, chat.series_id, actor, Mutation.HIDE_POST)
        post.hidden = True
        post = refresh_post_event(session, post)
        refresh_chat_segments(session, chat)  # replies to it no longer inherit from it
        add_typed_event(session, chat.id, HideEvent(post_id=post.id, chat_id=chat.id), now)
        view = post_view(post)
    ctx.bus.publish(view.chat_id)
    return view


def do_unhide_post(ctx: AppContext, actor: UserView, post_id: int) -> PostView:
    """Undo a hide: the post is back in the room, lists and recaps, and its replies inherit
    from it again. Its `post` event is rewritten to the restored post (a replay shows it) and
    an `unhide` event carries the restored post to open streams. Idempotent."""
    now = ctx.now()
    with ctx.store.write() as session:
        post = load_post(session, post_id)
        chat = session.get(ChatRow, post.chat_id)
        assert chat is not None
        require(session, chat.series_id, actor, Mutation.UNHIDE_POST)
        if not post.hidden:
            return post_view(post)
        post.hidden = False
        refresh_chat_segments(session, chat)  # the post and replies to it get their answers back
        post = refresh_post_event(session, post)
        view = post_view(post)
        add_typed_event(session, chat.id, UnhideEvent(post.id, chat.id, view), now)
    ctx.bus.publish(view.chat_id)
    return view


def do_spotlight_post(ctx: AppContext, actor: UserView, post_id: int, on: bool = True) -> PostView:
    """Spotlight a post (or take the spotlight away with `on=False`)."""
    now = ctx.now()
    with ctx.store.write() as session:
        post = load_post(session, post_id)
        chat = session.get(ChatRow, post.chat_id)
        assert chat is not None
        require(session, chat.series_id, actor, Mutation.SPOTLIGHT_POST)
        post.spotlight = on
        post = refresh_post_event(session, post)
        add_typed_event(session, chat.id, SpotlightEvent(post.id, chat.id, on), now)
        view = post_view(post)
    ctx.bus.publish(view.chat_id)
    return view


def do_block_user(ctx: AppContext, actor: UserView, tag: str, name: str) -> UserView:
    """Block a person from posting in the series. Idempotent. Someone with a staff role
    (owner, cohost, moderator) cannot be blocked: 409, take the role away first."""
    with ctx.store.write() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.BLOCK_USER)
        user = load_user(session, name)
        if user.id == actor.id:
            raise InvalidInputError("you cannot block yourself")
        role = role_in(session, series.id, user.id)
        if role in STAFF:
            raise ConflictError(
                f"{user.name} is a {role} of #{series.tag} and cannot be blocked; "
                "take the role away first"
            )
        if not is_blocked(session, series.id, user.id):
            session.add(
                Block(
                    series_id=series.id,
                    user_id=user.id,
                    blocked_by_id=actor.id,
                    created_at=ctx.now(),
                )
            )
        return UserView(user.id, user.name, user.display_name, user.timezone, user.is_admin)


def do_unblock_user(ctx: AppContext, actor: UserView, tag: str, name: str) -> UserView:
    """Let a blocked person post in the series again. Idempotent (unblocking someone who is not
    blocked changes nothing); 404 for an unknown series or person."""
    with ctx.store.write() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.UNBLOCK_USER)
        user = load_user(session, name)
        session.execute(
            sa.delete(Block).where(Block.series_id == series.id, Block.user_id == user.id)
        )
        return UserView(user.id, user.name, user.display_name, user.timezone, user.is_admin)


def list_blocked(ctx: AppContext, tag: str) -> list[str]:
    """Handles blocked from a series."""

    with ctx.store.read() as session:
        series = load_series(session, tag)
        names = session.scalars(
            sa.select(User.name)
            .join(Block, Block.user_id == User.id)
            .where(Block.series_id == series.id)
            .order_by(User.name)
        ).all()
    return list(names)
