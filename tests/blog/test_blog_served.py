"""`hashchat serve`'s one background runner keeps the blog in step by itself: during the live
hour an approved comment reaches the room within 30 s, and the host's reply in the room reaches
the blog as a threaded comment, with no call made by hand."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from blog_support import Server, blog_posts, make_host, seed_chat, until
from wordpress_support import LocalWordPress

from hashchat.actions.announce import do_announce
from hashchat.actions.blog import do_connect_blog
from hashchat.actions.chats import do_next_question, do_start_chat
from hashchat.actions.posts import do_create_post
from hashchat.bridges.wordpress import open_site, verify_blog
from hashchat.store.models import PostRow


def test_an_approved_comment_reaches_the_room_within_30_s_and_a_reply_goes_back(
    server: Server, wordpress: LocalWordPress
) -> None:
    _, ctx = server
    host = make_host(ctx)
    chat_id = seed_chat(ctx, host, ctx.now() + timedelta(hours=1), "Served by the runner")
    fields = {"url": wordpress.url, "user": "admin", "app_password": wordpress.app_password}
    do_connect_blog(ctx, host.view, "KaizenBiz", fields, verify_blog)
    post = do_announce(ctx, host.view, chat_id, open_site, reveal_questions=False)
    do_start_chat(ctx, host.view, chat_id)
    do_next_question(ctx, host.view, chat_id)

    comment = wordpress.comment(post.post_id, "Runner Reader", "A1 Tiny steps daily #KaizenBiz")
    wordpress.moderate(comment, status="approved")
    took = until(lambda: f"comment-{comment}" in blog_posts(ctx, chat_id), seconds=30)
    assert took < 30
    filed = blog_posts(ctx, chat_id)[f"comment-{comment}"]
    assert filed.question == 1

    reply = do_create_post(ctx, host.view, chat_id, "Welcome, Runner!", filed.id)

    def on_the_blog() -> bool:
        with ctx.store.read() as session:
            row = session.get(PostRow, reply.id)
            return row is not None and (row.external_id or "").startswith("comment-")

    until(on_the_blog, seconds=30)
    with wordpress.api() as client:
        threaded = client.get("/comments", params={"post": post.post_id, "parent": comment})
    assert [c["author_name"] for c in threaded.json()] == ["admin"]
    with ctx.store.read() as session:
        copies = session.scalar(
            sa.select(sa.func.count()).where(PostRow.text.like("Welcome, Runner!%"))
        )
    assert copies == 1
