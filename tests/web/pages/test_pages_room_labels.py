"""Issue 9, numbers and labels, the room and recap pages: an upcoming chat's room and recap say
what is true (nothing to recap, no pause, a countdown and a calendar link), spotlighted posts are
pinned and marked in every recap format, the late-answer picker stores what it showed, the log-in
link returns to the page it came from (and nowhere else), and the formats come from one registry."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from icalendar import Calendar
from pages_support import World, client_for, csrf_of

from hashchat.actions.chats import do_end_chat, do_next_question, do_start_chat
from hashchat.actions.errors import InvalidInputError
from hashchat.actions.moderation import do_spotlight_post
from hashchat.actions.posts import do_create_post
from hashchat.formats.recaps import RECAP_FORMATS, recap_format
from hashchat.web.pages.common import safe_next
from hashchat.web.pages.room import countdown_text


def test_the_recap_of_a_chat_not_started_has_no_figures_and_no_links(world: World) -> None:
    client = client_for(world, "reader")
    page = client.get(f"/chats/{world.chat_id}/recap")
    assert page.status_code == 404
    assert "has not started yet" in page.text
    assert "/api/v1/chats/" not in page.text  # no download link that would answer 409
    assert "Figures" not in page.text
    assert f'href="/chats/{world.chat_id}"' in page.text
    api = client.get(f"/api/v1/chats/{world.chat_id}/recap", params={"format": "md"})
    assert api.status_code == 409


def test_the_upcoming_room_shows_a_countdown_and_a_calendar_link_not_pause_or_recap(
    world: World,
) -> None:
    page = client_for(world, "reader").get(f"/chats/{world.chat_id}").text
    assert f'href="/chats/{world.chat_id}/recap"' not in page
    assert 'id="pause"' not in page
    assert ">Conversation<" not in page  # no empty heading
    assert re.search(r'id="countdown"[^>]*>Starts in 1 hour<', page)
    assert f'href="/chats/{world.chat_id}/calendar.ics"' in page
    assert 'id="compose"' not in page


def test_the_per_chat_calendar_has_the_one_chat(world: World) -> None:
    response = client_for(world).get(f"/chats/{world.chat_id}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    assert len(events) == 1
    assert str(events[0]["summary"]).startswith("Small wins")
    assert events[0].decoded("dtstart").isoformat().startswith("2026-11-20T17:00")
    assert client_for(world).get("/chats/999/calendar.ics").status_code == 404


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "Starting any moment now"),
        (59, "Starts in 0 minutes"),
        (61 * 60, "Starts in 1 hour 1 minute"),
        (3600, "Starts in 1 hour"),
        (2 * 86400 + 3 * 3600 + 5 * 60, "Starts in 2 days 3 hours"),
    ],
)
def test_countdown_words(seconds: int, words: str) -> None:
    assert countdown_text(seconds) == words


def test_a_live_room_has_pause_and_recap(world: World) -> None:
    do_start_chat(world.ctx, world.host, world.chat_id)
    page = client_for(world, "reader").get(f"/chats/{world.chat_id}").text
    assert 'id="pause"' in page
    assert 'aria-pressed="false"' in page
    assert f'href="/chats/{world.chat_id}/recap"' in page
    assert 'id="countdown"' not in page


def test_spotlighted_posts_are_pinned_in_the_room_and_marked_in_every_recap(world: World) -> None:
    ctx, chat = world.ctx, world.chat_id
    do_start_chat(ctx, world.host, chat)
    do_next_question(ctx, world.host, chat)
    plain = do_create_post(ctx, world.cohost, chat, "A1 an ordinary answer")
    star = do_create_post(ctx, world.reader, chat, "A1 write the wins down")
    do_spotlight_post(ctx, world.host, star.id, True)
    client = client_for(world, "reader")
    room = client.get(f"/chats/{chat}").text
    pinned = room[room.index('id="pinned"') : room.index('id="stream"')]
    assert f'data-pinned-of="{star.id}"' in pinned
    assert "write the wins down" in pinned
    assert "ordinary answer" not in pinned
    assert pinned.index('id="pinned"') < room.index('id="stream"')

    recap = client.get(f"/chats/{chat}/recap").text
    assert recap.count("badge-spotlight") == 1
    do_end_chat(ctx, world.host, chat)
    exports = {
        fmt: client.get(f"/api/v1/chats/{chat}/recap", params={"format": fmt}).text
        for fmt in RECAP_FORMATS
    }
    assert re.search(r"\*spotlight\*.*write the wins down", exports["md"])
    assert "ordinary answer" in exports["md"]
    assert exports["md"].count("*spotlight*") == 1
    assert exports["html"].count(">spotlight<") == 1
    answers = json.loads(exports["json"])["questions"][0]["answers"]
    marks = {entry["post_id"]: entry["spotlight"] for entry in answers}
    assert marks == {str(plain.id): False, str(star.id): True}
    rows = list(csv.DictReader(io.StringIO(exports["csv"])))
    assert {row["post_id"]: row["spotlight"] for row in rows if row["kind"] == "answer"} == {
        str(plain.id): "false",
        str(star.id): "true",
    }


def test_a_late_answer_picked_for_a_question_is_stored_as_shown(world: World) -> None:
    ctx, chat = world.ctx, world.chat_id
    do_start_chat(ctx, world.host, chat)
    do_next_question(ctx, world.host, chat)
    do_next_question(ctx, world.host, chat)
    do_end_chat(ctx, world.host, chat)
    client = client_for(world, "reader")
    room = client.get(f"/chats/{chat}").text
    assert re.search(r'<option value="">No question \(conversation\)</option>', room)
    assert '<option value="1">Q1.' in room
    # The form (no JavaScript) and the API both take the pick.
    response = client.post(
        f"/chats/{chat}/posts",
        data={
            "text": "slow and steady",
            "question": "1",
            "auto": "true",
            "csrf_token": csrf_of(room),
        },
    )
    assert response.status_code == 303
    posts = client.get(f"/api/v1/chats/{chat}/posts").json()
    stored = [p for p in posts if "slow and steady" in p["text"]]
    assert stored[0]["text"] == "A1 slow and steady #KaizenBiz"
    assert stored[0]["question"] == 1
    assert stored[0]["late"] is True
    # No pick: no tag after the live hour (the default is none).
    response = client.post(
        f"/chats/{chat}/posts",
        data={"text": "thanks all", "question": "", "auto": "true", "csrf_token": csrf_of(room)},
    )
    assert response.status_code == 303
    # A question never asked is refused, nothing stored.
    with pytest.raises(InvalidInputError, match="Q5 has not been asked"):
        do_create_post(ctx, world.reader, chat, "a text", question=5)
    assert sum("slow and steady" in p["text"] for p in posts) == 1


def test_an_empty_post_is_refused_even_with_the_tags_added(world: World) -> None:
    do_start_chat(world.ctx, world.host, world.chat_id)
    do_next_question(world.ctx, world.host, world.chat_id)
    client = client_for(world, "reader")
    response = client.post(
        f"/api/v1/chats/{world.chat_id}/posts",
        json={"text": "   ", "auto": True},
        headers={"X-CSRF-Token": csrf_of(client.get(f"/chats/{world.chat_id}").text)},
    )
    assert response.status_code == 422


def test_the_room_config_knows_a_host_is_never_auto_tagged(world: World) -> None:
    do_start_chat(world.ctx, world.host, world.chat_id)
    for name, is_host in (("kaizencoach", True), ("leanlaura", True), ("reader", False)):
        page = client_for(world, name).get(f"/chats/{world.chat_id}").text
        found = re.search(r'<script type="application/json" id="room-config">(.*?)</script>', page)
        assert found
        assert json.loads(found.group(1))["viewer_is_host"] is is_host, name


def test_log_in_returns_to_the_page_it_came_from(world: World) -> None:
    client = client_for(world)
    room = client.get(f"/chats/{world.chat_id}/recap?x=1").text
    assert f'href="/login?next=/chats/{world.chat_id}/recap%3Fx%3D1"' in room
    login = client.get(f"/login?next=/chats/{world.chat_id}/recap%3Fx%3D1").text
    response = client.post(
        "/login",
        data={
            "name": "reader",
            "password": "correct horse battery",
            "csrf_token": csrf_of(login),
            "next": f"/chats/{world.chat_id}/recap?x=1",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/chats/{world.chat_id}/recap?x=1"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/ /evil.example",
        "evil.example",
    ],
)
def test_log_in_never_leaves_the_site(target: str) -> None:
    assert safe_next(target) == "/"


def test_every_page_has_a_favicon(world: World) -> None:
    client = client_for(world)
    page = client.get(f"/chats/{world.chat_id}").text
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert icon
    response = client.get(icon.group(1))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")


def test_one_registry_serves_the_page_links_and_the_api(world: World) -> None:
    do_start_chat(world.ctx, world.host, world.chat_id)
    client = client_for(world, "reader")
    page = client.get(f"/chats/{world.chat_id}/recap").text
    links = re.findall(r"/recap\?format=(\w+)", page)
    assert links == list(RECAP_FORMATS)
    for name, chosen in RECAP_FORMATS.items():
        response = client.get(f"/api/v1/chats/{world.chat_id}/recap", params={"format": name})
        assert response.status_code == 200
        assert response.headers["content-type"] == chosen.media_type
        assert f'recap.{chosen.extension}"' in response.headers["content-disposition"]
    with pytest.raises(ValueError, match="use one of md, html, json, csv"):
        recap_format("pdf")
    refused = client.get(f"/api/v1/chats/{world.chat_id}/recap", params={"format": "pdf"})
    assert refused.status_code == 422


def test_hosted_by_names_each_host_once(world: World) -> None:
    from hashchat.actions.accounts import do_register
    from hashchat.actions.series import do_add_member

    do_register(world.ctx, "plainhost", "correct horse battery", "plainhost", "UTC")
    do_add_member(world.ctx, world.host, "KaizenBiz", "plainhost", "cohost")
    page = client_for(world).get("/series/KaizenBiz").text
    hosted = page[page.index("Hosted by") : page.index("</p>", page.index("Hosted by"))]
    assert "<strong>@plainhost</strong> (cohost)" in hosted
    assert hosted.count("plainhost") == 1
    assert "<strong>Kaizen &lt;Coach&gt;</strong> (@kaizencoach, owner)" in hosted


def test_the_room_shows_the_chats_topic(world: World) -> None:
    from hashchat.actions.chats import do_edit_chat

    do_edit_chat(
        world.ctx, world.host, world.chat_id, topic="Read https://example.com <b>first</b>"
    )
    page = client_for(world, "reader").get(f"/chats/{world.chat_id}").text
    assert re.search(
        r'<p class="text" id="topic-text">Read https://example.com &lt;b&gt;first', page
    )


def test_a_host_shows_the_questions_in_the_upcoming_room(world: World) -> None:
    room = f"/chats/{world.chat_id}"
    reader = client_for(world, "reader")
    assert 'id="early-questions"' not in reader.get(room).text
    assert "Show the questions" not in reader.get(room).text
    refused = reader.post(
        f"{room}/questions-public",
        data={"public": "true", "csrf_token": csrf_of(reader.get(room).text)},
    )
    assert refused.status_code == 403
    host = client_for(world, "kaizencoach")
    page = host.get(room).text
    assert "Show the questions to everyone now" in page
    shown = host.post(
        f"{room}/questions-public", data={"public": "true", "csrf_token": csrf_of(page)}
    )
    assert shown.status_code == 303
    listed = reader.get(room).text
    assert re.search(
        r'<li value="1">What went &lt;well&gt;\?</li>\s*<li value="2">What next\?</li>', listed
    )
    assert "Hide the questions until they are asked" in host.get(room).text
    do_start_chat(world.ctx, world.host, world.chat_id)
    assert 'id="early-questions"' not in reader.get(room).text
    late = host.post(
        f"{room}/questions-public", data={"public": "false", "csrf_token": csrf_of(page)}
    )
    assert late.status_code == 409
