"""What the recap, the room and the feed say is what happened: questions actually asked, the
time the chat actually started, and one name for hidden posts on the page and in every export."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from pages_support import World, client_for

from hashchat.actions.chats import do_end_chat, do_next_question, do_start_chat
from hashchat.actions.moderation import do_hide_post
from hashchat.actions.posts import do_create_post
from hashchat.formats.recap_common import HIDDEN_LABEL

ATOM = "{http://www.w3.org/2005/Atom}"


def _ended_early(world: World) -> None:
    """Started an hour before its plan, ended after Q1 of two, one post hidden."""
    ctx, chat = world.ctx, world.chat_id
    do_start_chat(ctx, world.host, chat)
    do_next_question(ctx, world.host, chat)
    do_create_post(ctx, world.reader, chat, "A1 small steps")
    do_create_post(ctx, world.cohost, chat, "A1 a checklist")
    spam = do_create_post(ctx, world.reader, chat, "buy followers")
    do_hide_post(ctx, world.host, spam.id)
    do_end_chat(ctx, world.host, chat)


def test_the_feed_counts_only_the_questions_asked(world: World) -> None:
    _ended_early(world)
    feed = client_for(world).get("/series/KaizenBiz/recaps.atom")
    summary = ET.fromstring(feed.content).find(f"{ATOM}entry/{ATOM}summary")
    assert summary is not None
    assert "2 answers to 1 question " in (summary.text or "")


def test_a_question_never_asked_is_not_in_the_recap(world: World) -> None:
    _ended_early(world)
    client = client_for(world, "reader")
    page = client.get(f"/chats/{world.chat_id}/recap").text
    assert "What next?" not in page
    assert "No answers" not in page
    for fmt in ("md", "html", "json", "csv"):
        export = client.get(f"/api/v1/chats/{world.chat_id}/recap", params={"format": fmt})
        assert export.status_code == 200
        assert "What next?" not in export.text, fmt
        assert "No answers" not in export.text, fmt


def test_the_headers_show_when_the_chat_started_not_its_plan(world: World) -> None:
    _ended_early(world)
    client = client_for(world, "kaizencoach")  # Europe/London: the plan was 17:00 GMT
    for path in (f"/chats/{world.chat_id}", f"/chats/{world.chat_id}/recap"):
        page = client.get(path).text
        assert re.search(r"Started <time[^>]*>Fri 20 Nov 2026, 16:00 GMT</time>", page), path
        assert "17:00 GMT" not in page, path


def test_hidden_posts_have_one_name_on_the_page_and_in_every_readable_export(
    world: World,
) -> None:
    _ended_early(world)
    client = client_for(world, "reader")
    texts = {"page": client.get(f"/chats/{world.chat_id}/recap").text}
    for fmt in ("md", "html"):
        path = f"/api/v1/chats/{world.chat_id}/recap"
        texts[fmt] = client.get(path, params={"format": fmt}).text
    for name, text in texts.items():
        assert HIDDEN_LABEL in text, name
        assert "spam" not in text.lower(), name
