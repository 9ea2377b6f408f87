"""The host's series pages without JavaScript: start a series, edit it, people (add, remove
after a confirmation page, unblock), schedule (recurring, one chat, move, skip after a
confirmation page); refusals named on the form; who sees what."""

from __future__ import annotations

import re

from pages_support import World, client_for, csrf_of

from hashchat.actions.chats import do_start_chat
from hashchat.actions.moderation import do_block_user
from hashchat.actions.series import get_series


def test_home_offers_start_a_series_to_a_logged_in_reader_only(world: World) -> None:
    assert "/series/new" not in client_for(world).get("/").text
    assert 'href="/series/new">Start a series' in client_for(world, "reader").get("/").text
    anonymous = client_for(world).get("/series/new")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/series/new"


def test_start_a_series_then_edit_it(world: World) -> None:
    reader = client_for(world, "reader")
    form = reader.get("/series/new").text
    assert 'value="Asia/Tokyo"' in form  # her own zone to begin with
    response = reader.post(
        "/series/new",
        data={
            "csrf_token": csrf_of(form),
            "tag": "#TeaTime",
            "title": "Tea <time>",
            "description": "",
            "timezone": "Asia/Tokyo",
            "char_rule": "mastodon",
            "char_limit": "500",
            "guide": "Be kind.",
            "announcement_zones": "Asia/Tokyo, Europe/London",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/series/TeaTime/edit?done=created"
    series = get_series(world.ctx, "TeaTime")
    assert series.series.announcement_zones == ("Asia/Tokyo", "Europe/London")
    assert [(m.name, m.role) for m in series.members] == [("reader", "owner")]
    edit = reader.get("/series/TeaTime/edit?done=created").text
    assert "Your series is ready" in edit
    assert "Tea &lt;time&gt;" in edit
    saved = reader.post(
        "/series/TeaTime/edit",
        data={
            "csrf_token": csrf_of(edit),
            "title": "Tea time",
            "description": "Weekly",
            "timezone": "Asia/Tokyo",
            "char_rule": "mastodon",
            "char_limit": "500",
            "guide": "Be kind.",
            "announcement_zones": "",
        },
    )
    assert saved.status_code == 303
    page = reader.get("/series/TeaTime").text
    assert "Tea time" in page
    assert "Be kind." in page
    assert 'href="/series/TeaTime/schedule"' in page


def test_a_refused_series_is_named_on_the_form_with_input_kept(world: World) -> None:
    reader = client_for(world, "reader")
    form = reader.get("/series/new").text
    response = reader.post(
        "/series/new",
        data={
            "csrf_token": csrf_of(form),
            "tag": "KaizenBlz",
            "title": "Look-alike <b>",
            "timezone": "Asia/Tokyo",
            "char_rule": "x",
            "char_limit": "280",
        },
    )
    assert response.status_code == 409
    assert "looks like the existing series #KaizenBiz" in response.text
    assert 'value="Look-alike &lt;b&gt;"' in response.text
    bad_zone = reader.post(
        "/series/new",
        data={"csrf_token": csrf_of(form), "tag": "Ok", "title": "t", "timezone": "Mars/Base"},
    )
    assert bad_zone.status_code == 422
    assert "Mars/Base" in bad_zone.text


def test_edit_and_people_pages_are_for_staff_only(world: World) -> None:
    reader = client_for(world, "reader")
    assert reader.get("/series/KaizenBiz/edit").status_code == 403
    assert reader.get("/series/KaizenBiz/people").status_code == 403
    assert reader.get("/series/KaizenBiz/schedule").status_code == 403
    assert "Schedule chats" not in reader.get("/series/KaizenBiz").text
    form = client_for(world, "kaizencoach").get("/series/KaizenBiz/edit").text
    response = reader.post(
        "/series/KaizenBiz/edit", data={"csrf_token": csrf_of(reader.get("/settings").text)}
    )
    assert response.status_code == 403
    assert 'name="title"' in form


def test_add_then_remove_a_cohost_after_confirming(world: World) -> None:
    host = client_for(world, "kaizencoach")
    people = host.get("/series/KaizenBiz/people").text
    added = host.post(
        "/series/KaizenBiz/people",
        data={"csrf_token": csrf_of(people), "user": "reader", "role": "cohost"},
    )
    assert added.status_code == 303
    people = host.get("/series/KaizenBiz/people?done=added").text
    assert "Role given." in people
    assert re.search(r"@reader</span></td>\s*<td>cohost</td>", people)
    confirm = host.get("/series/KaizenBiz/people/reader/remove")
    assert confirm.status_code == 200
    assert "Take the cohost role in #KaizenBiz away from Reader (@reader)?" in confirm.text
    # A post without the confirmation asks again and removes nothing.
    unconfirmed = host.post(
        "/series/KaizenBiz/people/reader/remove", data={"csrf_token": csrf_of(confirm.text)}
    )
    assert unconfirmed.status_code == 200
    assert "Take the cohost role" in unconfirmed.text
    assert "reader" in [m.name for m in get_series(world.ctx, "KaizenBiz").members]
    removed = host.post(
        "/series/KaizenBiz/people/reader/remove",
        data={"csrf_token": csrf_of(confirm.text), "confirm": "yes"},
    )
    assert removed.status_code == 303
    assert "reader" not in [m.name for m in get_series(world.ctx, "KaizenBiz").members]


def test_a_cohost_cannot_remove_the_owner_and_sees_why(world: World) -> None:
    cohost = client_for(world, "leanlaura")
    page = cohost.get("/series/KaizenBiz/people").text
    assert "/people/kaizencoach/remove" not in page  # the matrix: only owners touch hosts
    refused = cohost.post(
        "/series/KaizenBiz/people/kaizencoach/remove",
        data={"csrf_token": csrf_of(page), "confirm": "yes"},
    )
    assert refused.status_code == 403
    assert "may not add_host" in refused.text


def test_the_people_page_offers_what_the_matrix_allows_the_reader(world: World) -> None:
    """Every remove link and role choice is the permission matrix's answer for this reader:
    a cohost manages moderators, only the owner touches hosts."""
    from hashchat.actions.series import do_add_member

    do_add_member(world.ctx, world.host, "KaizenBiz", "reader", "moderator")
    cohost_page = client_for(world, "leanlaura").get("/series/KaizenBiz/people").text
    assert "/people/reader/remove" in cohost_page
    assert "/people/kaizencoach/remove" not in cohost_page
    assert "/people/leanlaura/remove" not in cohost_page
    assert 'value="moderator"' in cohost_page
    assert 'value="cohost"' not in cohost_page
    owner_page = client_for(world, "kaizencoach").get("/series/KaizenBiz/people").text
    for name in ("reader", "leanlaura", "kaizencoach"):
        assert f"/people/{name}/remove" in owner_page
    assert 'value="cohost" checked' in owner_page
    assert 'value="moderator"' in owner_page


def test_unblock_from_the_people_page(world: World) -> None:
    do_block_user(world.ctx, world.host, "KaizenBiz", "reader")
    host = client_for(world, "kaizencoach")
    page = host.get("/series/KaizenBiz/people").text
    assert "Unblock reader" in page
    response = host.post(
        "/series/KaizenBiz/blocks/reader/unblock", data={"csrf_token": csrf_of(page)}
    )
    assert response.status_code == 303
    assert "Nobody is blocked." in host.get("/series/KaizenBiz/people").text


def test_schedule_weekly_move_and_skip_after_confirming(world: World) -> None:
    host = client_for(world, "kaizencoach")
    page = host.get("/series/KaizenBiz/schedule").text
    token = csrf_of(page)
    response = host.post(
        "/series/KaizenBiz/schedule/recurring",
        data={
            "csrf_token": token,
            "title": "Friday chat",
            "first_start": "2026-11-27T17:00",
            "every_weeks": "1",
            "until": "",
            "duration_minutes": "60",
        },
    )
    assert response.status_code == 303, response.text
    page = host.get("/series/KaizenBiz/schedule?done=recurring").text
    assert "Every week on Friday at 17:00 (Europe/London)" in page
    public = client_for(world).get("/series/KaizenBiz").text
    assert "Friday chat: Every week on Friday at 17:00 (Europe/London)." in public
    fridays = [c for c in get_series(world.ctx, "KaizenBiz").chats if c.title == "Friday chat"]
    assert len(fridays) == 4
    first = min(fridays, key=lambda c: c.starts_at)
    moved = host.post(
        f"/chats/{first.id}/move", data={"csrf_token": token, "starts_at": "2026-11-28T10:30"}
    )
    assert moved.status_code == 303
    assert "Sat 28 Nov 2026, 10:30 GMT" in host.get("/series/KaizenBiz/schedule").text
    confirm = host.get(f"/chats/{first.id}/skip")
    assert "Cancel “Friday chat” on Sat 28 Nov 2026, 10:30 GMT?" in confirm.text
    skipped = host.post(
        f"/chats/{first.id}/skip", data={"csrf_token": csrf_of(confirm.text), "confirm": "yes"}
    )
    assert skipped.headers["location"] == "/series/KaizenBiz/schedule?done=skipped"
    after = host.get("/series/KaizenBiz/schedule?done=skipped").text
    assert "Skipped dates" in after
    assert "Fri 27 Nov 2026, 17:00 GMT" in after
    calendar = host.get("/series/KaizenBiz/calendar.ics").text
    assert calendar.count("BEGIN:VEVENT") == 4  # the seeded chat and three Fridays
    assert calendar.count("SUMMARY:Friday chat #KaizenBiz") == 3


def test_bad_schedule_input_is_named_and_kept(world: World) -> None:
    host = client_for(world, "kaizencoach")
    token = csrf_of(host.get("/series/KaizenBiz/schedule").text)
    response = host.post(
        "/series/KaizenBiz/schedule/recurring",
        data={
            "csrf_token": token,
            "title": "Friday chat",
            "first_start": "next friday",
            "every_weeks": "1",
            "duration_minutes": "60",
        },
    )
    assert response.status_code == 422
    assert "is not a date and time such as 2026-12-11T17:00" in response.text
    assert 'value="next friday"' in response.text
    once = host.post(
        "/series/KaizenBiz/schedule/once",
        data={"csrf_token": token, "title": "Past", "starts_at": "2020-01-01T10:00"},
    )
    assert once.status_code == 422
    assert "must be in the future" in once.text


def test_skip_asks_hosts_only_and_only_before_the_start(world: World) -> None:
    reader = client_for(world, "reader")
    assert reader.get(f"/chats/{world.chat_id}/skip").status_code == 403
    do_start_chat(world.ctx, world.host, world.chat_id)
    started = client_for(world, "kaizencoach").get(f"/chats/{world.chat_id}/skip")
    assert started.status_code == 409
    assert "it has started" in started.text


def test_stop_a_schedule_after_confirming(world: World) -> None:
    host = client_for(world, "kaizencoach")
    token = csrf_of(host.get("/series/KaizenBiz/schedule").text)
    host.post(
        "/series/KaizenBiz/schedule/recurring",
        data={"csrf_token": token, "title": "Weekly", "first_start": "2026-11-27T17:00",
              "every_weeks": "2", "duration_minutes": "60"},
    )  # fmt: skip
    page = host.get("/series/KaizenBiz/schedule").text
    stop = re.search(r'href="(/series/KaizenBiz/schedules/\d+/stop)"', page)
    assert stop is not None
    confirm = host.get(stop.group(1))
    assert "Stop “Weekly”: Every 2 weeks on Friday at 17:00 (Europe/London)?" in confirm.text
    unconfirmed = host.post(stop.group(1), data={"csrf_token": token})
    assert unconfirmed.status_code == 200
    assert "(stopped)" not in host.get("/series/KaizenBiz/schedule").text
    done = host.post(stop.group(1), data={"csrf_token": token, "confirm": "yes"})
    assert done.headers["location"] == "/series/KaizenBiz/schedule?done=stopped"
    assert "(stopped)" in host.get("/series/KaizenBiz/schedule").text


def test_the_series_page_leads_to_insights_and_hosts_to_the_import_page(world: World) -> None:
    from hashchat.actions.chats import do_end_chat

    do_start_chat(world.ctx, world.host, world.chat_id)
    do_end_chat(world.ctx, world.host, world.chat_id)  # a past chat: something to look into
    host_page = client_for(world, "kaizencoach").get("/series/KaizenBiz").text
    assert 'href="/series/KaizenBiz/import"' in host_page
    assert 'href="/series/KaizenBiz/insights"' in host_page
    reader_page = client_for(world, "reader").get("/series/KaizenBiz").text
    assert 'href="/series/KaizenBiz/import"' not in reader_page
    assert 'href="/series/KaizenBiz/insights"' in reader_page
    settings = client_for(world, "kaizencoach").get("/series/KaizenBiz/edit").text
    nav = settings[settings.index('aria-label="Series pages"') :].split("</nav>")[0]
    for page in ("people", "schedule", "bridges", "blog", "import", "insights"):
        assert f'href="/series/KaizenBiz/{page}"' in nav
