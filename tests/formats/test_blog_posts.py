"""Our posts on the host's blog as HTML: every text a person wrote escaped, only web links,
the recap page's body kept without its styles, scripts or ids."""

from __future__ import annotations

from hashchat.domain.announce import Announcement
from hashchat.formats.blog_posts import announcement_html, recap_html


def _announcement(**changes: object) -> Announcement:
    values: dict[str, object] = {
        "tag": "KaizenBiz",
        "title": "Small <steps>",
        "topic": "Line one\nline two\n\n<script>alert(1)</script> & more",
        "when": "Friday, January 25, 2013 at 5pm GMT/12pm ET/9am PT",
        "room_url": "https://chat.example.org/chats/7",
        "calendar_url": "https://chat.example.org/chats/7/calendar.ics",
        "guide": "Say hello first.\n\nAnswer with A1.",
        "questions": ("What is <b>kaizen</b>?", "Why?"),
        "reveal_questions": True,
    }
    values.update(changes)
    return Announcement(**values)  # type: ignore[arg-type]


def test_the_announcement_escapes_what_people_wrote_and_lists_the_questions() -> None:
    html = announcement_html(_announcement())
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert "<p>Line one<br>line two</p>" in html
    assert "<li><strong>Q1</strong> What is &lt;b&gt;kaizen&lt;/b&gt;?</li>" in html
    assert "Friday, January 25, 2013 at 5pm GMT/12pm ET/9am PT" in html
    assert '<a href="https://chat.example.org/chats/7/calendar.ics">add to calendar</a>' in html
    assert "<h2>Not sure how to participate?</h2>" in html


def test_questions_kept_back_say_so_and_a_bad_link_is_not_a_link() -> None:
    html = announcement_html(_announcement(reveal_questions=False, room_url="javascript:alert(1)"))
    assert "The questions will be revealed live." in html
    assert "What is" not in html
    assert "javascript:" not in html


def test_the_recap_keeps_the_pages_body_without_styles_scripts_or_ids() -> None:
    page = (
        "<!doctype html><html><head><style>body{color:red}</style><title>t</title></head>"
        '<body><h1 id="x">#KaizenBiz recap</h1><table><tr><th scope="row">Posts</th>'
        '<td class="n">12</td></tr></table><a href="javascript:alert(1)">bad</a>'
        '<a href="https://example.org/c#1">Jeff</a><script>alert(2)</script></body></html>'
    )
    html = recap_html(page, "https://chat.example.org/chats/7/recap")
    assert "<style" not in html
    assert "color:red" not in html
    assert "<script" not in html
    assert "alert(2)" not in html
    assert 'id="x"' not in html
    assert "<h1>#KaizenBiz recap</h1>" in html
    assert '<th scope="row">Posts</th>' in html
    assert "javascript:" not in html
    assert 'href="https://example.org/c#1"' in html
    assert html.endswith(
        '<p><a href="https://chat.example.org/chats/7/recap">Read the full transcript</a></p>'
    )
