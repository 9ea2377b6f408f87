"""The host console (issue 9): prepare the chat (topic, cadence, questions) through forms, a
plan that says what happened, confirmation steps for end/close/block that work without
JavaScript, undo (unhide, spotlight off, unblock), the compose box, and a notice per action."""

from __future__ import annotations

import re
from datetime import timedelta

from pages_support import NOW, World, client_for, csrf_of

from hashchat.actions.chats import chat_plan, do_next_question, do_start_chat, get_chat
from hashchat.actions.moderation import list_blocked
from hashchat.actions.posts import do_create_post, list_posts


def _console(world: World) -> tuple[object, str, str]:
    host = client_for(world, "kaizencoach")
    page = host.get(f"/chats/{world.chat_id}/host").text
    return host, page, csrf_of(page)


def _do(world: World, client: object, path: str, **data: str) -> str:
    """Post a console form; return the page it leads to (following the redirect)."""
    token = csrf_of(client.get(f"/chats/{world.chat_id}/host").text)  # type: ignore[attr-defined]
    response = client.post(  # type: ignore[attr-defined]
        f"/chats/{world.chat_id}/host/{path}", data={"csrf_token": token, **data}
    )
    if response.status_code == 303:
        return str(client.get(response.headers["location"]).text)  # type: ignore[attr-defined]
    return str(response.text)


def test_the_host_prepares_topic_cadence_and_questions_before_the_start(world: World) -> None:
    host, page, _ = _console(world)
    assert 'action="/chats/1/host/topic"' in page
    assert "planned" in page  # the preview of the plan
    done = _do(world, host, "topic", topic="Read <this> first")
    assert "Topic saved." in done
    assert "Read &lt;this&gt; first" in done
    assert get_chat(world.ctx, world.chat_id).topic == "Read <this> first"

    assert "Question added." in _do(world, host, "questions", text="Third?")
    assert "Questions reordered." in _do(world, host, "questions/3/move", to="1")
    assert "Question removed" in _do(world, host, "questions/2/remove")
    texts = [q.text for q in get_chat(world.ctx, world.chat_id).questions]
    assert texts == ["Third?", "What next?"]

    slow = _do(
        world,
        host,
        "cadence",
        howto_minute="1",
        first_question_minute="2",
        interval="1",
        interval_unit="days",
        closing_minute="",
        duration="7",
        duration_unit="days",
    )
    assert "Cadence saved" in slow
    chat = get_chat(world.ctx, world.chat_id)
    assert chat.duration_minutes == 7 * 24 * 60
    questions = [p.due_at for p in chat_plan(world.ctx, world.chat_id) if p.kind == "question"]
    assert questions == [
        chat.starts_at + timedelta(minutes=2),
        chat.starts_at + timedelta(days=1, minutes=2),
    ]
    # the form shows the slow beat back in days, and the preview in the host's zone (London)
    assert re.search(r'id="interval-unit".*?<option value="days" selected>', slow, re.S)
    assert "21 Nov" in slow or "Sat" in slow


def test_a_cadence_that_does_not_fit_is_explained_and_nothing_changes(world: World) -> None:
    host, _, _ = _console(world)
    refused = _do(
        world,
        host,
        "cadence",
        howto_minute="5",
        first_question_minute="6",
        interval="90",
        interval_unit="minutes",
        duration="60",
        duration_unit="minutes",
    )
    assert "2 questions every 90 minutes" in refused
    assert get_chat(world.ctx, world.chat_id).cadence is None


def test_the_topic_is_fixed_once_the_chat_starts(world: World) -> None:
    host, _, _ = _console(world)
    do_start_chat(world.ctx, world.host, world.chat_id)
    page = host.get(f"/chats/{world.chat_id}/host").text
    assert 'action="/chats/1/host/topic"' not in page
    refused = _do(world, host, "topic", topic="Too late")
    assert "only before it starts" in refused


