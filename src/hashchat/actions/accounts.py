"""Accounts: register, log in and out, sessions, API tokens, profile (time zone, display name)."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hashchat.actions.context import AppContext
from hashchat.actions.errors import (
    ConflictError,
    InvalidInputError,
    NotAuthenticatedError,
    NotFoundError,
    RateLimitedError,
)
from hashchat.actions.validation import (
    check_no_controls,
    check_no_stacked_marks,
    check_timezone,
)
from hashchat.actions.views import UserView, user_view
from hashchat.store.models import ApiToken, User, WebSession

NAME_PATTERN = re.compile(r"[a-z0-9_]{2,40}")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
TOKEN_PREFIX = "hc_"  # noqa: S105 (a prefix that marks tokens, not a secret)


@functools.cache
def _hasher(time_cost: int, memory_kib: int) -> tuple[PasswordHasher, str]:
    """A hasher for these costs, and a hash to verify against when the name is unknown
    (so "no such user" takes as long as "wrong password")."""
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
    return hasher, hasher.hash("not a real password")


def password_hasher(ctx: AppContext) -> tuple[PasswordHasher, str]:
    """The hasher the settings ask for, with its dummy hash."""
    return _hasher(ctx.settings.argon2_time_cost, ctx.settings.argon2_memory_kib)


def _seconds(wait: float) -> str:
    return f"{RateLimitedError('', wait).whole_seconds} s"


def secret_digest(secret: str) -> str:
    """The SHA-256 we store for a token or session id (they are random, so no salt is needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def check_name(name: str) -> str:
    """The handle in lowercase, or InvalidInputError naming the rule it breaks."""
    handle = name.strip().lower()
    if not NAME_PATTERN.fullmatch(handle):
        raise InvalidInputError("a name is 2 to 40 letters a-z, digits or underscores")
    return handle


def check_password(password: str) -> str:
    """The password, or InvalidInputError when it is too short or absurdly long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInputError(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    return password


def check_display_name(display_name: str) -> str:
    """The display name stripped; 1 to 80 characters on one line, no control characters."""
    cleaned = display_name.strip()
    if not 1 <= len(cleaned) <= 80:
        raise InvalidInputError("a display name has 1 to 80 characters")
    return check_no_controls(check_no_stacked_marks(cleaned, "the display name"), "display name")


def do_register(
    ctx: AppContext,
    name: str,
    password: str,
    display_name: str | None = None,
    timezone: str = "UTC",
    *,
    is_admin: bool = False,
    client_ip: str | None = None,
) -> UserView:
    """Create an account; 409 when the name is taken. With `client_ip` (a registration from
    the web) each attempt with valid input counts against the per-address bucket first: 429
    when it is empty. The CLI and the demo pass no address and are not limited."""
    handle = check_name(name)
    check_password(password)
    shown = check_display_name(display_name if display_name else handle)
    zone = check_timezone(timezone)
    if client_ip is not None:
        wait = ctx.limits.registrations.take([f"ip:{client_ip}"], ctx.now().timestamp())
        if wait > 0:
            raise RateLimitedError(
                f"too many new accounts from your address; try again in {_seconds(wait)}",
                retry_after=wait,
            )
    password_hash = password_hasher(ctx)[0].hash(password)
    with ctx.store.write() as session:
        if session.scalar(sa.select(User.id).where(User.name == handle)) is not None:
            raise ConflictError(f"the name {handle!r} is taken")
        user = User(
            name=handle,
            display_name=shown,
            password_hash=password_hash,
            timezone=zone,
            is_admin=is_admin,
            created_at=ctx.now(),
        )
        session.add(user)
        session.flush()
        return user_view(user)


def check_login(ctx: AppContext, name: str, password: str, client_ip: str = "") -> UserView:
    """The user when name and password match; 401 otherwise, 429 after too many failures.

    Failures are counted per name and per client address, so neither guessing one account
    from many addresses nor many accounts from one address gets far. Every attempt takes a
    token from both buckets (atomically, all or none) *before* the password is checked, and a
    right password gives them back: however many attempts arrive at once, at most the
    bucket's size of them reach the password check. A refused attempt takes nothing, so
    hammering a locked name does not keep it locked: the wait is at most the window.
    """
    handle = name.strip().lower()
    keys = [f"name:{handle}", f"ip:{client_ip}"]
    now = ctx.now().timestamp()
    limiter = ctx.limits.login_failures
    wait = limiter.take(keys, now)
    if wait > 0:
        raise RateLimitedError(
            f"too many failed logins; try again in {_seconds(wait)}", retry_after=wait
        )
    with ctx.store.read() as session:
        user = session.scalar(sa.select(User).where(User.name == handle))
    hasher, dummy_hash = password_hasher(ctx)
    try:
        hasher.verify(user.password_hash if user else dummy_hash, password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None:
        raise NotAuthenticatedError("wrong name or password")
    limiter.give_back(keys, now)
    if hasher.check_needs_rehash(user.password_hash):
        with ctx.store.write() as session:
            session.execute(
                sa.update(User)
                .where(User.id == user.id)
                .values(password_hash=hasher.hash(password))
            )
    return user_view(user)


def do_set_password(ctx: AppContext, name: str, password: str) -> None:
    """Replace a person's password (the CLI's `users add` on an existing name does not)."""
    password_hash = password_hasher(ctx)[0].hash(check_password(password))
    with ctx.store.write() as session:
        done = session.execute(
            sa.update(User).where(User.name == check_name(name)).values(password_hash=password_hash)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise NotFoundError(f"no user named {name!r}")


@dataclass(frozen=True, slots=True)
class NewSession:
    """A fresh login: the cookie value (shown once, stored hashed) and its CSRF token."""

    session_id: str
    csrf_token: str


def do_create_session(ctx: AppContext, user_id: int) -> NewSession:
    """Log a browser in: a random session id for the cookie and a CSRF token for its forms."""
    session_id = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    now = ctx.now()
    with ctx.store.write() as session:
        session.add(
            WebSession(
                user_id=user_id,
                session_hash=secret_digest(session_id),
                csrf_token=csrf_token,
                created_at=now,
                expires_at=now + timedelta(days=ctx.settings.session_days),
            )
        )
    return NewSession(session_id, csrf_token)


def do_logout(ctx: AppContext, session_id: str) -> None:
    """End a browser session (unknown ids are ignored: logging out twice is fine)."""
    with ctx.store.write() as session:
        session.execute(
            sa.delete(WebSession).where(WebSession.session_hash == secret_digest(session_id))
        )


@dataclass(frozen=True, slots=True)
class SessionUser:
    """Who a session cookie belongs to, and the CSRF token her forms must carry."""

    user: UserView
    csrf_token: str


def resolve_session(ctx: AppContext, session_id: str) -> SessionUser | None:
    """The user of a live session, or None when unknown or expired."""
    with ctx.store.read() as session:
        found = session.execute(
            sa.select(User, WebSession.csrf_token)
            .join(WebSession, WebSession.user_id == User.id)
            .where(
                WebSession.session_hash == secret_digest(session_id),
                WebSession.expires_at > ctx.now(),
            )
        ).first()
    return None if found is None else SessionUser(user_view(found[0]), found[1])


def do_create_token(ctx: AppContext, name: str) -> str:
    """A new bearer token for the named person; printed once, only its hash is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with ctx.store.write() as session:
        user_id = session.scalar(sa.select(User.id).where(User.name == name.strip().lower()))
        if user_id is None:
            raise NotFoundError(f"no user named {name!r}")
        session.add(
            ApiToken(user_id=user_id, token_hash=secret_digest(token), created_at=ctx.now())
        )
    return token


def resolve_token(ctx: AppContext, token: str) -> UserView | None:
    """The owner of a bearer token, or None."""
    with ctx.store.read() as session:
        user = session.scalar(
            sa.select(User)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == secret_digest(token))
        )
    return None if user is None else user_view(user)


def do_update_profile(
    ctx: AppContext, user_id: int, display_name: str | None = None, timezone: str | None = None
) -> UserView:
    """Change a person's display name and/or time zone."""
    values: dict[str, str] = {}
    if display_name is not None:
        values["display_name"] = check_display_name(display_name)
    if timezone is not None:
        values["timezone"] = check_timezone(timezone)
    with ctx.store.write() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFoundError("no such user")
        for key, value in values.items():
            setattr(user, key, value)
        session.flush()
        return user_view(user)


def get_user(ctx: AppContext, name: str) -> UserView:
    """A person by handle; 404 when unknown."""
    with ctx.store.read() as session:
        user = session.scalar(sa.select(User).where(User.name == name.strip().lower()))
    if user is None:
        raise NotFoundError(f"no user named {name!r}")
    return user_view(user)
