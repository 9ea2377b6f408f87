"""The host's blog (issue 12): a series' WordPress blog, connected once, and its health.

- `do_connect_blog` (owners and cohosts): the role first, then `HASHCHAT_SECRET_KEY` (503
  naming it), then the fields (422), then one blog per series (409), then the login on the blog
  (the caller passes `verify`, network code: 422 with WordPress's reason), then the Application
  Password is stored sealed and the blog user's login is linked to the host who connected it
  (her comments on the blog are hers, a host's, in the room and in a later WXR import); a
  login already linked to another account is 409 (handles are linked per network, not per site).
- `blog_of_series` its health; `do_remove_blog` wipes the secret (filed comments stay).
- `blog_chats`: the series' coming and running chats with their posts on the blog (the page).
- A chat's announcement is `actions.announce`; keeping the blog in step afterwards (comments
  pulled, edits, replies, the recap and closed comments) is `actions.blog_sync`.

Network code is the caller's (`bridges.wordpress`): this module only reads the key to seal the
password.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions.access import load_series, require
from hashchat.actions.bridges import SecretKeyUnsetError
from hashchat.actions.context import AppContext
from hashchat.actions.errors import (
    ActionError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
)
from hashchat.actions.health import FAILED, OK, record_attempt
from hashchat.actions.ingest import link_handle
from hashchat.actions.permissions import Mutation
from hashchat.actions.views import UserView
from hashchat.bridges.credentials import (
    Credentials,
    SecretKeyMissingError,
    check_key,
    seal,
    unseal,
)
from hashchat.domain.chat import ChatState
from hashchat.domain.ingest import ForeignPost
from hashchat.store.models import (
    BlogPostRow,
    BlogRow,
    ChatRow,
    DeliveryRow,
    OutboxConsumer,
    OutboxRow,
    SeriesRow,
    User,
)

CONSUMER = "blog"
RECAP_MODES = ("post", "append")
ANNOUNCEMENT, RECAP, REPLY = "announcement", "recap", "reply"
ANNOUNCEABLE = (ChatState.SCHEDULED.value, ChatState.LIVE.value)
MAX_FIELD = 2_000


class LoginRejectedError(InvalidInputError):
    """WordPress refused the login (or the address is not a WordPress site); its reason."""


class BlogUnavailableError(ActionError):
    """The blog could not be reached or failed (503): try again; nothing was published twice."""

    status = 503


@dataclass(frozen=True, slots=True)
class BlogLogin:
    """Who an Application Password logs in as: the user's login, id and display name, and the
    site's home URL (the `source` of its comments, as its WXR export names it)."""

    login: str
    user_id: int
    name: str
    home: str


@dataclass(frozen=True, slots=True)
class Published:
    """A post on the blog: its WordPress id and address."""

    post_id: int
    url: str


class BlogClient(Protocol):
    """What the actions ask of a blog (`bridges.wordpress.WordPressSite`)."""

    def find_post(self, slug: str) -> Published | None: ...

    def publish(self, slug: str, title: str, content: str, *, comments_open: bool) -> Published: ...

    def update(self, post_id: int, **fields: Any) -> Published: ...

    def close_comments(self, post_id: int) -> None: ...

    def approved_comments(
        self, post_id: int, post_url: str, login: BlogLogin
    ) -> list[ForeignPost]: ...

    def still_approved(self, comment_id: int) -> bool: ...

    def reply(
        self, post_id: int, post_url: str, parent: int, text: str, at: datetime, login: BlogLogin
    ) -> ForeignPost: ...

    def close(self) -> None: ...


# How the caller reaches a blog: (address, user, Application Password) -> a client.
OpenBlog = Callable[[str, str, str], BlogClient]
# The caller's login check: (address, user, Application Password) -> who it logs in as.
VerifyBlog = Callable[[str, str, str], BlogLogin]


