"""What every page route needs: who reads, her CSRF token, rendering, and HTML refusals."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from hashchat.actions.context import AppContext
from hashchat.actions.views import UserView
from hashchat.web.auth import csrf_token_for, current_user
from hashchat.web.deps import app_context
from hashchat.web.pages.templating import render
from hashchat.web.pages.views import Viewer


def viewer_of(request: Request) -> Viewer | None:
    """The logged-in reader (session or token), None for anonymous readers."""
    principal = current_user(request)
    if principal is None:
        return None
    return principal.user


def actor_of(viewer: Viewer) -> UserView:
    """The viewer as the actions layer knows her (the same value)."""
    return viewer


def context_of(request: Request) -> AppContext:
    """The application context (store, bus, clock)."""
    return app_context(request)


def page(
    request: Request, name: str, title: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render a page with the reader and her CSRF token in the context."""
    return render(
        request,
        name,
        {
            "viewer": viewer_of(request),
            "csrf_token": csrf_token_for(request),
            "page_title": title,
            **context,
        },
        status_code=status_code,
    )


def refusal(request: Request, status_code: int, title: str, message: str) -> HTMLResponse:
    """An HTML error page: the reason in words, never a traceback."""
    return page(request, "error.html", title, status_code=status_code, message=message)


def see_other(path: str) -> RedirectResponse:
    """Redirect after a successful form post (so a reload does not post again)."""
    return RedirectResponse(path, status_code=303)


def safe_next(target: str | None) -> str:
    """A local path to go to after logging in; anything pointing elsewhere becomes `/`."""
    if not target:
        return "/"
    # Browsers read `/\evil.example` as `//evil.example` and drop tabs and new lines inside a
    # URL, so a backslash or any control or space character makes the target unsafe too.
    if "\\" in target or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target
