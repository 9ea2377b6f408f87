"""`hashchat export CHAT_ID --format wxr` taken in by a real WordPress (issue 10, "Exporters").

The WordPress Importer plugin cannot be installed here (no Debian package, no network), so
`wxr_replay.php` replays what Tools → Import → WordPress does, inside the real site, with
WordPress's own functions: it checks the file as the importer's SimpleXML parser reads it (a
missing element fails), then `wp_insert_post` for the item and `wp_filter_comment` +
`wp_insert_comment` for each comment, parents mapped through the file's comment ids in the
importer's order. What WordPress then holds is read back through its REST API and compared with
the chat: one post with the recap, every shown post a comment, threaded as in the chat, texts,
authors and dates the same, markup escaped and never run.
"""

from __future__ import annotations

import html
import json
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from wordpress_support import LocalWordPress

from hashchat.actions.accounts import get_user
from hashchat.actions.context import AppContext
from hashchat.actions.export import chat_header, exported_posts
from hashchat.actions.ingest import do_ingest_posts
from hashchat.actions.moderation import do_hide_post
from hashchat.actions.recap import get_recap
from hashchat.demo import seed_demo
from hashchat.domain.ingest import ForeignPost, Network
from hashchat.domain.text.answers import first_question_tag
from hashchat.domain.text.controls import xml_text
from hashchat.formats.recap_common import figures_sentence
from hashchat.formats.wxr import export_chat_wxr
from hashchat.samples import SAMPLE_HOST
from hashchat.store.models import ChatRow, PostRow

REPLAY = Path(__file__).with_name("wxr_replay.php")
NOW = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)
SCRIPT = "<script>alert('wxr')</script>"
TOPIC = "Small wins <em>matter</em> & add up.\n\nBring one."
TRICKY = [  # (external id, parent, display name, text, minutes after the start)
    ("t1", None, "Zoë & Ana", f"A2a 看板 on the wall 📋 ]]> {SCRIPT}\n\nA2b 毎朝5分 review ✅", 16),
    ("t2", "t1", "Самуил", "مرحبا! Love this 👍🏽 <b>bold?</b> & ]]]]><![CDATA[> too", 17),
    ("t3", "t2", "李雷 🚲", "Depth two: ]]> and a\x0bvertical tab\nnext line", 18),
    ("t4", None, "Zoë & Ana", "A6 één ding per week 🙌 (late)", 60 * 20),
]


@dataclass(frozen=True)
class Expected:
    """One comment the blog should hold: who, when, what, and under which one."""

    author: str
    at: datetime
    text: str
    parent: tuple[str, datetime, str] | None
    by_host: bool

    @property
    def key(self) -> tuple[str, datetime, str]:
        return (self.author, self.at, self.text)


def _tricky_chat(ctx: AppContext) -> int:
    """The demo's past chat (multi-answers, replies, reposts, hidden posts, CJK, emoji) plus
    posts with markup, CDATA ends, RTL text, a control character, a reply two deep and a late
    answer; the host's Q3 post hidden, so Q3 has no post of its own; a topic with markup."""
    chat_id = seed_demo(ctx, NOW).past_chat_id
    start = chat_header(ctx, chat_id).started_at
    assert start is not None
    posts = [
        ForeignPost(
            network=Network.MASTODON,
            source="mastodon.example",
            external_id=external_id,
            author_handle=f"user{external_id}",
            display_name=name,
            text=text,
            created_at=start + timedelta(minutes=minutes, microseconds=654321),
            reply_to=parent,
        )
        for external_id, parent, name, text, minutes in TRICKY
    ]
    do_ingest_posts(ctx, "test", chat_id, posts)
    with ctx.store.read() as session:
        q3 = [
            row.id
            for row in session.scalars(sa.select(PostRow).where(PostRow.chat_id == chat_id))
            if row.is_host and first_question_tag(row.text) == 3
        ]
    assert q3
    for post_id in q3:
        do_hide_post(ctx, get_user(ctx, SAMPLE_HOST), post_id)
    with ctx.store.write() as session:  # the framing the host wrote before the chat
        chat = session.get(ChatRow, chat_id)
        assert chat is not None
        chat.topic = TOPIC
    return chat_id


