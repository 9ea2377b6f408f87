"""Rows that could not be typed today (imported, or stored before the checks) still render:
far dates on every page for a reader east of UTC, control characters in the ICS and Atom
feeds, and tags outside Latin-1 in the calendar's file name (issue 8, points 13 and 14)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from icalendar import Calendar
from pages_support import World, client_for, csrf_of

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_end_chat, do_start_chat
from hashchat.actions.series import do_create_series
from hashchat.store.models import ChatRow, SeriesRow, User

CONTROLS = ["\r", "\n", "\r\n", "\x0b", "\x0c", "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\u2029"]


def _set_chat(world: World, **values: object) -> None:
    with world.ctx.store.write() as session:
        session.execute(sa.update(ChatRow).where(ChatRow.id == world.chat_id).values(**values))


def _set_series(world: World, **values: object) -> None:
    with world.ctx.store.write() as session:
        session.execute(
            sa.update(SeriesRow).where(SeriesRow.tag_key == "kaizenbiz").values(**values)
        )


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Asia/Tokyo", "America/Los_Angeles"])
def test_a_chat_at_the_end_of_the_calendar_does_not_break_the_pages(
    world: World, zone: str
) -> None:
    _set_chat(world, starts_at=datetime(9999, 12, 31, 22, 0, tzinfo=UTC))
    do_register(world.ctx, "far_reader", "correct horse battery", "Far", zone)
    client = client_for(world, "far_reader")
    for path in (
        "/",
        "/series/KaizenBiz",
        f"/chats/{world.chat_id}",
        "/series/KaizenBiz/calendar.ics",
    ):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("control", CONTROLS)
def test_control_characters_in_stored_titles_never_reach_the_ics_raw(
    world: World, control: str
) -> None:
    _set_chat(world, title=f"Small{control}wins")
    _set_series(world, title=f"Kaizen{control}BEGIN:VEVENT")
    response = client_for(world).get("/series/KaizenBiz/calendar.ics")
    assert response.status_code == 200
    body = response.content
    # Every line ends with CRLF and holds no other line break of any kind.
    lines = body.split(b"\r\n")
    assert lines[-1] == b""
    for line in lines[:-1]:
        text = line.decode("utf-8")
        assert not re.search("[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]", text), repr(text)
        assert not text.startswith("BEGIN:VEVENT") or text == "BEGIN:VEVENT"
    events = list(Calendar.from_ical(body).walk("VEVENT"))
    assert len(events) == 1


@pytest.mark.parametrize("control", CONTROLS)
def test_control_characters_in_stored_titles_keep_the_atom_feed_valid(
    world: World, control: str
) -> None:
    do_start_chat(world.ctx, world.host, world.chat_id)
    do_end_chat(world.ctx, world.host, world.chat_id)
    _set_chat(world, title=f"Small{control}wins")
    _set_series(world, title=f"Kaizen{control}for you", description=f"a{control}b")
    response = client_for(world).get("/series/KaizenBiz/recaps.atom")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    titles = [el.text or "" for el in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert any(title.startswith("Recap: Small") for title in titles)


@pytest.mark.parametrize("tag", ["日本語チャット", "Café", "Ωmega", "Plain"])
def test_the_calendar_file_name_carries_any_tag(world: World, tag: str) -> None:
    do_create_series(world.ctx, world.host, tag, "Any tag", "Asia/Tokyo")
    response = client_for(world).get(f"/series/{tag}/calendar.ics")
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition.isascii()
    assert f"filename*=UTF-8''{quote(tag + '.ics', safe='')}" in disposition
    fallback = re.search(r'filename="([^"]*)"', disposition)
    assert fallback is not None
    assert fallback.group(1).endswith(".ics")


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("timezone", "localtime", "unknown time zone"),
        ("timezone", "Factory", "unknown time zone"),
        ("timezone", "../etc/passwd", "unknown time zone"),
        ("display_name", "Laura\nBEGIN:VEVENT", "display name"),
        ("display_name", "Lau\x0bra", "display name"),
        ("display_name", "Lau\u2028ra", "display name"),
    ],
)
def test_the_settings_form_refuses_what_the_api_refuses(
    world: World, field: str, value: str, reason: str
) -> None:
    client = client_for(world, "leanlaura")
    form = {"display_name": "Laura", "timezone": "America/New_York", field: value}
    token = csrf_of(client.get("/settings").text)
    response = client.post("/settings", data={**form, "csrf_token": token})
    assert response.status_code == 422
    assert reason in response.text


def test_the_settings_form_stores_a_zone_alias_by_its_canonical_name(world: World) -> None:
    client = client_for(world, "leanlaura")
    token = csrf_of(client.get("/settings").text)
    form = {"display_name": "Laura", "timezone": "US/Pacific", "csrf_token": token}
    assert client.post("/settings", data=form).status_code == 303
    with world.ctx.store.read() as session:
        zone = session.scalar(sa.select(User.timezone).where(User.name == "leanlaura"))
    assert zone == "America/Los_Angeles"