@dataclass(frozen=True, slots=True)
class BlogView:
    """A connected blog and its health, as the API and the pages show it (never the secret).

    `status` is ok, backing_off (pulling failed: `last_error`, retried in `backoff_seconds`)
    or failed (WordPress refused the password: connect it again); `pending` and `dead` count
    the blog's outbox deliveries (publications, updates, replies) waiting for a retry or given
    up, `delivery_error` the last one's reason."""

    url: str
    user: str
    status: str
    recap: str
    last_error: str | None
    last_pulled_at: datetime | None
    backoff_seconds: float
    pending: int
    dead: int
    delivery_error: str | None


@dataclass(frozen=True, slots=True)
class BlogWork:
    """What talking to one blog needs (the secret unsealed)."""

    id: int
    series_id: int
    tag: str
    url: str
    user: str
    user_id: int | None
    recap: str
    login: BlogLogin
    credentials: Credentials

    def open(self, opener: OpenBlog) -> BlogClient:
        """A client of this blog."""
        return opener(self.url, self.user, self.credentials["app_password"])


def check_blog_fields(fields: Mapping[str, object]) -> dict[str, str]:
    """`url`, `user`, `app_password` (and `recap`: post or append) as text; 422 naming the
    first problem."""
    known = ("url", "user", "app_password", "recap")
    unknown = sorted(set(fields) - set(known))
    if unknown:
        raise InvalidInputError(f"a blog takes no {unknown[0]!r} (it takes {list(known)})")
    values: dict[str, str] = {"recap": "post"}
    for name, value in fields.items():
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > MAX_FIELD or not value.isprintable():
            raise InvalidInputError(f"{name} must be printable text of at most {MAX_FIELD} chars")
        if value.strip():
            values[name] = value.strip()
    for name in ("url", "user", "app_password"):
        if not values.get(name):
            raise InvalidInputError(f"a blog needs {name}")
    if not values["url"].startswith(("http://", "https://")):
        raise InvalidInputError("url is the blog's address (https://blog.example.org)")
    values["url"] = values["url"].rstrip("/")
    if values["recap"] not in RECAP_MODES:
        raise InvalidInputError("recap is 'post' (a new post) or 'append' (to the announcement)")
    return values


def _wait(row: BlogRow, now: datetime) -> float:
    wait = (row.backoff_until - now).total_seconds() if row.backoff_until else 0.0
    return max(0.0, round(wait, 3))


def _view(session: Session, row: BlogRow, now: datetime) -> BlogView:
    chats = sa.select(ChatRow.id).where(ChatRow.series_id == row.series_id)
    deliveries = (
        sa.select(DeliveryRow.state, DeliveryRow.last_error)
        .join(OutboxConsumer, OutboxConsumer.id == DeliveryRow.consumer_id)
        .join(OutboxRow, OutboxRow.id == DeliveryRow.outbox_id)
        .where(
            OutboxConsumer.name == CONSUMER,
            OutboxRow.chat_id.in_(chats),
            DeliveryRow.state != "done",
            DeliveryRow.last_error.is_not(None),
        )
        .order_by(DeliveryRow.id)
    )
    troubled = session.execute(deliveries).all()
    return BlogView(
        url=row.url,
        user=row.wp_user,
        status=row.status,
        recap=row.recap,
        last_error=row.last_error,
        last_pulled_at=row.last_pulled_at,
        backoff_seconds=_wait(row, now),
        pending=sum(1 for t in troubled if t.state == "pending"),
        dead=sum(1 for t in troubled if t.state == "dead"),
        delivery_error=troubled[-1].last_error if troubled else None,
    )