def _expected(ctx: AppContext, chat_id: int, host: str) -> list[Expected]:
    """The comments the chat should become, from the chat itself: every post shown (not hidden,
    not a repost); a question is the host's post asking it, or a comment by the host when that
    post is not shown; a reply sits under the post it replies to, an answer under its question,
    the rest at the top."""
    header = chat_header(ctx, chat_id)
    shown = [
        e for e in exported_posts(ctx, chat_id) if not e.post.hidden and e.post.repost_of is None
    ]

    def key(e: Any) -> tuple[str, datetime, str]:
        post = e.post
        at = post.created_at.astimezone(UTC).replace(microsecond=0)
        return (post.display_name or post.author_handle, at, xml_text(post.text))

    question_key: dict[int, tuple[str, datetime, str]] = {}
    asking: set[str] = set()
    for e in shown:
        number = first_question_tag(e.post.text)
        if e.post.by_host and number is not None and number not in question_key:
            question_key[number] = key(e)
            asking.add(e.line_id)
    comments = []
    for q in header.questions:
        if q.number not in question_key:
            at = (q.asked_at or header.started_at or header.starts_at).replace(microsecond=0)
            question_key[q.number] = (host, at, f"Q{q.number} {q.text}")
            comments.append(Expected(host, at, f"Q{q.number} {q.text}", None, True))
    by_line = {e.line_id: key(e) for e in shown}
    for e in shown:
        parent = None
        if e.line_id not in asking:
            parent = by_line.get(e.reply_line_id or "")
            if parent is None and e.question is not None:
                parent = question_key.get(e.question)
        author, at, text = key(e)
        by_host = bool(e.post.by_host) and e.post.author_handle == host
        comments.append(Expected(author, at, text, parent, by_host))
    return comments


def _export(ctx: AppContext, chat_id: int, path: Path) -> Path:
    with path.open("w", encoding="utf-8") as out:
        export_chat_wxr(ctx, chat_id, out)
    return path


