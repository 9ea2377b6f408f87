"""POST/GET/DELETE /api/v1/series/{tag}/blog and POST /api/v1/chats/{id}/blog/announce through
the real app, the logins checked on the real WordPress: the contract's codes in order, secrets
never echoed nor stored in clear, a blog that cannot be reached shown and retried."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from blog_support import TAG, api_call, app_call, blog_worker, make_host, seed_chat, wp_posts_titled
from wordpress_support import LocalWordPress

from hashchat.actions.accounts import do_create_token, do_register
from hashchat.actions.chats import do_close_chat, do_end_chat, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.store.models import BlogRow, LinkedHandle


def _body(site: LocalWordPress, password: str | None = None) -> dict[str, str]:
    return {"url": site.url, "user": "admin", "app_password": password or site.app_password}


def test_connect_refusals_come_in_the_contracts_order(
    ctx: AppContext, wordpress: LocalWordPress, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = make_host(ctx)
    path = f"/series/{TAG}/blog"
    assert api_call(ctx, None, "POST", path, json=_body(wordpress)).status_code == 401
    do_register(ctx, "reader", "correct horse battery")
    reader = type(host)(host.view, do_create_token(ctx, "reader"))
    assert api_call(ctx, reader, "POST", path, json=_body(wordpress)).status_code == 403
    with monkeypatch.context() as patched:
        patched.delenv("HASHCHAT_SECRET_KEY")
        refused = api_call(ctx, host, "POST", path, json=_body(wordpress))
        assert refused.status_code == 503
        assert "HASHCHAT_SECRET_KEY" in refused.json()["detail"]
    wrong = api_call(
        ctx, host, "POST", path, json=_body(wordpress, "abcd efgh ijkl mnop qrst uvwx")
    )
    assert wrong.status_code == 422  # WordPress took it for anonymous: /users/me said 401
    assert "abcd efgh" not in wrong.text
    nowhere = api_call(ctx, host, "POST", path, json={**_body(wordpress), "url": "ftp://blog"})
    assert nowhere.status_code == 422
    with ctx.store.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(BlogRow)) == 0

    made = api_call(ctx, host, "POST", path, json=_body(wordpress))
    assert made.status_code == 201, made.text
    assert made.json() == {"url": wordpress.url, "user": "admin", "status": "ok"}
    assert wordpress.app_password not in made.text
    with ctx.store.read() as session:
        row = session.scalars(sa.select(BlogRow)).one()
        assert wordpress.app_password not in row.secret
        assert row.source == wordpress.url  # the site's home URL, as its WXR export names it
        link = session.scalars(sa.select(LinkedHandle)).one()
        assert (link.network, link.handle, link.user_id) == ("wordpress", "admin", host.view.id)
    again = api_call(ctx, host, "POST", path, json=_body(wordpress))
    assert again.status_code == 409

    health = api_call(ctx, host, "GET", path)
    assert health.status_code == 200
    shown = health.json()
    assert shown["url"] == wordpress.url
    assert shown["status"] == "ok"
    assert shown["pending"] == 0
    assert wordpress.app_password not in health.text
    assert api_call(ctx, reader, "GET", path).status_code == 403

    assert api_call(ctx, host, "DELETE", path).status_code == 204
    assert api_call(ctx, host, "GET", path).status_code == 404
    with ctx.store.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(BlogRow)) == 0


def test_announce_needs_a_blog_and_a_chat_not_over(
    ctx: AppContext, wordpress: LocalWordPress
) -> None:
    host = make_host(ctx)
    chat_id = seed_chat(ctx, host, ctx.now() + timedelta(days=2), "Announce test")
    path = f"/chats/{chat_id}/blog/announce"
    no_blog = api_call(ctx, host, "POST", path)
    assert no_blog.status_code == 409
    assert "no blog" in no_blog.json()["detail"]
    assert (
        api_call(ctx, host, "POST", f"/series/{TAG}/blog", json=_body(wordpress)).status_code == 201
    )
    do_start_chat(ctx, host.view, chat_id)
    live = api_call(ctx, host, "POST", path)  # a live chat may still be announced
    assert live.status_code == 201, live.text
    do_end_chat(ctx, host.view, chat_id)
    over = api_call(ctx, host, "POST", path)
    assert over.status_code == 409
    assert api_call(ctx, host, "POST", "/chats/999999/blog/announce").status_code == 404


def test_a_blog_away_is_shown_and_retried_without_publishing_twice(
    ctx: AppContext, wordpress: LocalWordPress
) -> None:
    sync, outbox = blog_worker(ctx)
    host = make_host(ctx)
    chat_id = seed_chat(ctx, host, ctx.now() + timedelta(days=2), "A blog away")
    assert (
        api_call(ctx, host, "POST", f"/series/{TAG}/blog", json=_body(wordpress)).status_code == 201
    )
    assert api_call(ctx, host, "POST", f"/chats/{chat_id}/blog/announce").status_code == 201
    do_start_chat(ctx, host.view, chat_id)
    with ctx.store.write() as session:  # the blog goes away (a port nothing listens on)
        session.scalars(sa.select(BlogRow)).one().url = "http://127.0.0.1:9"

    sync.pull_once()
    away = api_call(ctx, host, "GET", f"/series/{TAG}/blog").json()
    assert away["status"] == "backing_off"
    assert "unreachable" in away["last_error"]
    assert away["backoff_seconds"] > 0
    refused = api_call(ctx, host, "POST", f"/chats/{chat_id}/blog/announce")
    assert refused.status_code == 503

    do_end_chat(ctx, host.view, chat_id)
    do_close_chat(ctx, host.view, chat_id)
    outbox.work_once()
    waiting = api_call(ctx, host, "GET", f"/series/{TAG}/blog").json()
    assert waiting["pending"] == 1
    assert "unreachable" in waiting["delivery_error"]
    console = app_call(ctx, host, "GET", f"/chats/{chat_id}/host")
    assert console.status_code == 200
    assert "Announcement on the blog" in console.text
    assert "1 publication(s) waiting for a retry" in console.text

    with ctx.store.write() as session:  # back again: the outbox's retry publishes it, once
        session.scalars(sa.select(BlogRow)).one().url = wordpress.url
    later = ctx.now() + timedelta(seconds=5)
    outbox.work_once(later)
    outbox.work_once(later + timedelta(minutes=1))
    assert len(wp_posts_titled(wordpress, f"Recap: #{TAG}: A blog away")) == 1
    assert api_call(ctx, host, "GET", f"/series/{TAG}/blog").json()["pending"] == 0
