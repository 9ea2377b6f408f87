"""Who is asking: session cookies, bearer tokens, and CSRF for cookie-authenticated changes.

- Session cookie `hashchat_session`: HttpOnly, SameSite=Lax, Secure unless the request is
  plain http to a loopback host (or `cookie_secure` says otherwise), so `make run` on
  127.0.0.1 works while any real deployment gets Secure cookies.
- Bearer tokens (`Authorization: Bearer hc_…`) need no CSRF token: browsers never add them.
- CSRF: a token per session (stored in its row), or for anonymous forms (log in, register) a
  random token in the `hashchat_csrf` cookie. Unsafe requests authenticated by cookie must
  send it back as header `X-CSRF-Token` or form field `csrf_token`.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hashchat.actions.accounts import NewSession, resolve_session, resolve_token
from hashchat.actions.views import UserView
from hashchat.web.deps import app_context

SESSION_COOKIE = "hashchat_session"
ANONYMOUS_CSRF_COOKIE = "hashchat_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
_NEW_CSRF_STATE = "hashchat_new_csrf"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller and how she proved it."""

    user: UserView
    via: Literal["token", "session"]
    csrf_token: str | None = None


def current_user(request: Request) -> Principal | None:
    """The caller from a bearer token or a session cookie, else None (cached per request)."""
    if hasattr(request.state, "hashchat_principal"):
        cached: Principal | None = request.state.hashchat_principal
        return cached
    ctx = app_context(request)
    principal: Principal | None = None
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        user = resolve_token(ctx, credentials.strip())
        principal = None if user is None else Principal(user, "token")
    elif session_id := request.cookies.get(SESSION_COOKIE):
        found = resolve_session(ctx, session_id)
        principal = None if found is None else Principal(found.user, "session", found.csrf_token)
    request.state.hashchat_principal = principal
    return principal


MaybePrincipal = Annotated[Principal | None, Depends(current_user)]


def require_user(principal: MaybePrincipal) -> UserView:
    """The logged-in caller, or 401."""
    if principal is None:
        raise HTTPException(
            status_code=401,
            detail="log in or send Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal.user


def csrf_token_for(request: Request) -> str:
    """The CSRF token a page puts in its forms (and in a meta tag for the JSON API).

    A logged-in browser gets its session's token; an anonymous one gets the `hashchat_csrf`
    cookie's value, created here (and set on the response by CsrfCookieMiddleware) if absent.
    """
    principal = current_user(request)
    if principal is not None and principal.csrf_token is not None:
        return principal.csrf_token
    existing = request.cookies.get(ANONYMOUS_CSRF_COOKIE)
    if existing:
        return existing
    fresh: str | None = getattr(request.state, _NEW_CSRF_STATE, None)
    if fresh is None:
        fresh = secrets.token_urlsafe(32)
        setattr(request.state, _NEW_CSRF_STATE, fresh)
    return fresh


async def _sent_csrf_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def require_csrf(request: Request, principal: MaybePrincipal) -> None:
    """403 when an unsafe, cookie-authenticated (or anonymous form) request lacks the token."""
    if request.method in SAFE_METHODS or (principal is not None and principal.via == "token"):
        return
    expected = (
        principal.csrf_token
        if principal is not None
        else request.cookies.get(ANONYMOUS_CSRF_COOKIE)
    )
    sent = await _sent_csrf_token(request)
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token")


async def require_actor(request: Request, principal: MaybePrincipal) -> UserView:
    """For changes: the logged-in caller (401), with a valid CSRF token on cookie auth (403)."""
    user = require_user(principal)
    await require_csrf(request, principal)
    return user


def client_address(request: Request) -> str:
    """The address the request came from, for per-address limits: the TCP peer, or the client
    a trusted proxy names in X-Forwarded-For (`HASHCHAT_TRUSTED_PROXIES`; see web.app)."""
    return request.client.host if request.client else ""


def cookie_is_secure(request: Request) -> bool:
    """Whether cookies get the Secure flag (see the module docstring)."""
    setting = app_context(request).settings.cookie_secure
    if setting is not None:
        return setting
    return request.url.scheme == "https" or request.url.hostname not in LOOPBACK_HOSTS


def set_session_cookie(request: Request, response: Response, new: NewSession) -> None:
    """Put a fresh login's session cookie on `response`."""
    response.set_cookie(
        SESSION_COOKIE,
        new.session_id,
        max_age=app_context(request).settings.session_days * 86_400,
        httponly=True,
        samesite="lax",
        secure=cookie_is_secure(request),
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    """Remove the session cookie (on log out)."""
    response.delete_cookie(SESSION_COOKIE, path="/")


def session_id_of(request: Request) -> str | None:
    """The raw session id from the cookie, for `do_logout`."""
    return request.cookies.get(SESSION_COOKIE)


class CsrfCookieMiddleware:
    """Sets the anonymous CSRF cookie when `csrf_token_for` minted one during the request.

    Pure ASGI (not BaseHTTPMiddleware) so that event streams pass through untouched.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                token = scope.get("state", {}).get(_NEW_CSRF_STATE)
                if token:
                    secure = scope.get("scheme") == "https"
                    cookie = f"{ANONYMOUS_CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax" + (
                        "; Secure" if secure else ""
                    )
                    headers = list(message.get("headers", []))
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


# Route parameters: `actor: Actor` for changes (login + CSRF), `user: LoggedIn` for pages.
Actor = Annotated[UserView, Depends(require_actor)]
LoggedIn = Annotated[UserView, Depends(require_user)]
