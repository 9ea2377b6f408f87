"""Pages through the real app: they render, escape user text, carry and enforce CSRF tokens,
keep the host console to hosts, and serve feeds that parse."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from icalendar import Calendar
from pages_support import PASSWORD, World, client_for, csrf_of

from hashchat.actions.chats import do_start_chat
from hashchat.actions.posts import do_create_post

ATOM = "{http://www.w3.org/2005/Atom}"


def test_every_page_renders_for_a_host(world: World) -> None:
    client = client_for(world, "kaizencoach")
    chat = world.chat_id
    for path in (
        "/",
        "/series/kaizenbiz",
        f"/chats/{chat}",
        f"/chats/{chat}/host",
        "/settings",
        "/login",
        "/register",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'name="csrf_token"' in response.text, path
    # A chat not started has no recap yet (issue 9, number 9): a 404 page with the way to the room.
    response = client.get(f"/chats/{chat}/recap")
    assert response.status_code == 404
    assert 'name="csrf_token"' in response.text
    do_start_chat(world.ctx, world.host, chat)
    assert client.get(f"/chats/{chat}/recap").status_code == 200


def test_user_text_is_escaped_everywhere(world: World) -> None:
    do_start_chat(world.ctx, world.host, world.chat_id)
    do_create_post(
        world.ctx, world.reader, world.chat_id, "A1 <img src=x onerror=alert(1)> #KaizenBiz"
    )
    client = client_for(world, "reader")
    series = client.get("/series/KaizenBiz").text
    assert "<script>alert(1)</script>" not in series
    assert "Small &lt;script&gt;alert(1)&lt;/script&gt; wins" in series
    room = client.get(f"/chats/{world.chat_id}").text
    assert "<img src=x" not in room
    assert "A1 &lt;img src=x onerror=alert(1)&gt; #KaizenBiz" in room
    assert "What went &lt;well&gt;?" in room
    assert "Kaizen &lt;Coach&gt;" in client_for(world, "kaizencoach").get("/").text


def test_series_page_shows_times_in_the_readers_zone_or_utc(world: World) -> None:
    tokyo = client_for(world, "reader").get("/series/KaizenBiz").text
    assert "JST" in tokyo
    anonymous = client_for(world).get("/series/KaizenBiz").text
    assert 'data-localize="long"' in anonymous
    assert "UTC</time>" in anonymous
    assert "GMT/" in anonymous  # the announcement line names the series' zones


def test_forms_without_the_csrf_token_are_refused(world: World) -> None:
    client = client_for(world, "reader")
    for path, data in (
        ("/settings", {"display_name": "X", "timezone": "UTC"}),
        ("/logout", {}),
        (f"/chats/{world.chat_id}/posts", {"text": "hello"}),
        (f"/chats/{world.chat_id}/host/start", {}),
    ):
        assert client.post(path, data=data).status_code == 403, path
    anonymous = client_for(world)
    anonymous.get("/login")
    refused = anonymous.post("/login", data={"name": "reader", "password": PASSWORD})
    assert refused.status_code == 403


def test_host_console_is_for_owner_and_cohost_only(world: World) -> None:
    path = f"/chats/{world.chat_id}/host"
    assert client_for(world, "leanlaura").get(path).status_code == 200
    assert client_for(world, "reader").get(path).status_code == 403
    assert client_for(world).get(path).status_code == 403
    reader = client_for(world, "reader")
    token = csrf_of(reader.get("/settings").text)
    refused = reader.post(f"{path}/start", data={"csrf_token": token})
    assert refused.status_code == 403


def test_host_console_starts_the_chat_through_a_form(world: World) -> None:
    host = client_for(world, "kaizencoach")
    token = csrf_of(host.get(f"/chats/{world.chat_id}/host").text)
    done = host.post(f"/chats/{world.chat_id}/host/start", data={"csrf_token": token})
    assert done.status_code == 303
    console = host.get(done.headers["location"]).text
    assert "The chat is live" in console
    assert "Welcome post" in console


def test_register_keeps_input_and_names_the_problem(world: World) -> None:
    client = client_for(world)
    token = csrf_of(client.get("/register").text)
    page = client.post(
        "/register",
        data={
            "name": "new_person",
            "display_name": "<New>",
            "password": "short",
            "timezone": "Europe/Paris",
            "csrf_token": token,
        },
    )
    assert page.status_code == 422
    assert "at least 8 characters" in page.text
    assert 'value="new_person"' in page.text
    assert 'value="&lt;New&gt;"' in page.text
    made = client.post(
        "/register",
        data={
            "name": "new_person",
            "display_name": "New",
            "password": PASSWORD,
            "timezone": "Europe/Paris",
            "csrf_token": token,
        },
    )
    assert made.status_code == 303
    assert "Europe/Paris" in client.get("/settings").text


def test_settings_refuses_an_unknown_zone_on_the_form(world: World) -> None:
    client = client_for(world, "reader")
    token = csrf_of(client.get("/settings").text)
    page = client.post(
        "/settings", data={"display_name": "R", "timezone": "Mars/Base", "csrf_token": token}
    )
    assert page.status_code == 422
    assert "Mars/Base" in page.text


def test_login_refuses_a_wrong_password_and_an_outside_redirect(world: World) -> None:
    client = client_for(world)
    token = csrf_of(client.get("/login").text)
    wrong = client.post("/login", data={"name": "reader", "password": "nope", "csrf_token": token})
    assert wrong.status_code == 401
    assert "wrong name or password" in wrong.text
    right = client.post(
        "/login",
        data={
            "name": "reader",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "https://evil.example/",
        },
    )
    assert right.headers["location"] == "/"


def test_calendar_feed_parses_with_reminders(world: World) -> None:
    response = client_for(world).get("/series/kaizenbiz/calendar.ics")
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    assert str(events[0]["summary"]).startswith("Small wins")
    assert len(events[0].walk("VALARM")) == 2


def test_recap_atom_feed_parses_and_lists_past_chats(world: World) -> None:
    from hashchat.actions.chats import do_close_chat

    do_start_chat(world.ctx, world.host, world.chat_id)
    do_close_chat(world.ctx, world.host, world.chat_id)
    response = client_for(world).get("/series/KaizenBiz/recaps.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.findtext(f"{ATOM}title") == "#KaizenBiz recaps — Kaizen <b>for</b> you"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Recap: Small wins"]
    assert entries[0].find(f"{ATOM}link").get("href").endswith(f"/chats/{world.chat_id}/recap")


def test_unknown_series_and_chat_are_404_pages(world: World) -> None:
    client = client_for(world)
    for path in ("/series/nope", "/chats/999", "/chats/999/recap", "/series/nope/calendar.ics"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "There is no" in response.text
