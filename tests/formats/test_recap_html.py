"""The HTML recap: a standalone, well-formed page with every user text escaped and no script."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from hashchat.domain.chat import Post
from hashchat.domain.recap import Transcript, recap_chat
from hashchat.formats.recap_html import render_html, web_url

START = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
VOID = {"meta", "br", "hr", "img", "input", "link"}
ATTACK = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class Outline(HTMLParser):
    """Collects the elements, checks that they nest properly, and keeps the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[str] = []
        self.text: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.errors.append(f"unbalanced </{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.open and self.open[-1] in {"h1", "h2"}:
            self.headings.append(data.strip())


def post(post_id: str, minute: float, text: str, author: str = "tom", **fields: object) -> Post:
    return Post(post_id, author, text, START + timedelta(minutes=minute), **fields)  # type: ignore[arg-type]


def chat() -> Transcript:
    posts = [
        post("welcome", 0, "Welcome to #KaizenBiz", "kaizencoach"),
        post("q1", 6, "Q1 What paid off? <b>bold</b> #KaizenBiz", "kaizencoach"),
        post("a", 7, "A1 " + ATTACK, "<i>evil</i>", url="javascript:alert(1)"),
        post(
            "b", 8, "A1 photos of every job", "rosa", network="mastodon", url="https://m.example/1"
        ),
        post("r", 9, "smart", "pia", reply_to="b"),
        post("guess", 10, "untagged & in the hour", "sam"),
        post("late", 60 * 14, "A1 from a template", "nikora", network="bluesky"),
    ]
    return recap_chat(posts, frozenset({"kaizencoach"}))


def outline(page: str) -> Outline:
    parser = Outline()
    parser.feed(page)
    parser.close()
    return parser


def test_the_page_is_well_formed_with_semantic_headings() -> None:
    page = render_html(chat(), tag="#KaizenBiz")
    assert page.startswith("<!doctype html>")
    parsed = outline(page)
    assert parsed.errors == []
    assert parsed.open == []
    assert parsed.headings == [
        "#KaizenBiz recap, 2026-11-20",
        "Figures",
        "Q1. What paid off? <b>bold</b>",
        "Other conversation",
    ]
    tags = [tag for tag, _ in parsed.tags]
    assert {"header", "main", "section", "table", "ol", "ul", "li", "time", "style"} <= set(tags)


def test_user_text_is_escaped_and_nothing_runs() -> None:
    page = render_html(chat())
    parsed = outline(page)
    tags = [tag for tag, _ in parsed.tags]
    assert "script" not in tags
    assert "img" not in tags
    assert "i" not in tags
    assert "b" not in tags
    assert not any(name.startswith("on") for _, attrs in parsed.tags for name in attrs)
    visible = "".join(parsed.text)
    assert ATTACK in visible
    assert "@<i>evil</i>" in visible
    assert "&lt;script&gt;" in page


def test_only_http_links_are_made() -> None:
    hrefs = [attrs["href"] for tag, attrs in outline(render_html(chat())).tags if tag == "a"]
    assert "https://m.example/1" in hrefs
    assert not any(href and href.startswith("javascript") for href in hrefs)


def test_times_marks_and_nesting() -> None:
    page = render_html(chat())
    assert '<time datetime="2026-11-20T17:07:00Z">17:07</time>' in page
    assert '<time datetime="2026-11-21T07:00:00Z">2026-11-21 07:00</time>' in page
    assert page.count('<span class="badge">late</span>') == 1
    assert page.count(">inferred</span>") == 1
    assert '<ul class="replies">' in page
    parsed = outline(page)
    assert [tag for tag, _ in parsed.tags].count("li") == 6  # 4 answers, 1 reply, 1 welcome


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://bsky.app/p/1", "https://bsky.app/p/1"),
        ("http://x.com/s/1", "http://x.com/s/1"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,hi", None),
        ("//evil.example", None),
        (None, None),
    ],
)
def test_web_url(url: str | None, linked: str | None) -> None:
    assert web_url(url) == linked
