"""The blog tests' hashchat side: a fresh SQLite database with a secret key, a host with a
token, the seed's series and chat, calls to the API as the host, and the blog's outbox
consumer and comment pull run by hand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import sqlalchemy as sa

from hashchat.actions.accounts import do_create_token, do_register
from hashchat.actions.blog import CONSUMER
from hashchat.actions.blog_sync import BlogSync, register_blog
from hashchat.actions.chats import do_create_chat
from hashchat.actions.context import AppContext
from hashchat.actions.outbox import OutboxWorker
from hashchat.actions.series import do_create_series
from hashchat.actions.views import UserView
from hashchat.bridges.wordpress import open_site
from hashchat.store.models import PostRow, SegmentRow

Server = tuple[str, AppContext]  # a served hashchat: its base URL and its context
KEY = "a-long-random-test-key-0123456789"
TAG = "KaizenBiz"
QUESTIONS = [
    "What does kaizen mean to you?",
    "Which small change paid off most?",
    "Where do you start when everything needs fixing?",
    "How do you keep a habit going?",
    "What gets in the way?",
    "One small step for next week?",
]
TOPIC = "Kaizen is not a project.\n\nThis week: small steps that stick, and why most don't."
SEED_COMMENT = (
    "Q1 What does kaizen mean to you? A1 Small steps, every single day. "
    "Q3 Where do you start when everything needs fixing? A3 With the smallest annoying thing. "
    "Q4 How do you keep a habit going? A4 A five-minute review each evening. "
    "Q5 What gets in the way? A5 Firefighting, mostly. "
    "Q6 One small step for next week? A6 Ask my team for one idea each. #KaizenBiz"
)


@dataclass
class Host:
    """The series' owner, as the actions and the API know her."""

    view: UserView
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_host(ctx: AppContext, name: str = "kaizenhost") -> Host:
    """A registered host with a bearer token, owner of #KaizenBiz (London, the seed's zones)."""
    view = do_register(ctx, name, "correct horse battery", timezone="Europe/London")
    do_create_series(
        ctx,
        view,
        TAG,
        "Kaizen for small business",
        "Europe/London",
        announcement_zones=("Europe/London", "America/New_York", "America/Los_Angeles"),
    )
    return Host(view, do_create_token(ctx, name))


def seed_chat(
    ctx: AppContext, host: Host, starts_at: datetime, title: str = "Small steps that stick"
) -> int:
    """The seed's chat: six questions, the host's framing, scheduled. (The blog is shared by
    the session's tests and chat ids repeat across their databases: give each a title.)"""
    from hashchat.actions.chats import do_edit_chat

    chat = do_create_chat(ctx, host.view, TAG, title, starts_at, 60, QUESTIONS)
    do_edit_chat(ctx, host.view, chat.id, topic=TOPIC)
    return chat.id


def blog_worker(ctx: AppContext) -> tuple[BlogSync, OutboxWorker]:
    """The blog's sync (pull by hand: `pull_once`) and an outbox worker serving its consumer."""
    sync = register_blog(ctx, open_site)
    return sync, OutboxWorker(ctx, {CONSUMER: sync.handle}, name="blog-test")


def api_call(
    ctx: AppContext, who: Host | None, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    """One call to the real app's API (in process) as `who`."""
    return app_call(ctx, who, method, f"/api/v1{path}", **kwargs)


def app_call(
    ctx: AppContext, who: Host | None, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    """One request to the real app (in process) as `who`: a page or the API."""
    import anyio

    from hashchat.web.app import create_app

    app = create_app(context=ctx)

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            headers = who.auth if who else {}
            return await client.request(method, path, headers=headers, **kwargs)

    return anyio.run(call)


def blog_posts(ctx: AppContext, chat_id: int) -> dict[str, PostRow]:
    """The chat's posts from the blog by external id (hidden ones too)."""
    with ctx.store.read() as session:
        rows = session.scalars(
            sa.select(PostRow).where(PostRow.chat_id == chat_id, PostRow.network == "wordpress")
        ).all()
        for row in rows:
            session.expunge(row)
        return {str(row.external_id): row for row in rows}


def answers_of(ctx: AppContext, post_id: int) -> list[tuple[int | None, bool, str]]:
    """A post's answer segments: (question, late, text)."""
    with ctx.store.read() as session:
        return [
            (row.question, row.late, row.text)
            for row in session.scalars(
                sa.select(SegmentRow)
                .where(SegmentRow.post_id == post_id, SegmentRow.kind == "answer")
                .order_by(SegmentRow.position)
            )
        ]


def wp_posts_titled(site: Any, title: str) -> list[dict[str, Any]]:
    """The blog's published posts with exactly this title (WordPress's `search`, then exact)."""
    with site.api() as client:
        found = client.get("/posts", params={"search": title, "per_page": 100, "context": "edit"})
    found.raise_for_status()
    return [post for post in found.json() if post["title"]["raw"] == title]


def until(condition: Callable[[], bool], seconds: float) -> float:
    """Wait until `condition()` holds; the seconds it took (fails after `seconds`)."""
    import time

    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, f"not within {seconds} s"
        time.sleep(0.25)
    return time.monotonic() - started