def _replay(site: LocalWordPress, path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        ["php", str(REPLAY), str(site.root / "wordpress"), str(path), *extra],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "{}"
    try:
        return done.returncode, json.loads(last)
    except json.JSONDecodeError:
        pytest.fail(f"the replay printed no JSON: {done.stdout[-2000:]} {done.stderr[-2000:]}")


def _all_comments(site: LocalWordPress, post_id: int, status: str) -> list[dict[str, Any]]:
    comments: list[dict[str, Any]] = []
    with site.api() as client:
        page = 1
        while True:
            answer = client.get(
                "/comments",
                params={
                    "post": post_id,
                    "per_page": 100,
                    "page": page,
                    "context": "edit",
                    "status": status,
                },
            )
            answer.raise_for_status()
            comments.extend(answer.json())
            if page >= int(answer.headers["X-WP-TotalPages"] or 0):
                return comments
            page += 1


def _gmt(comment: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(comment["date_gmt"]).replace(tzinfo=UTC)


def test_wordpress_takes_in_a_chat_exported_as_wxr(
    ctx: AppContext, wordpress: LocalWordPress, tmp_path: Path
) -> None:
    chat_id = _tricky_chat(ctx)
    header = chat_header(ctx, chat_id)
    path = _export(ctx, chat_id, tmp_path / "chat.xml")
    expected = _expected(ctx, chat_id, SAMPLE_HOST)
    assert len({c.key for c in expected}) == len(expected)  # each comment is told apart

    status, result = _replay(wordpress, path)
    assert status == 0, result
    (imported,) = result["posts"]
    assert not imported["existed"]
    post_id = imported["id"]

    with wordpress.api() as client:
        post = client.get(f"/posts/{post_id}", params={"context": "edit"}).json()
        same_slug = client.get("/posts", params={"slug": post["slug"]}).json()
    assert [p["id"] for p in same_slug] == [post_id]  # one post
    assert post["status"] == "publish"
    assert post["title"]["raw"] == f"#{header.series_tag}: {header.title}"
    assert post["date_gmt"] == (header.ended_at or header.started_at).strftime("%Y-%m-%dT%H:%M:%S")
    assert post["author"] == 1  # the host, assigned to the site's admin
    recap = post["content"]["raw"]  # the recap: topic, figures, questions, link to the rest
    figures = figures_sentence(get_recap(ctx, chat_id).transcript.figures)
    assert "<p>Small wins &lt;em&gt;matter&lt;/em&gt; &amp; add up.</p>" in recap
    assert figures in recap
    for question in header.questions:
        assert html.escape(question.text, quote=False) in recap
    assert f"/chats/{chat_id}/recap" in recap

    comments = _all_comments(wordpress, post_id, "approve")
    assert _all_comments(wordpress, post_id, "hold") == []  # approved stays approved
    assert len(comments) == len(expected)
    by_id = {c["id"]: c for c in comments}

    def key(comment: dict[str, Any]) -> tuple[str, datetime, str]:
        return (
            html.unescape(comment["author_name"]),
            _gmt(comment),
            html.unescape(comment["content"]["raw"]),
        )

    held = {key(c): c for c in comments}
    assert set(held) == {c.key for c in expected}  # every answer, its author, time and text
    for want in expected:
        got = held[want.key]
        parent = by_id.get(got["parent"])
        assert (key(parent) if parent else None) == want.parent, want  # threaded as in the chat
        assert (got["author"] == 1) == want.by_host, want
        assert "<script" not in got["content"]["rendered"]
    assert any("&lt;script&gt;" in c["content"]["rendered"] for c in comments)

    page = httpx.get(post["link"], timeout=30)
    assert page.status_code == 200
    assert SCRIPT not in page.text  # shown as text, never run
    assert "看板 on the wall 📋" in page.text

    again_status, again = _replay(wordpress, path)  # the importer's second run adds nothing
    assert again_status == 0, again
    assert again["posts"][0]["existed"]
    assert again["posts"][0]["comments"] == {}
    assert len(_all_comments(wordpress, post_id, "approve")) == len(expected)


REQUIRED = [
    "<wp:wxr_version>",
    "<wp:base_site_url>",
    "<wp:post_type>",
    "<wp:status>",
    "<wp:post_date_gmt>",
    "<dc:creator>",
    "<content:encoded>",
    "<wp:comment_id>",
    "<wp:comment_parent>",
    "<wp:comment_approved>",
    "<wp:comment_date_gmt>",
    "<wp:comment_content>",
]


@pytest.mark.parametrize("element", REQUIRED)
def test_the_replay_refuses_a_file_without_what_the_importer_reads(
    ctx: AppContext, wordpress: LocalWordPress, tmp_path: Path, element: str
) -> None:
    """Each element the importer reads is checked: taking one out fails the check."""
    chat_id = seed_demo(ctx, NOW).past_chat_id
    text = _export(ctx, chat_id, tmp_path / "chat.xml").read_text(encoding="utf-8")
    assert _replay(wordpress, tmp_path / "chat.xml", "--check") == (0, {"errors": []})
    name = element[1:-1]
    start = text.index(element)
    end = text.index(f"</{name}>", start) + len(name) + 3
    broken = tmp_path / "broken.xml"
    broken.write_text(text[:start] + text[end:], encoding="utf-8")
    status, result = _replay(wordpress, broken, "--check")
    assert status == 1
    assert any(name.split(":")[1] in error for error in result["errors"]), result


def test_the_replay_refuses_bad_xml_and_a_parent_after_its_child(
    ctx: AppContext, wordpress: LocalWordPress, tmp_path: Path
) -> None:
    chat_id = seed_demo(ctx, NOW).past_chat_id
    text = _export(ctx, chat_id, tmp_path / "chat.xml").read_text(encoding="utf-8")
    cut = tmp_path / "cut.xml"
    cut.write_text(text[: len(text) // 2], encoding="utf-8")
    status, result = _replay(wordpress, cut, "--check")
    assert status == 1
    assert "not well-formed" in result["errors"][0]
    late_parent = tmp_path / "late.xml"
    late_parent.write_text(
        text.replace(
            "<wp:comment_parent>0</wp:comment_parent>",
            "<wp:comment_parent>999999</wp:comment_parent>",
            1,
        ),
        encoding="utf-8",
    )
    status, result = _replay(wordpress, late_parent, "--check")
    assert status == 1
    assert "comment_parent 999999" in " ".join(result["errors"]), result
