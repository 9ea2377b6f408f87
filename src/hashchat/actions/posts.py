"""Posting in a chat: compose, validate against the series' rule, attribute, store, publish."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions import idempotency
from hashchat.actions.access import load_chat, load_post
from hashchat.actions.context import AppContext
from hashchat.actions.errors import (
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    RateLimitedError,
)
from hashchat.actions.idempotency import Answer, check_idempotency_key, fingerprint
from hashchat.actions.permissions import HOSTS, Mutation, Role, is_allowed
from hashchat.actions.person_networks import add_cross_posts, check_cross_post
from hashchat.actions.segments import store_segments_of_new_post
from hashchat.actions.validation import check_no_controls, check_no_stacked_marks
from hashchat.actions.views import PostView, UserView, post_view
from hashchat.domain.chat import ChatState
from hashchat.domain.compose import compose_post
from hashchat.domain.events import HiddenPostEvent, PostEvent, event_data
from hashchat.domain.text.controls import normalise_line_breaks
from hashchat.domain.text.length import BLUESKY_MAX_BYTES, measure, over_byte_limit
from hashchat.store.events import add_typed_event, rewrite_post_event
from hashchat.store.models import (
    MAX_ROW_ID,
    Block,
    ChatRow,
    Membership,
    PostRow,
    QuestionRow,
    SeriesRow,
    User,
)

MAX_POST_CHARACTERS = 20_000  # far above any series limit; stops abuse before measuring


@dataclass(frozen=True, slots=True)
class NewPost:
    """What a post will be, before it is attributed and stored."""

    author: User
    text: str
    reply_to: PostRow | None = None
    network: str = "hashchat"


def host_handles(session: Session, series_id: int) -> frozenset[str]:
    """Handles of the owners and cohosts of a series."""
    names = session.scalars(
        sa.select(User.name)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.series_id == series_id,
            Membership.role.in_([role.value for role in HOSTS]),
        )
    )
    return frozenset(names)


def store_post(
    session: Session, chat: ChatRow, new: NewPost, now: datetime, *, is_host: bool
) -> PostView:
    """Insert a post, its segments (`actions.segments`) and its `post` event in the caller's
    transaction."""
    row = PostRow(
        chat_id=chat.id,
        author_id=new.author.id,
        author_handle=new.author.name,
        display_name=new.author.display_name,
        network=new.network,
        text=new.text,
        created_at=now,
        reply_to_post_id=new.reply_to.id if new.reply_to else None,
        question=None,
        part=None,
        inferred=False,
        late=False,
        segments=[],
        is_host=is_host,
    )
    session.add(row)
    session.flush()
    store_segments_of_new_post(session, chat, row, new.reply_to)
    add_typed_event(session, chat.id, post_event(row), now)
    return post_view(row)


def post_event(row: PostRow) -> PostEvent | HiddenPostEvent:
    """A post's `post` event: the post's view (as the API returns it), or for a hidden post only
    that it is hidden (no text, author or attribution: a replay must not bring them back)."""
    if row.hidden:
        return HiddenPostEvent(id=row.id, chat_id=row.chat_id)
    return PostEvent(post_view(row))


def post_event_data(row: PostRow) -> dict[str, object]:
    """The JSON-ready data of `post_event(row)`."""
    data: dict[str, object] = event_data(post_event(row))
    return data


def refresh_post_event(session: Session, post: PostRow) -> PostRow:
    """After changing `post` (hide, spotlight, and any later edit), rewrite its `post` event to
    the post's current state in the caller's transaction, before the change's own event.

    The row is re-read under a row lock first: on PostgreSQL a concurrent change of the same
    post commits before this one reads it, so the event always ends as the row ends.
    Returns the re-read row.
    """
    session.flush()
    current = session.execute(
        sa.select(PostRow)
        .where(PostRow.id == post.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    rewrite_post_event(
        session, current.chat_id, current.id, current.created_at, post_event_data(current)
    )
    return current


@dataclass(frozen=True, slots=True)
class _Poster:
    """What posting needs to know before it checks anything, read in one query."""

    chat: ChatRow
    series: SeriesRow
    author: User
    role: Role | None
    blocked: bool


def _poster(session: Session, chat_id: int, actor: UserView) -> _Poster:
    """The chat, its series, the author's row, role and block, in one round trip (a post
    is the hot path: five separate reads were a third of its CPU). 404 as `load_chat`."""
    found = (
        session.execute(
            sa.select(ChatRow, SeriesRow, User, Membership.role, Block.id)
            .join(SeriesRow, SeriesRow.id == ChatRow.series_id)
            .join(User, User.id == actor.id)
            .outerjoin(
                Membership,
                (Membership.series_id == ChatRow.series_id) & (Membership.user_id == actor.id),
            )
            .outerjoin(Block, (Block.series_id == ChatRow.series_id) & (Block.user_id == actor.id))
            .where(ChatRow.id == chat_id)
        ).first()
        if 1 <= chat_id <= MAX_ROW_ID
        else None
    )
    if found is None:
        load_chat(session, chat_id)  # 404 when the chat is unknown
        raise NotFoundError("the chat's series or the author no longer exists")
    chat, series, author, role, block = found
    return _Poster(chat, series, author, None if role is None else Role(role), block is not None)


def posting_refusal(
    state: str, actor: UserView, role: Role | None, *, blocked: bool, started: bool = True
) -> str | None:
    """Why `actor` may not post in a chat in `state` (None: she may). The one rule the posting
    check and the room's compose box share; `started=False` asks about a scheduled chat as if
    it had started (the room renders its compose box hidden until the start)."""
    if state == ChatState.CLOSED.value:
        return "comments are closed: this chat is read-only"
    if state == ChatState.SCHEDULED.value and started:
        return "the chat has not started yet"
    if blocked:
        return f"{actor.name} is blocked from this series"
    if not is_allowed(Mutation.POST, role, is_admin=actor.is_admin):
        return f"{actor.name} may not post here"
    return None


def _check_can_post(poster: _Poster, actor: UserView) -> bool:
    """403 unless the chat takes posts and the actor may post; True when she is a host."""
    refusal = posting_refusal(poster.chat.state, actor, poster.role, blocked=poster.blocked)
    if refusal is not None:
        raise ForbiddenError(refusal)
    return poster.role in HOSTS


def _current_question(session: Session, chat_id: int) -> int | None:
    return session.scalar(
        sa.select(sa.func.max(QuestionRow.number)).where(
            QuestionRow.chat_id == chat_id, QuestionRow.asked_at.is_not(None)
        )
    )


def _check_question_asked(session: Session, chat_id: int, number: int) -> None:
    """422 unless question `number` of the chat has been asked (only those take answers)."""
    asked = session.scalar(
        sa.select(QuestionRow.id).where(
            QuestionRow.chat_id == chat_id,
            QuestionRow.number == number,
            QuestionRow.asked_at.is_not(None),
        )
    )
    if asked is None:
        raise InvalidInputError(f"question: Q{number} has not been asked in this chat")


@dataclass(frozen=True, slots=True)
class PostRequest:
    """What a person asked to post (before composing and checking)."""

    text: str
    reply_to: int | None = None
    auto: bool = False
    # The question the poster picked (the room's picker after the live hour): `A{n} ` is put in
    # front when the text answers nothing, so what is stored is what the preview showed.
    question: int | None = None
    # Her connected networks to cross-post to (`actions.person_networks`), recorded with the post.
    cross_post: tuple[str, ...] = ()

    def check_size(self) -> None:
        """422 for absurdly long texts, before any work is done on them."""
        if len(self.text) > MAX_POST_CHARACTERS:
            raise InvalidInputError(f"the post has more than {MAX_POST_CHARACTERS} characters")


def _create_post(
    session: Session,
    ctx: AppContext,
    actor: UserView,
    chat_id: int,
    request: PostRequest,
    now: datetime,
) -> PostView:
    poster = _poster(session, chat_id, actor)
    chat, series, author = poster.chat, poster.series, poster.author
    is_host = _check_can_post(poster, actor)
    text = normalise_line_breaks(request.text)
    if not text.strip():
        raise InvalidInputError("the post is empty")  # nothing to tag: an empty box posts nothing
    if request.question is not None:
        _check_question_asked(session, chat.id, request.question)
        text = compose_post(text, request.question, "")
    if request.auto:
        current = _current_question(session, chat.id) if chat.state == "live" else None
        text = compose_post(
            text, current, series.tag, is_reply=request.reply_to is not None, by_host=is_host
        )
    if not text.strip():
        raise InvalidInputError("the post is empty")
    check_no_stacked_marks(text, "the post")
    check_no_controls(text, "the post", multiline=True)
    measured = measure(text, network=series.char_rule, limit=series.char_limit)
    if not measured.valid:
        oversize = over_byte_limit(text, series.char_rule)
        if oversize is not None:
            raise InvalidInputError(
                f"the post is {oversize} bytes in UTF-8; the {series.char_rule} rule takes at "
                f"most {BLUESKY_MAX_BYTES} (nothing was cut)"
            )
        raise InvalidInputError(
            f"the post is {measured.length} characters by the {series.char_rule} rule; "
            f"the limit of #{series.tag} is {measured.limit} (nothing was cut)"
        )
    parent = None
    if request.reply_to is not None:
        try:
            parent = load_post(session, request.reply_to)
        except NotFoundError:
            raise InvalidInputError(f"reply_to: there is no post {request.reply_to}") from None
        if parent.chat_id != chat.id:
            raise InvalidInputError(f"reply_to: post {request.reply_to} belongs to another chat")
    cross_to = check_cross_post(session, author.id, request.cross_post, text, series.tag)
    limiter = ctx.limits.posts
    key = f"{actor.id}:{chat.id}"
    if not limiter.consume(key, now.timestamp()):
        wait = limiter.retry_after(key, now.timestamp())
        raise RateLimitedError(
            f"too many posts; wait {wait:.0f} s before posting again", retry_after=wait
        )
    view = store_post(session, chat, NewPost(author, text, parent), now, is_host=is_host)
    add_cross_posts(session, view.id, cross_to, now)
    return view


def do_create_post(
    ctx: AppContext,
    actor: UserView,
    chat_id: int,
    text: str,
    reply_to: int | None = None,
    *,
    auto: bool = False,
    question: int | None = None,
    cross_post: Sequence[str] = (),
) -> PostView:
    """Post `text` in a chat as `actor`.

    403 when the chat is closed or not started or the actor is blocked; 422 when the text is
    empty, over the series' limit (measured by its rule, never cut) or replies to a post of
    another chat; 429 when the actor posts too fast. `auto` adds the current question's answer
    tag (during the live hour) and the series hashtag when they are missing; `question` (an
    asked question's number, 422 otherwise) puts `A{n} ` in front of a text that answers none.
    `cross_post` names her connected networks to post it to as well (422 for one she has not
    connected), recorded with the post and done by the outbox consumer `cross_posts`.
    """
    request = PostRequest(text, reply_to, auto, question, tuple(cross_post))
    request.check_size()
    now = ctx.now()
    with ctx.store.write() as session:
        view = _create_post(session, ctx, actor, chat_id, request, now)
    ctx.bus.publish(chat_id)
    return view


def do_create_post_once(
    ctx: AppContext,
    actor: UserView,
    chat_id: int,
    request: PostRequest,
    idempotency_key: str,
    render: Callable[[PostView], str],
) -> Answer:
    """`do_create_post` under an Idempotency-Key: the first request posts and stores its answer
    (201 and `render(view)`) with the post; a retry with the same key gets that answer again
    and posts nothing. 422 when the key was used for a different request."""
    request.check_size()
    key = check_idempotency_key(idempotency_key)
    asked = {
        k: v
        for k, v in asdict(request).items()
        if (k != "question" or v is not None) and (k != "cross_post" or v)
    }
    request_hash = fingerprint({"chat_id": chat_id, **asked})
    now = ctx.now()
    try:
        with ctx.store.write() as session:
            remembered = idempotency.recall(session, actor.id, key, request_hash, now)
            if remembered is not None:
                return remembered
            claimed = idempotency.reserve(session, actor.id, key, request_hash, now)
            view = _create_post(session, ctx, actor, chat_id, request, now)
            answer = Answer(201, render(view))
            idempotency.remember(claimed, answer)
    except sa.exc.IntegrityError:
        # A concurrent request with the same key committed first: answer as it did.
        with ctx.store.read() as session:
            remembered = idempotency.recall(session, actor.id, key, request_hash, now)
        if remembered is None:
            raise
        return remembered
    ctx.bus.publish(chat_id)
    return answer


# The one order of a chat's posts wherever they are listed (API, room, recap, export, the
# stream's replay of a page): by time, then id. Imports and bridges file posts out of id order.
POST_ORDER = (PostRow.created_at, PostRow.id)


def list_posts(
    ctx: AppContext, chat_id: int, question: int | None = None, *, include_hidden: bool = False
) -> list[PostView]:
    """Posts of a chat oldest first (`POST_ORDER`); `question` keeps those answering it (any
    segment)."""
    with ctx.store.read() as session:
        load_chat(session, chat_id)
        query = sa.select(PostRow).where(PostRow.chat_id == chat_id).order_by(*POST_ORDER)
        if not include_hidden:
            query = query.where(PostRow.hidden.is_(False))
        rows = session.scalars(query).all()
    views = [post_view(row) for row in rows]
    if question is None:
        return views
    return [v for v in views if any(s.question == question for s in v.segments)]
