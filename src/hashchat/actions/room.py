"""The room's one read (issue 9, read side): a chat as its room shows it to one reader.

The page renders from this view alone; what the reader may do comes from the permission
matrix (`allowed_in_series`) and the posting rule (`posts.posting_refusal`), never from a
page's own reading of roles and blocks."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from hashchat.actions.access import is_blocked, load_chat, role_in
from hashchat.actions.bridges import ChatNetworks, chat_networks
from hashchat.actions.context import AppContext
from hashchat.actions.permissions import HOSTS, Mutation, Role
from hashchat.actions.posts import POST_ORDER, posting_refusal
from hashchat.actions.resume import newest_event_shown
from hashchat.actions.series import allowed_in_series
from hashchat.actions.upcoming import questions_shown_early
from hashchat.actions.views import (
    ChatView,
    PostView,
    SeriesView,
    UserView,
    chat_view,
    post_view,
    series_view,
)
from hashchat.store.models import PostRow, QuestionRow, SeriesRow


@dataclass(frozen=True, slots=True)
class RoomView:
    """A chat's room for one reader (None: anonymous)."""

    chat: ChatView
    series: SeriesView
    posts: tuple[PostView, ...]  # the shown ones (not hidden), in POST_ORDER
    questions_public: bool
    early_questions: tuple[tuple[int, str], ...]  # what an upcoming room shows, if public
    networks: ChatNetworks  # where the chat runs, and the strictest character rule
    resume_after: int  # the newest event the page shows: its stream resumes after it
    role: Role | None
    blocked: bool
    may: frozenset[Mutation]  # what the permission matrix lets the reader do in the series
    can_post: bool  # the compose box (hidden while the chat is scheduled)

    @property
    def is_host(self) -> bool:
        """The reader is a host of the series: her posts are never auto-tagged as answers
        (the same test as posting's)."""
        return self.role in HOSTS

    @property
    def spotlighted(self) -> tuple[PostView, ...]:
        """The posts pinned at the top of the room."""
        return tuple(post for post in self.posts if post.spotlight)


def get_room(ctx: AppContext, chat_id: int, reader: UserView | None) -> RoomView:
    """The room of chat `chat_id` as `reader` sees it; 404 when the chat is unknown."""
    # Read before the posts (and before the read below takes its snapshot), so that an event in
    # between is replayed rather than missed; room.js applies a post it already shows once.
    resume_after = newest_event_shown(ctx, chat_id)
    with ctx.store.read() as session:
        chat = load_chat(session, chat_id)
        series = session.get(SeriesRow, chat.series_id)
        assert series is not None
        questions = session.scalars(
            sa.select(QuestionRow).where(QuestionRow.chat_id == chat.id)
        ).all()
        posts = session.scalars(
            sa.select(PostRow)
            .where(PostRow.chat_id == chat.id, PostRow.hidden.is_(False))
            .order_by(*POST_ORDER)
        ).all()
        role = role_in(session, series.id, reader.id) if reader else None
        blocked = is_blocked(session, series.id, reader.id) if reader else False
        may = allowed_in_series(session, series.id, reader) if reader else frozenset()
        early = tuple(questions_shown_early(session, chat))
        view = chat_view(chat, series.tag, list(questions))
        shown = tuple(post_view(row) for row in posts)
        questions_public = chat.questions_public
        series_shown = series_view(series)
    can_post = reader is not None and (
        posting_refusal(view.state, reader, role, blocked=blocked, started=False) is None
    )
    return RoomView(
        chat=view,
        series=series_shown,
        posts=shown,
        questions_public=questions_public,
        early_questions=early,
        networks=chat_networks(ctx, chat_id),
        resume_after=resume_after,
        role=role,
        blocked=blocked,
        may=may,
        can_post=can_post,
    )