def do_connect_blog(
    ctx: AppContext, actor: UserView, tag: str, fields: Mapping[str, object], verify: VerifyBlog
) -> BlogView:
    """Connect the series' blog after `verify` accepted the login (see the module docstring
    for the order of the refusals)."""
    with ctx.store.read() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.MANAGE_BRIDGES)
    try:
        check_key()
    except SecretKeyMissingError as error:
        raise SecretKeyUnsetError(str(error)) from None
    values = check_blog_fields(fields)
    with ctx.store.read() as session:
        _refuse_second(session, load_series(session, tag))
    login = verify(values["url"], values["user"], values["app_password"])
    now = ctx.now()
    with ctx.store.write() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.MANAGE_BRIDGES)
        _refuse_second(session, series)
        user = session.get(User, actor.id)
        if user is not None and login.login:
            try:
                link_handle(session, user, "wordpress", login.login, now)
            except ConflictError:
                # Logins are linked per network: filing her comments under another account
                # (or under none, while a later import files them under that one) would lie.
                raise ConflictError(
                    f"the WordPress user {login.login!r} is linked to another hashchat account "
                    f"(another blog's user of that name?): connect with a WordPress user of "
                    f"your own"
                ) from None
        row = BlogRow(
            series_id=series.id,
            user_id=actor.id,
            url=values["url"],
            source=login.home.rstrip("/") or values["url"],
            wp_user=login.login or values["user"],
            wp_user_id=login.user_id,
            wp_name=login.name,
            secret=seal(Credentials({"app_password": values["app_password"]})),
            recap=values["recap"],
            status=OK,
            failures=0,
            created_at=now,
        )
        session.add(row)
        session.flush()
        return _view(session, row, now)


def _refuse_second(session: Session, series: SeriesRow) -> None:
    found = session.scalar(sa.select(BlogRow.url).where(BlogRow.series_id == series.id))
    if found is not None:
        raise ConflictError(f"#{series.tag} already has a blog connected ({found})")


def _blog_row(session: Session, series: SeriesRow) -> BlogRow:
    row = session.scalar(sa.select(BlogRow).where(BlogRow.series_id == series.id))
    if row is None:
        raise NotFoundError(f"#{series.tag} has no blog connected")
    return row


def blog_of_series(ctx: AppContext, actor: UserView, tag: str) -> BlogView:
    """The series' blog with its health (owners and cohosts); 404 when none is connected."""
    now = ctx.now()
    with ctx.store.read() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.MANAGE_BRIDGES)
        return _view(session, _blog_row(session, series), now)


def find_blog(ctx: AppContext, actor: UserView, tag: str) -> BlogView | None:
    """The series' blog, or None (for the settings page)."""
    try:
        return blog_of_series(ctx, actor, tag)
    except NotFoundError:
        return None


def do_remove_blog(ctx: AppContext, actor: UserView, tag: str) -> None:
    """Disconnect the blog: its secret is wiped and the row deleted; filed comments stay."""
    with ctx.store.write() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.MANAGE_BRIDGES)
        row = _blog_row(session, series)
        row.secret = ""
        session.flush()
        session.delete(row)


def work_of(session: Session, row: BlogRow) -> BlogWork | None:
    """The blog's work, or None when its secret cannot be read (the key changed)."""
    try:
        credentials = unseal(row.secret)
    except SecretKeyMissingError:
        return None
    series = session.get(SeriesRow, row.series_id)
    assert series is not None  # kept by the foreign key
    login = BlogLogin(row.wp_user, row.wp_user_id, row.wp_name, row.source)
    return BlogWork(
        id=row.id,
        series_id=row.series_id,
        tag=series.tag,
        url=row.url,
        user=row.wp_user,
        user_id=row.user_id,
        recap=row.recap,
        login=login,
        credentials=credentials,
    )


def blog_of_chat(session: Session, chat: ChatRow) -> BlogWork | None:
    """The blog of a chat's series, or None (none connected, or its secret unreadable)."""
    row = session.scalar(sa.select(BlogRow).where(BlogRow.series_id == chat.series_id))
    return None if row is None else work_of(session, row)


