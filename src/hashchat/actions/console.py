"""What the host console reads, in one call: the chat, its plan, the recent posts (hidden ones
too), who the hosts are and who is blocked, the networks the chat runs on (with its opening post
on each, the strictest character rule), each bridge's health, and the chat on the series' blog
(issue 12: its health, the announcement and recap). Hosts only, as the permission matrix says."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from hashchat.actions.access import load_chat, require
from hashchat.actions.blog import ChatBlog, chat_blog
from hashchat.actions.bridges import BridgeView, ChatNetworks, chat_networks, health_of_series
from hashchat.actions.chats import PlanItemView, cadence_from_json, chat_plan, read_chat
from hashchat.actions.context import AppContext
from hashchat.actions.moderation import list_blocked
from hashchat.actions.network_blocks import BlockedHandle, blocked_handles
from hashchat.actions.permissions import Mutation
from hashchat.actions.posts import host_handles
from hashchat.actions.views import ChatView, PostView, UserView, post_view
from hashchat.domain.schedule import Cadence
from hashchat.store.models import PostRow

RECENT_POSTS = 50


@dataclass(frozen=True, slots=True)
class ConsoleView:
    """The console of one chat: newest posts first."""

    chat: ChatView
    cadence: Cadence
    plan: tuple[PlanItemView, ...]
    recent_posts: tuple[PostView, ...]
    host_handles: frozenset[str]
    blocked: tuple[str, ...]
    networks: ChatNetworks
    bridges: tuple[BridgeView, ...]
    blocked_handles: tuple[BlockedHandle, ...]
    blog: ChatBlog | None = None


def read_console(ctx: AppContext, actor: UserView, chat_id: int) -> ConsoleView:
    """The console of `chat_id` for `actor`: 404 for an unknown chat, 403 unless she may run
    it (owners, co-hosts and site admins)."""
    with ctx.store.read() as session:
        chat_row = load_chat(session, chat_id)
        require(session, chat_row.series_id, actor, Mutation.START_CHAT)
        chat = read_chat(session, chat_id)
        hosts = host_handles(session, chat_row.series_id)
        rows = session.scalars(
            sa.select(PostRow)
            .where(PostRow.chat_id == chat_id)
            .order_by(PostRow.created_at.desc(), PostRow.id.desc())
            .limit(RECENT_POSTS)
        ).all()
        posts = tuple(post_view(row) for row in rows)
        cadence = cadence_from_json(chat_row.cadence)
        health = tuple(health_of_series(session, chat_row.series_id, ctx.now()))
        handles = tuple(blocked_handles(session, chat_row.series_id))
        on_the_blog = chat_blog(session, chat_row, ctx.now())
    return ConsoleView(
        chat=chat,
        cadence=cadence,
        plan=tuple(chat_plan(ctx, chat_id)),
        recent_posts=posts,
        host_handles=hosts,
        blocked=tuple(list_blocked(ctx, chat.series_tag)),
        networks=chat_networks(ctx, chat_id),
        bridges=health,
        blocked_handles=handles,
        blog=on_the_blog,
    )
