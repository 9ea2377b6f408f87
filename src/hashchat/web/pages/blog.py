"""A series' blog page (issue 12): its hosts connect the WordPress blog (address, user,
Application Password), see its health, announce a chat on it in one click, and disconnect it.
Forms post here; every change is an action; the password is never written back into a page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from hashchat.actions import announce, blog
from hashchat.actions.errors import ActionError
from hashchat.actions.series import get_series
from hashchat.bridges.wordpress import open_site, verify_blog
from hashchat.web.auth import require_csrf
from hashchat.web.pages.common import context_of, page, refusal, see_other, viewer_of
from hashchat.web.pages.series_settings import login_first, series_path

router = APIRouter()
CSRF = [Depends(require_csrf)]
FormText = Annotated[str, Form()]
DONE = {
    "connected": "Blog connected.",
    "removed": "Blog disconnected: its password is wiped.",
    "announced": "Announced on the blog.",
}


def _page(
    request: Request,
    tag: str,
    *,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
    kept: dict[str, str] | None = None,
) -> Response:
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, "/blog"))
    ctx = context_of(request)
    try:
        connected = blog.find_blog(ctx, viewer, tag)
        chats = blog.blog_chats(ctx, viewer, tag) if connected else []
        series = get_series(ctx, tag).series
    except ActionError as error_:
        return refusal(request, error_.status, "The series' blog", error_.reason)
    return page(
        request,
        "blog.html",
        f"Blog of #{series.tag}",
        status_code=status,
        series=series,
        blog=connected,
        chats=chats,
        kept=kept or {},
        error=error,
        notice=notice,
    )


@router.get("/series/{tag}/blog", response_class=HTMLResponse, response_model=None)
def blog_page(request: Request, tag: str, done: str = "") -> Response:
    """The connected blog with its health and the chats to announce, or the form to connect."""
    return _page(request, tag, notice=DONE.get(done))


@router.post("/series/{tag}/blog", dependencies=CSRF, response_model=None)
def connect(
    request: Request,
    tag: str,
    url: FormText = "",
    user: FormText = "",
    app_password: FormText = "",
    recap: FormText = "post",
) -> Response:
    """Connect the blog: the login is checked on WordPress before anything is stored."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, "/blog"))
    fields = {"url": url, "user": user, "app_password": app_password, "recap": recap}
    try:
        blog.do_connect_blog(context_of(request), viewer, tag, fields, verify_blog)
    except ActionError as error:
        kept = {"url": url, "user": user, "recap": recap}
        return _page(request, tag, error=error.reason, status=error.status, kept=kept)
    return see_other(series_path(tag, "/blog?done=connected"))


@router.post("/series/{tag}/blog/announce/{chat_id}", dependencies=CSRF, response_model=None)
def announce_chat(
    request: Request, tag: str, chat_id: int, reveal_questions: FormText = ""
) -> Response:
    """Publish (or update) a chat's announcement on the blog."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, "/blog"))
    try:
        announce.do_announce(
            context_of(request),
            viewer,
            chat_id,
            open_site,
            reveal_questions=reveal_questions == "on",
        )
    except ActionError as error:
        return _page(request, tag, error=error.reason, status=error.status)
    return see_other(series_path(tag, "/blog?done=announced"))


@router.post("/series/{tag}/blog/remove", dependencies=CSRF, response_model=None)
def disconnect(request: Request, tag: str) -> Response:
    """Disconnect the blog (its password wiped, its filed comments kept)."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, "/blog"))
    try:
        blog.do_remove_blog(context_of(request), viewer, tag)
    except ActionError as error:
        return _page(request, tag, error=error.reason, status=error.status)
    return see_other(series_path(tag, "/blog?done=removed"))
