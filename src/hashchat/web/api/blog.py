"""/series/{tag}/blog: connect the series' WordPress blog, read its health, disconnect it;
/chats/{id}/blog/announce: publish (or update) a chat's announcement on it (issue 12)."""

from __future__ import annotations

from datetime import datetime

from fastapi import Response
from fastapi.routing import APIRouter
from pydantic import BaseModel, Field

from hashchat.actions import announce, blog
from hashchat.bridges.wordpress import open_site, verify_blog
from hashchat.web.api.schemas import CHANGE_REFUSALS, ChatId, Error, refusals
from hashchat.web.auth import Actor
from hashchat.web.deps import Ctx

router = APIRouter(tags=["blog"])

CONNECT_REFUSALS = {
    **CHANGE_REFUSALS,
    409: {"model": Error, "description": "the series already has a blog connected"},
    422: {"model": Error, "description": "bad fields, or WordPress refused the login"},
    503: {
        "model": Error,
        "description": "HASHCHAT_SECRET_KEY is not set (or the database is away)",
    },
}


class BlogIn(BaseModel):
    """The blog's address, the WordPress user and one of her Application Passwords (Users →
    Profile → Application Passwords); `recap`: `post` (a new post when comments close, the
    default) or `append` (added to the announcement)."""

    url: str = Field(max_length=2000)
    user: str = Field(max_length=2000)
    app_password: str = Field(max_length=2000)
    recap: str | None = Field(default=None, max_length=10)


class BlogOut(BaseModel):
    """The connected blog (never the password)."""

    url: str
    user: str
    status: str


class BlogHealthOut(BlogOut):
    """The blog with its health: `status` ok, backing_off or failed; comments last pulled at
    `last_pulled_at`; the blog's outbox deliveries waiting for a retry (`pending`) or given up
    (`dead`) and the last one's reason."""

    recap: str
    last_error: str | None
    last_pulled_at: datetime | None
    backoff_seconds: float
    pending: int
    dead: int
    delivery_error: str | None


class AnnounceIn(BaseModel):
    """`reveal_questions`: list the questions in the post (default: "revealed live"; a repeat
    without it keeps the earlier choice)."""

    reveal_questions: bool | None = None


class AnnounceOut(BaseModel):
    """The announcement post on the blog."""

    post_id: int
    url: str


@router.post(
    "/series/{tag}/blog", status_code=201, response_model=BlogOut, responses=CONNECT_REFUSALS
)
def connect_blog(tag: str, body: BlogIn, ctx: Ctx, actor: Actor) -> BlogOut:
    """Connect the series' blog (owners and cohosts): the Application Password is checked
    against `/wp-json/wp/v2/users/me` first (422 with WordPress's reason), one blog per series
    (409), and without HASHCHAT_SECRET_KEY nothing is stored (503)."""
    view = blog.do_connect_blog(ctx, actor, tag, body.model_dump(exclude_none=True), verify_blog)
    return BlogOut(url=view.url, user=view.user, status=view.status)


@router.get("/series/{tag}/blog", response_model=BlogHealthOut, responses=refusals(401, 403, 404))
def blog_health(tag: str, ctx: Ctx, actor: Actor) -> BlogHealthOut:
    """The series' blog and its health (owners and cohosts); 404 when none is connected."""
    view = blog.blog_of_series(ctx, actor, tag)
    return BlogHealthOut(
        url=view.url,
        user=view.user,
        status=view.status,
        recap=view.recap,
        last_error=view.last_error,
        last_pulled_at=view.last_pulled_at,
        backoff_seconds=view.backoff_seconds,
        pending=view.pending,
        dead=view.dead,
        delivery_error=view.delivery_error,
    )


@router.delete(
    "/series/{tag}/blog", status_code=204, response_class=Response, responses=CHANGE_REFUSALS
)
def disconnect_blog(tag: str, ctx: Ctx, actor: Actor) -> Response:
    """Disconnect the blog: the password is wiped; comments already filed stay."""
    blog.do_remove_blog(ctx, actor, tag)
    return Response(status_code=204)


@router.post(
    "/chats/{chat_id}/blog/announce",
    status_code=201,
    response_model=AnnounceOut,
    responses={
        **CHANGE_REFUSALS,
        200: {"model": AnnounceOut, "description": "the post was there: updated, same id"},
        409: {"model": Error, "description": "the chat is not scheduled or live, or no blog"},
    },
)
def announce_chat(
    chat_id: ChatId, ctx: Ctx, actor: Actor, response: Response, body: AnnounceIn | None = None
) -> AnnounceOut:
    """Publish the chat's announcement on the series' blog (201), or update it (200, the same
    post id and address); answered once WordPress has the post."""
    reveal = body.reveal_questions if body is not None else None
    result = announce.do_announce(ctx, actor, chat_id, open_site, reveal_questions=reveal)
    if not result.created:
        response.status_code = 200
    return AnnounceOut(post_id=result.post_id, url=result.url)
