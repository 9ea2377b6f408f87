"""Two requests with one Idempotency-Key racing: one posts, the other gets its answer, on
SQLite (the write lock makes them take turns) and PostgreSQL (the unique key waits)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.errors import InvalidInputError
from hashchat.actions.idempotency import Answer, check_idempotency_key, fingerprint
from hashchat.actions.posts import PostRequest, do_create_post_once, list_posts
from hashchat.actions.series import do_create_series
from hashchat.actions.views import PostView


def test_a_request_racing_the_first_gets_its_answer(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    host = do_register(ctx, "host", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat_id = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, ["Q?"]).id
    do_start_chat(ctx, host, chat_id)
    first_is_inside = threading.Event()
    # Keyed by request: after the first commits, either thread may finish first.
    answers: dict[str, Answer] = {}

    def slow_render(view: PostView) -> str:
        first_is_inside.set()
        time.sleep(0.5)  # the post is written but not committed: the second request arrives
        return f'{{"id": {view.id}}}'

    def post(name: str, render: Callable[[PostView], str]) -> None:
        request = PostRequest("A1 hello")
        answers[name] = do_create_post_once(ctx, host, chat_id, request, "key", render)

    first = threading.Thread(target=post, args=("first", slow_render))
    first.start()
    assert first_is_inside.wait(timeout=10)
    second = threading.Thread(target=post, args=("second", lambda view: "never used"))
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)
    assert len(answers) == 2
    assert answers["first"].body == answers["second"].body
    assert (answers["first"].replayed, answers["second"].replayed) == (False, True)
    assert [p.text for p in list_posts(ctx, chat_id)].count("A1 hello") == 1


@given(st.text(max_size=300))
def test_a_key_is_accepted_exactly_when_it_is_1_to_200_printable_ascii(value: str) -> None:
    stripped = value.strip(" \t")
    valid = 0 < len(stripped) <= 200 and all(32 <= ord(c) <= 126 for c in stripped)
    if valid:
        assert check_idempotency_key(value) == stripped
    else:
        with pytest.raises(InvalidInputError, match="Idempotency-Key"):
            check_idempotency_key(value)


@given(
    st.dictionaries(st.text(max_size=10), st.text(max_size=20) | st.integers() | st.none()),
    st.dictionaries(st.text(max_size=10), st.text(max_size=20) | st.integers() | st.none()),
)
def test_fingerprints_differ_exactly_when_requests_differ(
    one: dict[str, object], other: dict[str, object]
) -> None:
    assert (fingerprint(one) == fingerprint(other)) == (one == other)
