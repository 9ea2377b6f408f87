"""Our posts on the host's blog (issue 12) as the HTML WordPress stores: the announcement built
from the chat, and the recap (the registry's HTML recap, its body kept and sanitised with
`nh3`, with a link to the full transcript). Every text a person wrote is escaped.
"""

from __future__ import annotations

import re
from html import escape

import nh3

from hashchat.domain.announce import Announcement
from hashchat.formats.recap_html import web_url

_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)
# What a blog post keeps of the recap page: its structure and links, no styles or scripts.
_RECAP_TAGS = {
    "h1", "h2", "h3", "p", "a", "ul", "ol", "li", "table", "caption", "thead", "tbody",
    "tr", "th", "td", "strong", "em", "span", "time", "blockquote", "br", "section",
}  # fmt: skip


def _paragraphs(text: str) -> str:
    return "".join(
        "<p>" + escape(part.strip()).replace("\n", "<br>") + "</p>"
        for part in text.split("\n\n")
        if part.strip()
    )


def _link(url: str, label: str) -> str:
    safe = web_url(url)
    return f'<a href="{escape(safe)}">{escape(label)}</a>' if safe else escape(label)


def announcement_html(post: Announcement) -> str:
    """The announcement post's content."""
    parts = []
    if post.topic.strip():
        parts.append(_paragraphs(post.topic))
    if post.when:
        parts.append(f"<p><strong>When:</strong> {escape(post.when)}</p>")
    parts.append(
        f"<p><strong>Where:</strong> {_link(post.room_url, 'join the chat in the room')}"
        f" or post with #{escape(post.tag)} · {_link(post.calendar_url, 'add to calendar')}</p>"
    )
    parts.append("<h2>Not sure how to participate?</h2>")
    parts.append(_paragraphs(post.guide))
    parts.append("<h2>The questions</h2>")
    if post.reveal_questions and post.questions:
        items = "".join(
            f"<li><strong>Q{number}</strong> {escape(text)}</li>"
            for number, text in enumerate(post.questions, start=1)
        )
        parts.append(f'<ol class="hashchat-questions">{items}</ol>')
    else:
        parts.append("<p>The questions will be revealed live.</p>")
    parts.append(
        "<p>Can't make it live? Leave your answers here as a comment (A1 …, A2 …): they join "
        "the chat as late answers until comments close.</p>"
    )
    return "\n".join(parts)


def recap_html(page: str, transcript_url: str) -> str:
    """The recap post's content from the registry's HTML recap page: its body, sanitised
    (no styles, scripts or ids), then a link to the full transcript."""
    found = _BODY.search(page)
    body = found.group(1) if found else page
    cleaned = nh3.clean(
        body,
        tags=_RECAP_TAGS,
        attributes={"a": {"href"}, "th": {"scope"}, "time": {"datetime"}},
        url_schemes={"http", "https"},
        link_rel="nofollow noopener",
    )
    link = _link(transcript_url, "Read the full transcript")
    return f"{cleaned.strip()}\n<p>{link}</p>"


def recap_title(tag: str, title: str) -> str:
    """The recap post's title."""
    return f"Recap: #{tag}: {title}"
