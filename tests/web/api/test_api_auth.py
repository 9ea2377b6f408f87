"""Who may call: bearer tokens, session cookies with CSRF, and refusals."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from hashchat.actions.accounts import check_login, do_create_session, do_logout
from hashchat.actions.errors import NotAuthenticatedError, RateLimitedError
from hashchat.store.models import ApiToken, WebSession
from hashchat.web.auth import CSRF_HEADER, SESSION_COOKIE

pytestmark = pytest.mark.anyio
SERIES = {"tag": "Tag", "title": "t", "timezone": "UTC"}


async def test_changes_need_credentials(api: Any) -> None:
    response = await api.call(None, "POST", "/series", json=SERIES)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    bad = await api.call(
        None, "POST", "/series", json=SERIES, headers={"Authorization": "Bearer nope"}
    )
    assert bad.status_code == 401


async def test_bearer_token_needs_no_csrf(api: Any) -> None:
    assert (await api.call(api.person("host"), "POST", "/series", json=SERIES)).status_code == 201


async def test_cookie_session_needs_the_csrf_token(api: Any, ctx: Any) -> None:
    user = api.person("host")
    user_view = check_login(ctx, user.name, "correct horse battery")
    session = do_create_session(ctx, user_view.id)
    api.client.cookies.set(SESSION_COOKIE, session.session_id)
    refused = await api.call(None, "POST", "/series", json=SERIES)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    wrong = await api.call(None, "POST", "/series", json=SERIES, headers={CSRF_HEADER: "guess"})
    assert wrong.status_code == 403
    ok = await api.call(
        None, "POST", "/series", json=SERIES, headers={CSRF_HEADER: session.csrf_token}
    )
    assert ok.status_code == 201
    do_logout(ctx, session.session_id)
    after = await api.call(
        None, "POST", "/series", json=SERIES, headers={CSRF_HEADER: session.csrf_token}
    )
    assert after.status_code == 401


async def test_reads_need_no_login(api: Any) -> None:
    host = api.person("host")
    await api.series(host)
    assert (await api.call(None, "GET", "/series/KaizenBiz")).status_code == 200


def test_only_hashes_of_tokens_and_sessions_are_stored(ctx: Any) -> None:
    from hashchat.actions.accounts import do_create_token, do_register

    user = do_register(ctx, "host", "correct horse battery")
    token = do_create_token(ctx, "host")
    session = do_create_session(ctx, user.id)
    with ctx.store.read() as db:
        stored = (
            db.scalars(sa.select(ApiToken.token_hash)).all()
            + db.scalars(sa.select(WebSession.session_hash)).all()
        )
    assert token not in stored
    assert session.session_id not in stored
    assert all(len(value) == 64 for value in stored)


def test_failed_logins_are_rate_limited_per_name(ctx: Any, clock: Any) -> None:
    from hashchat.actions.accounts import do_register

    do_register(ctx, "host", "correct horse battery")
    for _ in range(3):  # the fixture allows 3 failures per 300 s
        with pytest.raises(NotAuthenticatedError):
            check_login(ctx, "host", "wrong password", client_ip=f"10.0.0.{_}")
    with pytest.raises(RateLimitedError):
        check_login(ctx, "host", "correct horse battery", client_ip="10.0.0.9")
    clock.advance(seconds=101)
    assert check_login(ctx, "HOST", "correct horse battery").name == "host"


def test_failed_logins_are_rate_limited_per_address(ctx: Any) -> None:
    for name in ("a1", "a2", "a3"):
        with pytest.raises(NotAuthenticatedError):
            check_login(ctx, name, "whatever", client_ip="10.0.0.1")
    with pytest.raises(RateLimitedError):
        check_login(ctx, "a4", "whatever", client_ip="10.0.0.1")