def test_ending_asks_first_then_sets_the_closing_time_and_shows_the_countdown(
    world: World,
) -> None:
    do_start_chat(world.ctx, world.host, world.chat_id)
    host, _, _ = _console(world)
    asked = _do(world, host, "end", close_in_hours="24")
    assert "End the live hour?" in asked
    assert 'name="confirm" value="yes"' in asked
    assert get_chat(world.ctx, world.chat_id).state == "live"  # nothing happened yet
    ended = _do(world, host, "end", close_in_hours="24", confirm="yes")
    assert "The live hour has ended" in ended
    chat = get_chat(world.ctx, world.chat_id)
    assert (chat.state, chat.comments_close_at) == ("late_answers", NOW + timedelta(hours=24))
    assert "in 1 d 0 h 0 min" in ended
    moved = _do(world, host, "comments-close", close_in_hours="2.5")
    assert "The closing time is moved." in moved
    assert "in 2 h 30 min" in moved
    assert get_chat(world.ctx, world.chat_id).comments_close_at == NOW + timedelta(hours=2.5)
    bad = _do(world, host, "comments-close", close_in_hours="soon")
    assert "not a number of hours" in bad


def test_closing_asks_first(world: World) -> None:
    do_start_chat(world.ctx, world.host, world.chat_id)
    host, _, _ = _console(world)
    assert "Close comments?" in _do(world, host, "close")
    assert get_chat(world.ctx, world.chat_id).state == "live"
    assert "Comments are closed" in _do(world, host, "close", confirm="yes")
    assert get_chat(world.ctx, world.chat_id).state == "closed"


def test_the_plan_of_a_chat_ended_early_says_skipped_and_offers_no_save(world: World) -> None:
    do_start_chat(world.ctx, world.host, world.chat_id)
    do_next_question(world.ctx, world.host, world.chat_id)
    host, _, _ = _console(world)
    _do(world, host, "end", close_in_hours="1", confirm="yes")
    page = _do(world, host, "close", confirm="yes")
    plan = page.split('id="plan-heading"')[1].split("</table>")[0]
    assert plan.count("skipped (chat ended)") == 3  # how-to, Q2, the end of the hour
    assert plan.count("posted") == 2  # the welcome and Q1, with their times
    assert "Save Q2" not in page
    assert "not asked: the chat ended first" in page


def test_hide_and_spotlight_are_undone_from_the_console(world: World) -> None:
    do_start_chat(world.ctx, world.host, world.chat_id)
    post = do_create_post(world.ctx, world.reader, world.chat_id, "A1 steady #KaizenBiz")
    host, _, _ = _console(world)
    hidden = _do(world, host, f"posts/{post.id}/hide")
    assert "Post hidden." in hidden
    assert f'action="/chats/1/host/posts/{post.id}/unhide"' in hidden
    assert post.id not in [p.id for p in list_posts(world.ctx, world.chat_id)]
    assert "Post unhidden" in _do(world, host, f"posts/{post.id}/unhide")
    assert post.id in [p.id for p in list_posts(world.ctx, world.chat_id)]
    assert "Spotlight on" in _do(world, host, f"posts/{post.id}/spotlight", on="true")
    assert "Spotlight off." in _do(world, host, f"posts/{post.id}/spotlight", on="false")
    assert not next(p for p in list_posts(world.ctx, world.chat_id) if p.id == post.id).spotlight


def test_blocking_asks_first(world: World) -> None:
    do_start_chat(world.ctx, world.host, world.chat_id)
    do_create_post(world.ctx, world.reader, world.chat_id, "hello #KaizenBiz")
    host, _, _ = _console(world)
    asked = _do(world, host, "block", user="reader")
    assert "Block @reader?" in asked
    assert list_blocked(world.ctx, "KaizenBiz") == []
    assert "Person blocked" in _do(world, host, "block", user="reader", confirm="yes")
    assert list_blocked(world.ctx, "KaizenBiz") == ["reader"]


def test_the_hosts_comment_is_never_an_answer(world: World) -> None:
    do_start_chat(world.ctx, world.host, world.chat_id)
    do_next_question(world.ctx, world.host, world.chat_id)
    host, _, _ = _console(world)
    done = _do(world, host, "post", text="Great answers so far")
    assert "Your comment is posted." in done
    last = list_posts(world.ctx, world.chat_id)[-1]
    assert (last.text, last.question, last.is_host) == (
        "Great answers so far #KaizenBiz",
        None,
        True,
    )
    assert "the post is empty" in _do(world, host, "post", text="  ")


def test_the_console_is_refused_to_a_reader(world: World) -> None:
    reader = client_for(world, "reader")
    assert reader.get(f"/chats/{world.chat_id}/host").status_code == 403
