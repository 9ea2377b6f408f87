"""A post draws only inside its own box: a bridged post that stacks hundreds of combining marks
(stored as it came) leaves the post above it untouched, rendered by the server or live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from e2e_support import ContextFactory, LiveServer, log_in
from playwright.sync_api import Locator, Page, expect

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.posts import NewPost, store_post
from hashchat.actions.series import do_create_series
from hashchat.store.models import ChatRow, User

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
ZALGO = "Z" + "\u0300\u0301\u0302\u0303\u0304" * 60 + " from elsewhere"


def _bridge_post(server: LiveServer, chat_id: int, author_id: int) -> None:
    """A post as a bridge stores it: its text as it came, no input rule applied."""
    ctx = server.ctx
    with ctx.store.write() as session:
        chat = session.get(ChatRow, chat_id)
        author = session.get(User, author_id)
        assert chat is not None
        assert author is not None
        store_post(
            session, chat, NewPost(author, ZALGO, network="mastodon"), ctx.now(), is_host=False
        )
    ctx.bus.publish(chat_id)


# Fonts that stack marks (Noto, most phone fonts) draw a tall column above the letter; this
# machine's DejaVu overlaps them instead, so the post also gets a glyph drawn far above its line,
# as a stack would be. The text and the post stay as the server and room.js made them.
DRAW_ABOVE = """(node) => {
  const ink = document.createElement("span");
  ink.textContent = "Z\u0300\u0301\u0302";
  ink.style.display = "inline-block";
  ink.style.transform = "translateY(-4em) scale(4)";
  node.querySelector(".text").append(ink);
}"""


def _post_above_unchanged(page: Page, post: Locator) -> None:
    """The post just above `post` looks the same with `post` drawn and hidden."""
    post.evaluate(DRAW_ABOVE)
    above = page.locator("#" + post.evaluate("(node) => node.previousElementSibling.id"))
    with_post = above.screenshot(animations="disabled")
    post.evaluate("(node) => { node.style.visibility = 'hidden'; }")
    without_post = above.screenshot(animations="disabled")
    post.evaluate("(node) => { node.style.visibility = ''; }")
    assert with_post == without_post, "a post's drawing reaches into the post above it"


def test_stacked_marks_stay_inside_their_post(
    live_server: LiveServer, new_context: ContextFactory
) -> None:
    ctx = live_server.ctx
    host = do_register(ctx, "box_host", PASSWORD)
    do_create_series(ctx, host, "PostBox", "Box", "UTC", "plain", 500, "")
    chat = do_create_chat(ctx, host, "PostBox", "Box", ctx.now() + timedelta(minutes=5), 60, ["Q?"])
    do_start_chat(ctx, host, chat.id)  # posts the welcome, the post above the bridged one
    _bridge_post(live_server, chat.id, host.id)

    page = new_context().new_page()
    log_in(page, live_server.base_url, "box_host", PASSWORD)
    page.goto(f"{live_server.base_url}/chats/{chat.id}")
    bridged = page.locator("li.post", has_text="from elsewhere")
    expect(bridged).to_have_count(1)
    assert bridged.evaluate("(node) => getComputedStyle(node).overflow") == "clip"
    _post_above_unchanged(page, bridged)

    # The same for a post that arrives live (room.js builds it).
    expect(page.locator("body[data-live=connected]")).to_be_attached()
    _bridge_post(live_server, chat.id, host.id)
    expect(bridged).to_have_count(2)
    assert bridged.last.evaluate("(node) => getComputedStyle(node).overflow") == "clip"
    _post_above_unchanged(page, bridged.last)
