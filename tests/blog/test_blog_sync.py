"""Keeping the blog in step when it misbehaves: a comment missing from a list that came back
short (a cache or a plugin on the blog) stays in the room until the blog says, for that comment,
that it is gone; a reply whose answer was lost on the way back is found, not posted twice."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from blog_support import blog_posts, make_host, seed_chat
from wordpress_support import LocalWordPress

from hashchat.actions.accounts import do_register
from hashchat.actions.announce import do_announce
from hashchat.actions.blog import CONSUMER, BlogClient, BlogLogin, do_connect_blog
from hashchat.actions.blog_sync import BlogSync
from hashchat.actions.chats import do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ConflictError
from hashchat.actions.ingest import do_ingest_posts
from hashchat.actions.outbox import OutboxWorker, consumer_status, register_consumer
from hashchat.actions.posts import do_create_post
from hashchat.actions.series import do_create_series
from hashchat.bridges.errors import NetworkBusyError
from hashchat.bridges.wordpress import WordPressSite, open_site, verify_blog
from hashchat.domain.ingest import ForeignPost
from hashchat.formats.wxr import open_wxr


class ShortLists(WordPressSite):
    """The real blog, except that its comment lists come back empty."""

    def approved_comments(self, post_id: int, post_url: str, login: BlogLogin) -> list[ForeignPost]:
        return []


def _short(url: str, user: str, password: str) -> BlogClient:
    return ShortLists(url, user, password)


def test_a_short_list_hides_nothing_a_deletion_does(
    ctx: AppContext, wordpress: LocalWordPress
) -> None:
    host = make_host(ctx)
    chat_id = seed_chat(ctx, host, ctx.now() + timedelta(hours=2), "Short lists")
    fields = {"url": wordpress.url, "user": "admin", "app_password": wordpress.app_password}
    do_connect_blog(ctx, host.view, "KaizenBiz", fields, verify_blog)
    post = do_announce(ctx, host.view, chat_id, open_site)
    do_start_chat(ctx, host.view, chat_id)
    comment = wordpress.comment(post.post_id, "Short Reader", "A1 Still here #KaizenBiz")
    wordpress.moderate(comment, status="approved")
    assert BlogSync(ctx, open_site).pull_once() == 1

    BlogSync(ctx, _short).pull_once()
    assert not blog_posts(ctx, chat_id)[f"comment-{comment}"].hidden

    with wordpress.api() as client:
        client.delete(f"/comments/{comment}", params={"force": "true"}).raise_for_status()
    BlogSync(ctx, _short).pull_once()
    assert blog_posts(ctx, chat_id)[f"comment-{comment}"].hidden


class LostAnswers(WordPressSite):
    """The real blog, except that the answer to a new comment is lost on the way back."""

    def reply(self, *args: Any, **kwargs: Any) -> ForeignPost:
        super().reply(*args, **kwargs)
        raise NetworkBusyError("the connection dropped before the answer came")


def _lossy(url: str, user: str, password: str) -> BlogClient:
    return LostAnswers(url, user, password)


def test_a_reply_whose_answer_was_lost_is_not_posted_twice(
    ctx: AppContext, wordpress: LocalWordPress
) -> None:
    host = make_host(ctx)
    register_consumer(ctx, CONSUMER)
    chat_id = seed_chat(ctx, host, ctx.now() + timedelta(hours=2), "Lost answers")
    fields = {"url": wordpress.url, "user": "admin", "app_password": wordpress.app_password}
    do_connect_blog(ctx, host.view, "KaizenBiz", fields, verify_blog)
    post = do_announce(ctx, host.view, chat_id, open_site)
    do_start_chat(ctx, host.view, chat_id)
    comment = wordpress.comment(post.post_id, "Lost Reader", "A1 Hello #KaizenBiz")
    wordpress.moderate(comment, status="approved")
    BlogSync(ctx, open_site).pull_once()
    parent = blog_posts(ctx, chat_id)[f"comment-{comment}"]
    do_create_post(ctx, host.view, chat_id, "Hello to you!", parent.id)

    OutboxWorker(ctx, {CONSUMER: BlogSync(ctx, _lossy).handle}, name="t").work_once()
    assert consumer_status(ctx, CONSUMER).pending == 1  # the reply's delivery, to retry
    retry = OutboxWorker(ctx, {CONSUMER: BlogSync(ctx, open_site).handle}, name="t")
    assert retry.work_once(ctx.now() + timedelta(minutes=1)) == 1
    assert consumer_status(ctx, CONSUMER).pending == 0
    with wordpress.api() as client:
        under = client.get(
            "/comments", params={"post": post.post_id, "parent": comment, "context": "edit"}
        ).json()
    assert [c["content"]["raw"] for c in under] == ["Hello to you!"]


def test_a_blog_user_linked_to_another_account_is_refused_by_name(
    ctx: AppContext, wordpress: LocalWordPress
) -> None:
    first = make_host(ctx)
    fields = {"url": wordpress.url, "user": "admin", "app_password": wordpress.app_password}
    do_connect_blog(ctx, first.view, "KaizenBiz", fields, verify_blog)
    other = do_register(ctx, "otherhost", "correct horse battery")
    do_create_series(ctx, other, "OtherChat", "Another chat", "UTC")
    with pytest.raises(ConflictError, match="'admin' is linked to another hashchat account"):
        do_connect_blog(ctx, other, "OtherChat", fields, verify_blog)


def test_a_commenter_named_with_markup_characters_is_one_person_live_and_in_the_export(
    ctx: AppContext, wordpress: LocalWordPress, tmp_path: Path
) -> None:
    """WordPress stores a commenter's `&`, `<` and `>` as entities and its REST API gives them
    so; the live pull reads the name as the WXR importer does, so the blog's own export adds
    nothing and changes nothing (it changed the author before)."""
    host = make_host(ctx)
    chat_id = seed_chat(ctx, host, ctx.now() + timedelta(hours=2), "Names with markup")
    fields = {"url": wordpress.url, "user": "admin", "app_password": wordpress.app_password}
    do_connect_blog(ctx, host.view, "KaizenBiz", fields, verify_blog)
    post = do_announce(ctx, host.view, chat_id, open_site)
    do_start_chat(ctx, host.view, chat_id)
    name = "Tom & Jerry's Café > Bar"
    comment = wordpress.comment(post.post_id, name, "A1 Both of us #KaizenBiz")
    wordpress.moderate(comment, status="approved")
    assert BlogSync(ctx, open_site).pull_once() == 1
    row = blog_posts(ctx, chat_id)[f"comment-{comment}"]
    assert (row.display_name, row.author_handle) == (name, name)

    export = tmp_path / "blog.xml"
    export.write_bytes(wordpress.export_wxr())
    ours = [p for p in open_wxr(export).posts() if p.external_id == f"comment-{comment}"]
    assert [p.display_name for p in ours] == [name]
    counts = do_ingest_posts(ctx, "wxr", chat_id, ours)
    assert (counts.added, counts.updated, counts.skipped) == (0, 0, 0)
