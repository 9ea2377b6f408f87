"""The series calendar feed keeps a chat once it starts, at the time it actually started."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar
from pages_support import NOW, World, client_for

from hashchat.actions.chats import do_close_chat, do_end_chat, do_start_chat


def _starts(world: World) -> list[datetime]:
    response = client_for(world).get("/series/kaizenbiz/calendar.ics")
    assert response.status_code == 200
    events = Calendar.from_ical(response.content).walk("VEVENT")
    return [event.decoded("dtstart") for event in events]


def test_the_feed_keeps_a_chat_while_live_and_after_it_ends(world: World) -> None:
    planned = _starts(world)
    assert len(planned) == 1
    assert planned[0] > NOW
    do_start_chat(world.ctx, world.host, world.chat_id)  # went live early, at NOW
    assert _starts(world) == [NOW]
    do_end_chat(world.ctx, world.host, world.chat_id)
    assert _starts(world) == [NOW]
    do_close_chat(world.ctx, world.host, world.chat_id)
    assert _starts(world) == [NOW]
