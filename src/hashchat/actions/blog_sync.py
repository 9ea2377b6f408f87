"""The blog kept in step with the chat (issue 12), in the one background runner.

- **Comments in** (`BlogSync.pull_once`, a runner job every `PULL_SECONDS`): while a chat that
  has an announcement is live or taking late answers, the post's approved comments are read
  (paged) and filed through the ingest door as posts of the chat: identity
  `(wordpress, the site's home URL, comment-<id>)`, the WXR importer's, so edits update, an
  approved-later comment arrives then, and a filed comment that is no longer approved (held
  again, spam, trash, deleted) is filed as deleted (hidden). Held comments never enter. Nothing
  is filed when the list is the same as last time (its digest).
- **Our side out** (the outbox consumer `blog`, `BlogSync.handle`): an edit of the chat's plan
  updates the announcement; a host's reply in the room to a blog-borne comment, by the host who
  connected the blog, is posted as a threaded comment (`parent`) and the room's post takes the
  comment's identity, so the next pull and a later WXR import find it instead of adding it; when
  comments close, a last pull, then the recap (a new post or appended to the announcement) and
  `comment_status: closed` on the announcement. Each step is kept in `blog_posts` once done, so
  a retried delivery never publishes twice; a failure is retried by the outbox with back-off.

Network code is the caller's `OpenBlog` (`bridges.wordpress`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from hashchat.actions import announce, blog
from hashchat.actions.blog import (
    ANNOUNCEMENT,
    CONSUMER,
    RECAP,
    REPLY,
    BlogClient,
    BlogWork,
    OpenBlog,
    Published,
)
from hashchat.actions.context import AppContext
from hashchat.actions.ingest import IngestCounts, do_ingest_posts
from hashchat.actions.outbox import OutboxMessage, register_consumer, register_handler
from hashchat.actions.recap import render_recap
from hashchat.actions.runner import Job
from hashchat.bridges.errors import LoginRefusedError, NetworkBusyError
from hashchat.domain.announce import recap_slug
from hashchat.domain.chat import ChatState
from hashchat.domain.ingest import ForeignPost, Network
from hashchat.formats.blog_posts import announcement_html, recap_html, recap_title
from hashchat.store.models import BlogPostRow, BlogRow, ChatRow, PostRow

logger = logging.getLogger(__name__)

PULL_SECONDS = 5.0  # an approved comment reaches the room within 30 s with room to spare
MAX_BACKOFF_SECONDS = 300.0
RUNNING = (ChatState.LIVE.value, ChatState.LATE_ANSWERS.value)
PLAN_CHANGES = ("plan",)
# Held while a host's reply goes to the blog and takes its comment's identity, and while a pull
# reads and files comments: the pull never files that comment as someone's new post, nor finds
# the reply missing from a list read just before it was posted. (Per process.)
OWN_COMMENTS = threading.RLock()


def backoff_seconds(failures: int) -> float:
    """Wait after `failures` failed pulls in a row: 2, 4, 8 … up to five minutes."""
    return float(min(MAX_BACKOFF_SECONDS, 2.0 ** max(1, failures)))


def _comment_number(external_id: str) -> int:
    return int(external_id.removeprefix("comment-"))


class BlogSync:
    """Pulls comments (`pull_once`) and serves the `blog` outbox consumer (`handle`)."""

    def __init__(self, ctx: AppContext, opener: OpenBlog) -> None:
        self.ctx = ctx
        self.opener = opener

    # -- comments in --------------------------------------------------------------------------

    def pull_once(self) -> int:
        """Pull the comments of every running chat's announcement on every blog not backing
        off; returns how many posts were added or updated."""
        now = self.ctx.now()
        changed = 0
        with self.ctx.store.read() as session:
            blogs = [row for row in session.scalars(sa.select(BlogRow)) if blog.pull_due(row, now)]
            plan: list[tuple[BlogWork, int, list[int]]] = []
            for row in blogs:
                work = blog.work_of(session, row)
                chats = list(
                    session.scalars(
                        sa.select(BlogPostRow.chat_id)
                        .join(ChatRow, ChatRow.id == BlogPostRow.chat_id)
                        .where(
                            BlogPostRow.blog_id == row.id,
                            BlogPostRow.kind == ANNOUNCEMENT,
                            BlogPostRow.wp_id.is_not(None),
                            BlogPostRow.comments_closed_at.is_(None),
                            ChatRow.state.in_(RUNNING),
                        )
                    )
                )
                if work is not None and chats:
                    plan.append((work, row.failures, chats))
        for work, failures, chats in plan:
            try:
                client = work.open(self.opener)
                try:
                    for chat_id in chats:
                        counts = self.sync_comments(work, client, chat_id)
                        changed += counts.added + counts.updated if counts else 0
                finally:
                    client.close()
            except LoginRefusedError as error:
                blog.record_pull(self.ctx, work.id, error=error.reason, login_refused=True)
            except Exception as error:  # the chat goes on; the next round retries
                wait = backoff_seconds(failures + 1)
                if isinstance(error, NetworkBusyError) and error.retry_after:
                    wait = max(wait, error.retry_after)
                reason = getattr(error, "reason", None) or f"{type(error).__name__}: {error}"
                logger.warning(
                    "blog %s: pulling comments failed: %s", work.id, type(error).__name__
                )
                blog.record_pull(self.ctx, work.id, error=reason, backoff_seconds=wait)
            else:
                blog.record_pull(self.ctx, work.id)
        return changed

    def sync_comments(
        self, work: BlogWork, client: BlogClient, chat_id: int
    ) -> IngestCounts | None:
        """File the approved comments of the chat's announcement (and, as deleted, those filed
        before that are no longer approved); None when nothing changed since the last pull."""
        with self.ctx.store.read() as session:
            row = _post_row(session, work.id, chat_id, ANNOUNCEMENT)
            if row is None or row.wp_id is None:
                return None
            post_id, post_url, known = row.wp_id, row.url or "", row.comments_digest
        with OWN_COMMENTS:
            posts = client.approved_comments(post_id, post_url, work.login)
            fingerprint = announce.digest(
                *sorted(
                    "|".join(
                        (
                            p.external_id,
                            p.author_handle,
                            p.text,
                            p.reply_to or "",
                            p.created_at.isoformat(),
                        )
                    )
                    for p in posts
                )
            )
            if fingerprint == known:
                return None
            seen = {p.external_id for p in posts}
            with self.ctx.store.read() as session:
                stored = session.scalars(
                    sa.select(PostRow).where(
                        PostRow.chat_id == chat_id,
                        PostRow.network == Network.WORDPRESS.value,
                        PostRow.source == work.login.home,
                        PostRow.external_url.startswith(f"{post_url}#comment-", autoescape=True),
                        PostRow.hidden.is_(False),
                    )
                ).all()
                missing = [stale for stale in stored if stale.external_id not in seen]
                for stale in missing:
                    session.expunge(stale)
            # A comment is taken for gone only when the blog says so for that comment: a list
            # that comes back short (a cache, a plugin) must not hide what people wrote.
            gone = [
                _deleted(stale)
                for stale in missing
                if not client.still_approved(_comment_number(str(stale.external_id)))
            ]
            short = len(gone) < len(missing)  # the next pull must look again
            counts = do_ingest_posts(self.ctx, f"blog {work.url}", chat_id, [*posts, *gone])
            with self.ctx.store.write() as session:
                current = _post_row(session, work.id, chat_id, ANNOUNCEMENT)
                if current is not None:
                    current.comments_digest = None if short else fingerprint
        return counts

    # -- our side out -------------------------------------------------------------------------

    def handle(self, message: OutboxMessage) -> None:
        """Do what a chat event asks of the blog (see the module docstring)."""
        if message.chat_id is None:
            return
        data: Mapping[str, Any] = message.data if isinstance(message.data, Mapping) else {}
        if message.type == "state" and data.get("state") == ChatState.CLOSED.value:
            self.close_chat(message.chat_id)
        elif (
            (message.type == "resync" and data.get("reason") in PLAN_CHANGES)
            or message.type == "question"
            or (message.type == "state" and data.get("starts_at"))
        ):
            self.refresh_announcement(message.chat_id)
        elif message.type == "post":
            self.reply_back(message.chat_id, data)

    def _work(self, chat_id: int) -> tuple[BlogWork, BlogPostRow] | None:
        with self.ctx.store.read() as session:
            chat = session.get(ChatRow, chat_id)
            if chat is None:
                return None
            work = blog.blog_of_chat(session, chat)
            if work is None:
                return None
            row = _post_row(session, work.id, chat_id, ANNOUNCEMENT)
            if row is None or row.wp_id is None:
                return None
            session.expunge(row)
            return work, row

    def refresh_announcement(self, chat_id: int) -> None:
        """The chat changed before or during its hour: the announcement says it too."""
        found = self._work(chat_id)
        if found is None:
            return
        work, row = found
        with self.ctx.store.read() as session:
            chat = session.get(ChatRow, chat_id)
            if chat is None or chat.state not in blog.ANNOUNCEABLE:
                return
            announcement = announce.announcement_of(session, self.ctx, chat, row.reveal_questions)
        announce.send_announcement(
            self.ctx,
            work,
            self.opener,
            chat_id,
            row.id,
            row.wp_id,
            announcement,
            row.content_digest,
        )

    def close_chat(self, chat_id: int) -> None:
        """Comments closed here: a last pull, the recap on the blog, the announcement's
        comments closed. Each step once."""
        found = self._work(chat_id)
        if found is None:
            return
        work, announcement_row = found
        assert announcement_row.wp_id is not None
        client = work.open(self.opener)
        try:
            self.sync_comments(work, client, chat_id)
            self._publish_recap(work, client, chat_id, announcement_row)
            if announcement_row.comments_closed_at is None:
                client.close_comments(announcement_row.wp_id)
                with self.ctx.store.write() as session:
                    row = session.get(BlogPostRow, announcement_row.id)
                    if row is not None:
                        row.comments_closed_at = self.ctx.now()
        finally:
            client.close()

    def _publish_recap(
        self, work: BlogWork, client: BlogClient, chat_id: int, announcement_row: BlogPostRow
    ) -> None:
        now = self.ctx.now()
        with self.ctx.store.write() as session:
            row, fresh = announce.reserve(session, work.id, chat_id, RECAP, 0, now)
            if row.wp_id is not None:
                return
            row_id = row.id
            chat = session.get(ChatRow, chat_id)
            assert chat is not None
            title = chat.title
            announcement = announce.announcement_of(
                session, self.ctx, chat, announcement_row.reveal_questions
            )
        base = self.ctx.settings.base_url.rstrip("/")
        page = render_recap(self.ctx, chat_id, "html").content
        body = recap_html(page, f"{base}/chats/{chat_id}/recap")
        assert announcement_row.wp_id is not None
        if work.recap == "append":
            content = f"{announcement_html(announcement)}\n<hr>\n<h2>Recap</h2>\n{body}"
            published = client.update(announcement_row.wp_id, content=content)
        else:
            slug = recap_slug(work.tag, chat_id)
            existing = None if fresh else client.find_post(slug)
            published = existing or client.publish(
                slug, recap_title(work.tag, title), body, comments_open=False
            )
        announce.record_published(self.ctx, row_id, published)

    def reply_back(self, chat_id: int, data: Mapping[str, Any]) -> None:
        """A host's reply in the room to a blog-borne comment, by the host who connected the
        blog, goes to the blog as a threaded comment under it."""
        if data.get("network") != Network.HASHCHAT.value or not data.get("is_host"):
            return
        if data.get("hidden") or not isinstance(data.get("reply_to"), int):
            return
        found = self._work(chat_id)
        if found is None:
            return
        work, announcement_row = found
        post_id = int(data["id"])
        with self.ctx.store.write() as session:
            post = session.get(PostRow, post_id)
            parent = session.get(PostRow, int(data["reply_to"]))
            if post is None or parent is None or post.author_id != work.user_id:
                return
            if (parent.network, parent.source) != (Network.WORDPRESS.value, work.login.home):
                return
            if parent.chat_id != chat_id or not (parent.external_id or "").startswith("comment-"):
                return
            if post.source:  # already the blog's (a retried delivery)
                return
            row, fresh = announce.reserve(session, work.id, chat_id, REPLY, post_id, self.ctx.now())
            if row.wp_id is not None:
                return
            row_id, text, created_at = row.id, post.text, post.created_at
            parent_number = _comment_number(str(parent.external_id))
        assert announcement_row.wp_id is not None
        with OWN_COMMENTS:
            self._post_reply(
                work,
                announcement_row,
                chat_id,
                post_id,
                row_id,
                parent_number,
                text,
                created_at,
                recover=not fresh,
            )

    def _post_reply(
        self,
        work: BlogWork,
        announcement_row: BlogPostRow,
        chat_id: int,
        post_id: int,
        row_id: int,
        parent_number: int,
        text: str,
        created_at: datetime,
        *,
        recover: bool,
    ) -> None:
        assert announcement_row.wp_id is not None
        post_url = announcement_row.url or ""
        client = work.open(self.opener)
        try:
            comment = None
            if recover:  # an earlier try may have posted it before failing: never twice
                comment = next(
                    (
                        c
                        for c in client.approved_comments(
                            announcement_row.wp_id, post_url, work.login
                        )
                        if c.reply_to == f"comment-{parent_number}"
                        and c.author_handle == work.login.login
                        and c.text == text.strip()
                    ),
                    None,
                )
            if comment is None:
                comment = client.reply(
                    announcement_row.wp_id, post_url, parent_number, text, created_at, work.login
                )
        finally:
            client.close()
        number = _comment_number(comment.external_id)
        announce.record_published(self.ctx, row_id, Published(number, comment.url or ""))
        with self.ctx.store.write() as session:
            post = session.get(PostRow, post_id)
            if post is None:
                return
            post.network, post.source = comment.network.value, comment.source
            post.external_id, post.external_url = comment.external_id, comment.url
        # The door brings the rest of the row to what the blog says (handle, time, parent).
        do_ingest_posts(self.ctx, f"blog {work.url}", chat_id, [comment])


def _post_row(session: Any, blog_id: int, chat_id: int, kind: str) -> BlogPostRow | None:
    row: BlogPostRow | None = session.scalar(
        sa.select(BlogPostRow).where(
            BlogPostRow.blog_id == blog_id,
            BlogPostRow.chat_id == chat_id,
            BlogPostRow.kind == kind,
            BlogPostRow.number == 0,
        )
    )
    return row


def _deleted(row: PostRow) -> ForeignPost:
    """A filed comment that the blog no longer shows, as the door takes a deletion."""
    return ForeignPost(
        network=Network.WORDPRESS,
        source=row.source,
        external_id=str(row.external_id),
        author_handle=row.author_handle,
        display_name=row.display_name,
        text=row.text,
        created_at=row.created_at,
        url=row.external_url,
        reply_to=row.reply_to_external_id,
        edited_at=row.edited_at,
        deleted=True,
    )


def register_blog(ctx: AppContext, opener: OpenBlog) -> BlogSync:
    """Serve the `blog` outbox consumer in this process's runner (before `server_jobs`)."""
    sync = BlogSync(ctx, opener)
    register_consumer(ctx, CONSUMER)
    register_handler(CONSUMER, sync.handle)
    return sync


def blog_jobs(sync: BlogSync) -> list[Job]:
    """The comments' pull, a job of the one background runner."""
    return [Job("blog", PULL_SECONDS, sync.pull_once)]
