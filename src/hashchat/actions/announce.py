"""A chat's announcement on the series' blog (issue 12): what it says, and publishing it once.

- `announcement_of`: the post built from the chat and its series as they are now (title, the
  host's framing, the start in the series' zones, room and calendar links, the participation
  guide, the questions or "revealed live"); `formats.blog_posts` writes its HTML.
- `do_announce` (hosts, `EDIT_CHAT`): 409 unless the chat is scheduled or live and the series has
  a blog; publishes through the caller's `OpenBlog`, or updates the post it published before
  (same id and address), and answers once WordPress has it (422 when the blog refuses the
  password now, 503 when it cannot be reached).
- Each of our posts on the blog is a `blog_posts` row, `reserve`d before WordPress is asked and
  given its WordPress id after (`record_published`): a repeat updates, a retry never publishes
  twice, and an attempt that died halfway is recovered by the post's slug.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions.access import load_chat, require
from hashchat.actions.blog import (
    ANNOUNCEABLE,
    ANNOUNCEMENT,
    BlogUnavailableError,
    BlogWork,
    LoginRejectedError,
    OpenBlog,
    Published,
    blog_of_chat,
)
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ConflictError
from hashchat.actions.permissions import Mutation
from hashchat.actions.views import UserView
from hashchat.bridges.errors import BridgeError, LoginRefusedError
from hashchat.domain.announce import (
    Announcement,
    announcement_slug,
    announcement_zones,
    guide_text,
)
from hashchat.domain.schedule import ScheduleError, announcement_line
from hashchat.formats.blog_posts import announcement_html
from hashchat.store.models import BlogPostRow, ChatRow, QuestionRow, SeriesRow


@dataclass(frozen=True, slots=True)
class AnnounceResult:
    """The announcement post, and whether this call made it (201) or updated it (200)."""

    post_id: int
    url: str
    created: bool


def announcement_of(session: Session, ctx: AppContext, chat: ChatRow, reveal: bool) -> Announcement:
    """What a chat's announcement post says, from the chat and its series as they are now."""
    series = session.get(SeriesRow, chat.series_id)
    assert series is not None
    zones = tuple(z for z in (series.announcement_zones or "").split(",") if z)
    try:
        when = announcement_line(chat.starts_at, announcement_zones(series.timezone, zones))
    except ScheduleError:
        when = ""
    questions = tuple(
        session.scalars(
            sa.select(QuestionRow.text)
            .where(QuestionRow.chat_id == chat.id)
            .order_by(QuestionRow.number)
        )
    )
    base = ctx.settings.base_url.rstrip("/")
    return Announcement(
        tag=series.tag,
        title=chat.title,
        topic=chat.topic or "",
        when=when,
        room_url=f"{base}/chats/{chat.id}",
        calendar_url=f"{base}/chats/{chat.id}/calendar.ics",
        guide=guide_text(series.tag, series.guide or "", series.char_limit, series.char_rule),
        questions=questions,
        reveal_questions=reveal,
    )


def digest(*parts: str) -> str:
    """A short fingerprint of what was published (so an unchanged chat is not re-sent)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def reserve(
    session: Session, blog_id: int, chat_id: int, kind: str, number: int, now: datetime
) -> tuple[BlogPostRow, bool]:
    """The row of one of our posts on the blog, made (without a WordPress id) if new, and
    whether it is new. An old row without an id is an attempt that may have died after
    WordPress made the post: look for it before publishing again."""
    row = session.scalar(
        sa.select(BlogPostRow).where(
            BlogPostRow.blog_id == blog_id,
            BlogPostRow.chat_id == chat_id,
            BlogPostRow.kind == kind,
            BlogPostRow.number == number,
        )
    )
    if row is None:
        row = BlogPostRow(
            blog_id=blog_id,
            chat_id=chat_id,
            kind=kind,
            number=number,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        return row, True
    return row, False


def record_published(
    ctx: AppContext, row_id: int, published: Published, content_digest: str | None = None
) -> None:
    """Keep a post's WordPress id and address (and what it now says)."""
    with ctx.store.write() as session:
        row = session.get(BlogPostRow, row_id)
        if row is None:
            return
        row.wp_id, row.url = published.post_id, published.url[:500]
        if content_digest is not None:
            row.content_digest = content_digest
        row.updated_at = ctx.now()


def do_announce(
    ctx: AppContext,
    actor: UserView,
    chat_id: int,
    opener: OpenBlog,
    *,
    reveal_questions: bool | None = None,
) -> AnnounceResult:
    """Publish the chat's announcement on the series' blog, or update it when it is there
    (same id and address). 409 unless the chat is scheduled or live and a blog is connected;
    the answer comes once WordPress has the post."""
    now = ctx.now()
    with ctx.store.write() as session:
        chat = load_chat(session, chat_id)
        require(session, chat.series_id, actor, Mutation.EDIT_CHAT)
        if chat.state not in ANNOUNCEABLE:
            raise ConflictError(
                f"the chat is {chat.state}: only a scheduled or live chat is announced"
            )
        work = blog_of_chat(session, chat)
        if work is None:
            raise ConflictError("the series has no blog connected (or its password cannot be read)")
        row, fresh = reserve(session, work.id, chat.id, ANNOUNCEMENT, 0, now)
        if reveal_questions is not None:
            row.reveal_questions = reveal_questions
        announcement = announcement_of(session, ctx, chat, row.reveal_questions)
        row_id, post_id, had = row.id, row.wp_id, row.wp_id is not None
    try:
        published = send_announcement(
            ctx, work, opener, chat_id, row_id, post_id, announcement, recover=not fresh
        )
    except LoginRefusedError as error:
        raise LoginRejectedError(f"the blog refused the password: {error.reason}") from None
    except BridgeError as error:
        raise BlogUnavailableError(f"the blog did not publish it: {error.reason}") from None
    assert published is not None  # always sent when no digest is given
    return AnnounceResult(published.post_id, published.url, created=not had)


def send_announcement(
    ctx: AppContext,
    work: BlogWork,
    opener: OpenBlog,
    chat_id: int,
    row_id: int,
    post_id: int | None,
    announcement: Announcement,
    known_digest: str | None = None,
    *,
    recover: bool = False,
) -> Published | None:
    """Publish the announcement, or update the post `post_id`; None when it already says
    exactly this (`known_digest`). With `recover` (an earlier attempt died before the post's
    id was kept), a post of ours found by its slug is updated instead of publishing twice."""
    content = announcement_html(announcement)
    fingerprint = digest(announcement.post_title, content)
    if post_id is not None and fingerprint == known_digest:
        return None
    slug = announcement_slug(work.tag, chat_id)
    client = work.open(opener)
    try:
        if post_id is None and recover:
            found = client.find_post(slug)
            post_id = found.post_id if found is not None else None
        if post_id is None:
            published = client.publish(slug, announcement.post_title, content, comments_open=True)
        else:
            published = client.update(post_id, title=announcement.post_title, content=content)
    finally:
        client.close()
    record_published(ctx, row_id, published, fingerprint)
    return published
