"""Issue 9, read side: the recaps feed does not rebuild every past transcript per request. Each
chat's sentence is stored once (`recap_summaries`) and computed again only after the chat
changes (a new event: a late post, a hide)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import sqlalchemy as sa
from pages_support import World, client_for

from hashchat.actions.chats import do_end_chat, do_next_question, do_start_chat
from hashchat.actions.moderation import do_hide_post
from hashchat.actions.posts import do_create_post
from hashchat.store.models import RecapSummaryRow

ATOM = "{http://www.w3.org/2005/Atom}"
STORED = "stored sentence, not recomputed"


def _summary(world: World) -> str:
    feed = client_for(world).get("/series/KaizenBiz/recaps.atom")
    assert feed.status_code == 200
    found = ET.fromstring(feed.content).find(f"{ATOM}entry/{ATOM}summary")
    assert found is not None
    return found.text or ""


def test_the_feed_reads_the_stored_sentence_until_the_chat_changes(world: World) -> None:
    ctx, chat = world.ctx, world.chat_id
    do_start_chat(ctx, world.host, chat)
    do_next_question(ctx, world.host, chat)
    do_create_post(ctx, world.reader, chat, "A1 small steps")
    spam = do_create_post(ctx, world.cohost, chat, "A1 a checklist")
    do_end_chat(ctx, world.host, chat)

    assert "2 answers to 1 question" in _summary(world)
    with ctx.store.write() as session:
        row = session.get(RecapSummaryRow, chat)
        assert row is not None
        row.summary = STORED  # what a second request shows proves where it reads from
    assert _summary(world) == STORED

    do_hide_post(ctx, world.host, spam.id)  # an event: the stored sentence is stale
    assert "1 answer to 1 question" in _summary(world)
    with ctx.store.read() as session:
        rows = session.scalars(sa.select(RecapSummaryRow)).all()
    assert [row.chat_id for row in rows] == [chat]
    assert "1 answer" in rows[0].summary


def test_a_chat_not_past_its_live_hour_has_no_entry_and_no_row(world: World) -> None:
    do_start_chat(world.ctx, world.host, world.chat_id)
    feed = client_for(world).get("/series/KaizenBiz/recaps.atom")
    assert ET.fromstring(feed.content).find(f"{ATOM}entry") is None
    with world.ctx.store.read() as session:
        assert session.scalars(sa.select(RecapSummaryRow)).all() == []
