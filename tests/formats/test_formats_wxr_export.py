"""The rules `export_chat_wxr` follows so that WordPress's importer takes the file in, checked
without WordPress (tests/blog/test_blog_wxr_import.py replays the import in a real one): XML 1.0
only, a parent's comment id below its child's, the host's question post as the question, names
as WordPress stores them and read back as typed."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped]

from hashchat.actions.context import AppContext
from hashchat.actions.export import chat_header
from hashchat.actions.ingest import do_ingest_posts
from hashchat.assembly import build_context
from hashchat.demo import seed_demo
from hashchat.domain.ingest import ForeignPost, Network
from hashchat.formats.wxr import export_chat_wxr, open_wxr
from hashchat.settings import Settings
from hashchat.store.migrate import upgrade

WP = "{http://wordpress.org/export/1.2/}"
NOW = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    url = f"sqlite:///{tmp_path / 'wxr.sqlite3'}"
    upgrade(url)
    context = build_context(Settings(database_url=url, argon2_time_cost=1, argon2_memory_kib=1024))
    yield context
    context.store.dispose()


def _demo_with(ctx: AppContext, *texts: tuple[str, str, str | None]) -> int:
    chat_id = seed_demo(ctx, NOW).past_chat_id
    start = chat_header(ctx, chat_id).started_at
    assert start is not None
    posts = [
        ForeignPost(
            network=Network.MASTODON,
            source="mastodon.example",
            external_id=f"m{index}",
            author_handle=f"user{index}",
            display_name=name,
            text=text,
            created_at=start + timedelta(minutes=20 + index),
            reply_to=parent,
        )
        for index, (name, text, parent) in enumerate(texts)
    ]
    do_ingest_posts(ctx, "test", chat_id, posts)
    return chat_id


def _export(ctx: AppContext, chat_id: int, path: Path) -> etree._Element:
    out = io.StringIO()
    export_chat_wxr(ctx, chat_id, out)
    path.write_text(out.getvalue(), encoding="utf-8")
    return etree.fromstring(out.getvalue().encode())  # strict: raises on anything not XML 1.0


def test_control_characters_cannot_break_the_file(ctx: AppContext, tmp_path: Path) -> None:
    chat_id = _demo_with(ctx, ("Vee\x1b", "A1 a\x0bb ]]> <i>c</i>", None))
    root = _export(ctx, chat_id, tmp_path / "chat.xml")
    texts = [c.findtext(f"{WP}comment_content") for c in root.iter(f"{WP}comment")]
    assert "A1 a\ufffdb ]]&gt; &lt;i&gt;c&lt;/i&gt;" in texts  # plain text, markup escaped
    read = {p.external_id: p for p in open_wxr(tmp_path / "chat.xml").posts()}
    back = next(p for p in read.values() if p.text.startswith("A1 a"))
    assert back.text == "A1 a\ufffdb ]]> <i>c</i>"
    assert back.display_name == "Vee\ufffd"


def test_parents_come_first_and_questions_are_the_hosts_posts(
    ctx: AppContext, tmp_path: Path
) -> None:
    chat_id = _demo_with(
        ctx, ("Ana & Bo", "A2 first", None), ("Cy", "nice", "m0"), ("Di", "agreed", "m1")
    )
    root = _export(ctx, chat_id, tmp_path / "chat.xml")
    comments = list(root.iter(f"{WP}comment"))
    ids = [int(c.findtext(f"{WP}comment_id")) for c in comments]
    assert len(ids) == 149 - 2 - 3 + 3  # the demo's shown posts and ours, nothing twice
    assert len(set(ids)) == len(ids)
    for comment in comments:
        parent = int(comment.findtext(f"{WP}comment_parent"))
        assert parent == 0 or parent in ids
        assert parent < int(comment.findtext(f"{WP}comment_id"))
    by_id = {int(c.findtext(f"{WP}comment_id")): c for c in comments}
    questions = [by_id[number] for number in range(1, 7)]  # Q1-Q6: the host's own posts
    for number, question in enumerate(questions, start=1):
        assert question.findtext(f"{WP}comment_content").startswith(f"Q{number} ")
        assert question.findtext(f"{WP}comment_parent") == "0"
    assert sum(c.findtext(f"{WP}comment_author") == "kaizencoach" for c in comments) == 15
    assert {c.findtext(f"{WP}comment_author") for c in questions} == {"kaizencoach"}
    assert {c.findtext(f"{WP}comment_user_id") for c in questions} == {"1"}  # the post's author
    assert root.findtext("channel/item/{http://purl.org/dc/elements/1.1/}creator") == "kaizencoach"
    ana = next(c for c in comments if c.findtext(f"{WP}comment_content") == "A2 first")
    assert ana.findtext(f"{WP}comment_author") == "Ana &amp; Bo"  # as WordPress stores it
    assert by_id[int(ana.findtext(f"{WP}comment_parent"))].findtext(f"{WP}comment_id") == "2"
    read = {p.text: p for p in open_wxr(tmp_path / "chat.xml").posts()}
    assert read["A2 first"].display_name == "Ana & Bo"
    assert read["agreed"].reply_to == read["nice"].external_id
    assert read["nice"].reply_to == read["A2 first"].external_id
