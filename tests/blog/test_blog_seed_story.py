"""The seed's story end to end against a real WordPress: the host connects her blog, announces
the chat, a reader who missed the hour answers in one long comment, another comments and is
answered both ways, comments are edited, deleted, held and approved, comments close with the
recap on the blog; what the blog shows is read over its REST API, and its own WXR export,
imported afterwards, matches what came in live."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from blog_support import (
    QUESTIONS,
    SEED_COMMENT,
    TAG,
    answers_of,
    api_call,
    blog_posts,
    blog_worker,
    make_host,
    seed_chat,
    wp_posts_titled,
)
from wordpress_support import LocalWordPress

from hashchat.actions.chats import (
    do_close_chat,
    do_edit_chat,
    do_end_chat,
    do_next_question,
    do_start_chat,
)
from hashchat.actions.context import AppContext
from hashchat.actions.ingest import do_ingest_posts
from hashchat.actions.posts import do_create_post
from hashchat.domain.schedule import announcement_line
from hashchat.formats.wxr import open_wxr
from hashchat.store.models import BlogPostRow, PostRow


def _wp_post(site: LocalWordPress, post_id: int) -> dict[str, Any]:
    with site.api() as client:
        answer = client.get(f"/posts/{post_id}", params={"context": "edit"})
    answer.raise_for_status()
    post: dict[str, Any] = answer.json()
    return post


def _wp_comments(site: LocalWordPress, post_id: int) -> list[dict[str, Any]]:
    with site.api() as client:
        answer = client.get("/comments", params={"post": post_id, "per_page": 100})
    answer.raise_for_status()
    found: list[dict[str, Any]] = answer.json()
    return found


def test_the_seed_story_on_a_real_blog(
    any_ctx: AppContext, wordpress: LocalWordPress, tmp_path: Path
) -> None:
    ctx = any_ctx
    run = secrets.token_hex(3)  # the session's one blog sees this story once per backend
    title = f"Small steps that stick {run}"
    sync, outbox = blog_worker(ctx)
    host = make_host(ctx)
    starts_at = (ctx.now() + timedelta(days=1)).replace(hour=17, minute=0, second=0, microsecond=0)
    chat_id = seed_chat(ctx, host, starts_at, title)

    # She connects her blog: the password is checked, stored sealed, never echoed.
    body = {"url": wordpress.url + "/", "user": "admin", "app_password": wordpress.app_password}
    made = api_call(ctx, host, "POST", f"/series/{TAG}/blog", json=body)
    assert made.status_code == 201, made.text
    assert made.json() == {"url": wordpress.url, "user": "admin", "status": "ok"}
    assert wordpress.app_password not in made.text

    # One click announces the chat; a repeat updates the same post.
    first = api_call(
        ctx, host, "POST", f"/chats/{chat_id}/blog/announce", json={"reveal_questions": True}
    )
    assert first.status_code == 201, first.text
    post_id, post_url = first.json()["post_id"], first.json()["url"]
    again = api_call(ctx, host, "POST", f"/chats/{chat_id}/blog/announce")
    assert again.status_code == 200, again.text
    assert again.json() == {"post_id": post_id, "url": post_url}
    shown = _wp_post(wordpress, post_id)
    content = shown["content"]["raw"]
    assert shown["title"]["raw"] == f"#{TAG}: {title}"
    assert shown["status"] == "publish"
    assert shown["comment_status"] == "open"
    assert "Kaizen is not a project." in content
    line = announcement_line(
        starts_at, ("Europe/London", "America/New_York", "America/Los_Angeles")
    )
    assert line in content
    assert "GMT/" in line
    assert f"/chats/{chat_id}/calendar.ics" in content
    assert f'/chats/{chat_id}"' in content
    assert "Not sure how to participate?" in content
    assert all(question in content for question in QUESTIONS)

    # Editing the chat updates the post (through the outbox), same id.
    do_edit_chat(ctx, host.view, chat_id, topic="Kaizen is not a project. Bring one example.")
    outbox.work_once()
    edited = _wp_post(wordpress, post_id)
    assert "Bring one example." in edited["content"]["raw"]
    assert edited["link"] == post_url
    with ctx.store.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(BlogPostRow)) == 1

    # The live hour, then late answers.
    do_start_chat(ctx, host.view, chat_id)
    for _ in QUESTIONS:
        do_next_question(ctx, host.view, chat_id)
    do_end_chat(ctx, host.view, chat_id)
    time.sleep(1.1)  # WordPress keeps a comment's time to the second: after the end, surely

    # Jeff answers Q1, Q3 … Q6 in one comment (held, as a first comment is, then approved);
    # Ana answers A2; Spam Bot's comment stays held.
    jeff = wordpress.comment(post_id, f"Jeff Reader {run}", SEED_COMMENT)
    ana = wordpress.comment(post_id, f"Ana Late {run}", "A2 Closing the laptop at six. #KaizenBiz")
    spam = wordpress.comment(post_id, f"Spam Bot {run}", "A1 buy followers http://spam.example")
    sync.pull_once()
    assert blog_posts(ctx, chat_id) == {}  # held comments never enter
    wordpress.moderate(jeff, status="approved")
    wordpress.moderate(ana, status="approved")
    assert sync.pull_once() == 2
    filed = blog_posts(ctx, chat_id)
    assert set(filed) == {f"comment-{jeff}", f"comment-{ana}"}
    seed = filed[f"comment-{jeff}"]
    assert seed.display_name == f"Jeff Reader {run}"
    assert seed.external_url == f"{post_url}#comment-{jeff}"
    answers = answers_of(ctx, seed.id)
    assert [(q, late) for q, late, _ in answers] == [
        (1, True),
        (3, True),
        (4, True),
        (5, True),
        (6, True),
    ]
    assert not any(q_text in text for _, _, text in answers for q_text in QUESTIONS)
    assert sync.pull_once() == 0  # nothing new: nothing filed again

    # The host replies to Jeff on the blog: a host reply in the room, under Jeff's answer.
    with wordpress.api() as client:
        reply = client.post(
            "/comments", json={"post": post_id, "parent": jeff, "content": "Thank you, Jeff!"}
        )
    reply.raise_for_status()
    sync.pull_once()
    from_blog = blog_posts(ctx, chat_id)[f"comment-{reply.json()['id']}"]
    assert from_blog.is_host
    assert from_blog.author_id == host.view.id
    assert from_blog.reply_to_post_id == seed.id

    # The host replies to Ana in the room: a threaded comment on the blog, under Ana's.
    ana_post = blog_posts(ctx, chat_id)[f"comment-{ana}"]
    typed = do_create_post(ctx, host.view, chat_id, "Six is a good hour, Ana.", ana_post.id)
    outbox.work_once()
    outbox.work_once()  # a second round posts nothing twice
    threaded = [c for c in _wp_comments(wordpress, post_id) if c["parent"] == ana]
    assert [c["content"]["rendered"].strip() for c in threaded] == [
        "<p>Six is a good hour, Ana.</p>"
    ]
    sync.pull_once()
    with ctx.store.read() as session:
        room_reply = session.get(PostRow, typed.id)
        assert room_reply is not None
        assert room_reply.external_id == f"comment-{threaded[0]['id']}"
        assert room_reply.is_host
        assert room_reply.author_id == host.view.id
        assert room_reply.reply_to_post_id == ana_post.id
        assert not room_reply.hidden
        assert (
            session.scalar(
                sa.select(sa.func.count()).where(
                    PostRow.chat_id == chat_id, PostRow.text.like("Six is%")
                )
            )
            == 1
        )

    # Ana edits her comment; a new visitor's held comment is approved later; the spam is
    # trashed; Ana's edit follows, Maria arrives, nothing of the spam.
    wordpress.moderate(ana, content="A2 Closing the laptop at six, phone in the drawer. #KaizenBiz")
    maria = wordpress.comment(
        post_id, f"Maria Held {run}", "A4 Habit tracker on the fridge #KaizenBiz"
    )
    sync.pull_once()
    assert f"comment-{maria}" not in blog_posts(ctx, chat_id)
    wordpress.moderate(maria, status="approved")
    with wordpress.api() as client:
        client.delete(f"/comments/{spam}").raise_for_status()
    sync.pull_once()
    now_filed = blog_posts(ctx, chat_id)
    assert now_filed[f"comment-{ana}"].text.endswith("phone in the drawer. #KaizenBiz")
    assert f"comment-{maria}" in now_filed
    assert f"comment-{spam}" not in now_filed

    # A comment deleted on the blog is hidden in the room.
    with wordpress.api() as client:
        client.delete(f"/comments/{maria}").raise_for_status()
    sync.pull_once()
    assert blog_posts(ctx, chat_id)[f"comment-{maria}"].hidden

    # Comments close: the recap is published and the blog's comments close with the chat.
    do_close_chat(ctx, host.view, chat_id)
    outbox.work_once()
    sync.close_chat(chat_id)  # a retried delivery publishes nothing twice
    announcement = _wp_post(wordpress, post_id)
    assert announcement["comment_status"] == "closed"
    recaps = wp_posts_titled(wordpress, f"Recap: #{TAG}: {title}")
    assert len(recaps) == 1
    assert recaps[0]["comment_status"] == "closed"
    recap = recaps[0]["content"]["rendered"]
    assert "What does kaizen mean to you?" in recap
    assert "Small steps, every single day." in recap
    assert f"/chats/{chat_id}/recap" in recap
    assert "<style" not in recap
    with wordpress.api(anonymous=True) as client:
        late = client.post(
            "/comments",
            json={
                "post": post_id,
                "author_name": "Late",
                "author_email": "l@e.org",
                "content": "A1 x",
            },
        )
    assert late.status_code == 403
    assert late.json()["code"] == "rest_comment_closed"

    # The blog's own export, imported afterwards, brings the same comments: nothing added,
    # nothing changed (the same identity, author, text, time and thread).
    export = tmp_path / "blog.xml"
    export.write_bytes(wordpress.export_wxr())
    ours = [p for p in open_wxr(export).posts() if (p.url or "").startswith(f"{post_url}#")]
    live = {k for k, row in blog_posts(ctx, chat_id).items() if not row.hidden}
    assert {p.external_id for p in ours} == live
    counts = do_ingest_posts(ctx, "wxr", chat_id, ours)
    assert (counts.added, counts.updated, counts.skipped) == (0, 0, 0)