def pull_due(row: BlogRow, now: datetime) -> bool:
    """Whether a blog's comments are pulled now (not while it backs off or has failed)."""
    if row.status == FAILED:
        return False
    return row.backoff_until is None or row.backoff_until <= now


def record_pull(
    ctx: AppContext,
    blog_id: int,
    *,
    error: str | None = None,
    backoff_seconds: float = 0.0,
    login_refused: bool = False,
) -> None:
    """How pulling went: ok, backing off after `error`, or failed (a refused password)."""
    now = ctx.now()
    with ctx.store.write() as session:
        row = session.get(BlogRow, blog_id)
        if row is None:
            return
        record_attempt(
            row, now, error=error, backoff_seconds=backoff_seconds, login_refused=login_refused
        )
        if error is None and not login_refused:
            row.last_pulled_at = now


@dataclass(frozen=True, slots=True)
class BlogChat:
    """A chat of the series as the blog page lists it: may it be announced, and where its
    announcement and recap are on the blog (None: not yet)."""

    chat_id: int
    title: str
    starts_at: datetime
    state: str
    announcement_url: str | None
    recap_url: str | None
    comments_closed: bool


def blog_chats(ctx: AppContext, actor: UserView, tag: str, limit: int = 20) -> list[BlogChat]:
    """The series' chats that are coming, running or recently over, with their posts on the
    blog (owners and cohosts), soonest first."""
    with ctx.store.read() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.MANAGE_BRIDGES)
        row = session.scalar(sa.select(BlogRow).where(BlogRow.series_id == series.id))
        chats = session.scalars(
            sa.select(ChatRow)
            .where(ChatRow.series_id == series.id, ChatRow.state != ChatState.CLOSED.value)
            .order_by(ChatRow.starts_at, ChatRow.id)
            .limit(limit)
        ).all()
        posts: dict[tuple[int, str], BlogPostRow] = {}
        if row is not None and chats:
            for post in session.scalars(
                sa.select(BlogPostRow).where(
                    BlogPostRow.blog_id == row.id,
                    BlogPostRow.chat_id.in_([c.id for c in chats]),
                    BlogPostRow.number == 0,
                )
            ):
                posts[(post.chat_id, post.kind)] = post
        listed = []
        for chat in chats:
            announced = posts.get((chat.id, ANNOUNCEMENT))
            recap = posts.get((chat.id, RECAP))
            listed.append(
                BlogChat(
                    chat_id=chat.id,
                    title=chat.title,
                    starts_at=chat.starts_at,
                    state=chat.state,
                    announcement_url=announced.url if announced and announced.wp_id else None,
                    recap_url=recap.url if recap and recap.wp_id else None,
                    comments_closed=bool(announced and announced.comments_closed_at),
                )
            )
        return listed


@dataclass(frozen=True, slots=True)
class ChatBlog:
    """A chat on the series' blog, for its console: the blog's health, and where the chat's
    announcement and recap are (None: not yet)."""

    blog: BlogView
    announcement_url: str | None
    recap_url: str | None
    comments_closed: bool


def chat_blog(session: Session, chat: ChatRow, now: datetime) -> ChatBlog | None:
    """The chat's blog side, or None when its series has no blog (the caller authorises)."""
    row = session.scalar(sa.select(BlogRow).where(BlogRow.series_id == chat.series_id))
    if row is None:
        return None
    posts = {
        post.kind: post
        for post in session.scalars(
            sa.select(BlogPostRow).where(
                BlogPostRow.blog_id == row.id,
                BlogPostRow.chat_id == chat.id,
                BlogPostRow.number == 0,
            )
        )
    }
    announced, recap = posts.get(ANNOUNCEMENT), posts.get(RECAP)
    return ChatBlog(
        blog=_view(session, row, now),
        announcement_url=announced.url if announced and announced.wp_id else None,
        recap_url=recap.url if recap and recap.wp_id else None,
        comments_closed=bool(announced and announced.comments_closed_at),
    )
