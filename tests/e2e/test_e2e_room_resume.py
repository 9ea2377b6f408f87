"""room.js and its event stream in Chromium: where it resumes, and each post shown once.

The stream is answered by the test (Playwright's routing) so that it can replay what a flaky
network or a stale buffer would: frames the page already shows, a frame twice after a
reconnect, a stale copy of a post under an id already applied.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from e2e_support import ContextFactory, LiveServer, log_in
from playwright.sync_api import Route, expect

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.posts import do_create_post
from hashchat.actions.series import do_create_series
from hashchat.actions.views import PostView, to_json
from hashchat.store.events import last_event_id

pytestmark = pytest.mark.browser


def frame(event_id: int, kind: str, data: dict[str, Any]) -> str:
    return f"id: {event_id}\nevent: {kind}\ndata: {json.dumps(data)}\n\n"


def post_frame(event_id: int, post: PostView, **changes: Any) -> str:
    return frame(event_id, "post", {**to_json(post), **changes})


def test_the_room_resumes_at_its_page_and_shows_each_post_once(
    live_server: LiveServer, new_context: ContextFactory
) -> None:
    ctx = live_server.ctx
    host = do_register(ctx, "resume_host", "e2e password 1")
    do_create_series(ctx, host, "ResumeOnce", "Resume", "UTC")
    chat = do_create_chat(
        ctx, host, "ResumeOnce", "Once", ctx.now() - timedelta(minutes=1), 60, ["One?"]
    )
    do_start_chat(ctx, host, chat.id)
    kept = do_create_post(ctx, host, chat.id, "kept as it is")
    doomed = do_create_post(ctx, host, chat.id, "hidden on the way")
    page = new_context().new_page()
    requests: list[str] = []
    scripted: list[str] = []
    served: list[int] = []  # the requests that got a scripted body
    done = False

    def answer(route: Route) -> None:
        request = route.request
        requests.append(request.url)
        if scripted:
            served.append(len(requests) - 1)
            body = scripted.pop(0)
        elif done:  # the script is over: 204 stops the browser's reconnecting
            route.fulfill(status=204)
            return
        else:  # not ready yet: an empty stream, the browser comes back in 50 ms
            body = f": connected\nid: {n}\nretry: 50\n\n"
        route.fulfill(
            status=200,
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"},
            body=body,
        )

    n = last_event_id(ctx.store, chat.id)  # what the page will show and resume after
    page.route("**/api/v1/chats/*/events*", answer)
    page.goto(f"{live_server.base_url}/chats/{chat.id}")
    expect(page.locator(f"li.post[data-post-id='{doomed.id}']")).to_have_count(1)
    fresh = do_create_post(ctx, host, chat.id, "fresh one")
    later = do_create_post(ctx, host, chat.id, "later one")
    scripted.extend(
        [
            # A stale copy at an id the page already shows, a new post, a hide; then the
            # connection drops (end of body) and the browser reconnects after `retry`.
            post_frame(n, kept, text="STALE copy of kept")
            + post_frame(n + 1, fresh)
            + frame(n + 2, "hide", {"post_id": doomed.id, "chat_id": chat.id}),
            # The reconnect's replay repeats what was applied (a stale copy among it).
            post_frame(n + 1, fresh, text="STALE copy of fresh")
            + frame(n + 2, "hide", {"post_id": doomed.id, "chat_id": chat.id})
            + post_frame(n + 3, later)
            + post_frame(n + 3, later, text="STALE copy of later"),
        ]
    )
    done = True

    for post, words in ((kept, "kept as it is"), (fresh, "fresh one"), (later, "later one")):
        item = page.locator(f"li.post[data-post-id='{post.id}']")
        expect(item).to_have_count(1)
        expect(item.locator(":scope > p.text")).to_have_text(words)
    expect(page.locator(f"li.post[data-post-id='{doomed.id}']")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("STALE")
    # The page connects after its own newest event (the browser adds Last-Event-ID on its
    # reconnects; Playwright does not show that header of a routed request).
    assert requests[0] == f"{live_server.base_url}/api/v1/chats/{chat.id}/events?after={n}"
    assert len(served) == 2
    ids = page.eval_on_selector_all("li.post", "items => items.map(i => i.dataset.postId)")
    assert len(ids) == len(set(ids))


def test_a_room_with_no_events_yet_still_names_its_resume_point(
    live_server: LiveServer, new_context: ContextFactory
) -> None:
    ctx = live_server.ctx
    host = do_register(ctx, "resume_host_zero", "e2e password 1")
    do_create_series(ctx, host, "ResumeZero", "Resume", "UTC")
    chat = do_create_chat(
        ctx, host, "ResumeZero", "Zero", ctx.now() + timedelta(hours=1), 60, ["One?"]
    )
    assert last_event_id(ctx.store, chat.id) == 0
    page = new_context().new_page()
    urls: list[str] = []

    def answer(route: Route) -> None:
        urls.append(route.request.url)
        route.fulfill(status=204)

    page.route("**/api/v1/chats/*/events*", answer)
    page.goto(f"{live_server.base_url}/chats/{chat.id}")
    expect(page.locator("body[data-live=reconnecting]")).to_be_attached()
    # Without ?after=0 the stream would start at the present and lose what came meanwhile.
    assert urls == [f"{live_server.base_url}/api/v1/chats/{chat.id}/events?after=0"]


def test_the_host_console_never_adds_a_replayed_hidden_post_as_an_empty_one(
    live_server: LiveServer, new_context: ContextFactory
) -> None:
    ctx = live_server.ctx
    host = do_register(ctx, "resume_console", "e2e password 1")
    do_create_series(ctx, host, "ResumeConsole", "Resume", "UTC")
    chat = do_create_chat(
        ctx, host, "ResumeConsole", "Console", ctx.now() + timedelta(hours=1), 60, ["One?"]
    )
    page = new_context().new_page()
    log_in(page, live_server.base_url, "resume_console", "e2e password 1")
    urls: list[str] = []
    n = last_event_id(ctx.store, chat.id)
    assert n == 0  # a console of a chat with no event yet must still name its resume point
    visible = {"id": 9001, "chat_id": chat.id, "author": "pia", "display_name": "Pia"}
    visible |= {"text": "shown in the console", "late": False, "hidden": False}
    stub = {"id": 9002, "chat_id": chat.id, "hidden": True}  # hidden before the replay
    body = (
        frame(1, "post", visible)
        + frame(2, "post", stub)
        + frame(3, "hide", {"post_id": stub["id"], "chat_id": chat.id})
    )

    def answer(route: Route) -> None:
        urls.append(route.request.url)
        if len(urls) > 1:
            route.fulfill(status=204)
            return
        headers = {"Content-Type": "text/event-stream"}
        route.fulfill(status=200, headers=headers, body=body)

    page.route("**/api/v1/chats/*/events*", answer)
    page.goto(f"{live_server.base_url}/chats/{chat.id}/host")
    expect(page.locator(f"#mod-post-{visible['id']}")).to_have_count(1)
    expect(page.locator(f"#mod-post-{stub['id']}")).to_have_count(0)
    expect(page.locator("#moderation-list")).not_to_contain_text("undefined")
    assert urls[0] == f"{live_server.base_url}/api/v1/chats/{chat.id}/events?after={n}"
