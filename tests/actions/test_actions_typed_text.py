"""Typed text (a post, a title, a question, a name) is refused (422, with the reason) when it stacks
more than 8 combining marks on one character, whatever the series' rule and whichever marks; a
post also meets Bluesky's byte limit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.errors import InvalidInputError
from hashchat.actions.posts import do_create_post
from hashchat.actions.series import do_create_series
from hashchat.actions.views import UserView
from hashchat.domain.text.length import NETWORK_LIMITS
from hashchat.domain.text.marks import MAX_MARKS_PER_GRAPHEME

# Nonspacing (Mn) and enclosing (Me) marks of several scripts.
MARKS = "\u0300\u0301\u0308\u0331\u05b0\u0e49\u1ab0\u20d0\u20dd\u0489"


def _chat(ctx: AppContext, rule: str) -> tuple[UserView, int]:
    host = do_register(ctx, f"host{rule}", "correct horse battery")
    do_create_series(ctx, host, f"Marks{rule}", "Marks", "UTC", rule, NETWORK_LIMITS[rule])
    chat = do_create_chat(
        ctx, host, f"Marks{rule}", "Chat", ctx.now() + timedelta(hours=1), 60, ["Q?"]
    )
    do_start_chat(ctx, host, chat.id)
    return host, chat.id


@pytest.mark.parametrize("rule", ["x", "mastodon", "bluesky", "plain"])
def test_stacked_marks_are_refused_on_every_rule(
    new_context: Callable[[], AppContext], rule: str
) -> None:
    ctx = new_context()
    host, chat_id = _chat(ctx, rule)
    for count in (MAX_MARKS_PER_GRAPHEME + 1, 15_000):
        stack = "".join(MARKS[i % len(MARKS)] for i in range(count))
        with pytest.raises(InvalidInputError, match=f"carries {count} combining marks") as refused:
            do_create_post(ctx, host, chat_id, f"Z{stack} #Marks{rule}")
        assert refused.value.status == 422
    # Eight marks, real stacked scripts and emoji sequences are fine.
    allowed = "a" + MARKS[:MAX_MARKS_PER_GRAPHEME] + " Tiếng Việt བསྒྲུབས 🏳️‍⚧️ 1️⃣"
    assert do_create_post(ctx, host, chat_id, allowed).text == allowed


def test_bluesky_refuses_a_post_over_3000_bytes_within_300_graphemes(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    host, chat_id = _chat(ctx, "bluesky")
    family = "👨‍👩‍👧‍👦"  # one grapheme, 25 bytes
    with pytest.raises(InvalidInputError, match="3025 bytes in UTF-8; the bluesky rule"):
        do_create_post(ctx, host, chat_id, family * 121)
    assert do_create_post(ctx, host, chat_id, family * 120).text == family * 120


def test_every_typed_field_refuses_stacked_marks(new_context: Callable[[], AppContext]) -> None:
    ctx = new_context()
    stack = "Z" + MARKS[:9]
    with pytest.raises(InvalidInputError, match="of the display name carries 9"):
        do_register(ctx, "stacker", "correct horse battery", stack)
    host = do_register(ctx, "fields", "correct horse battery")
    with pytest.raises(InvalidInputError, match="of title carries 9"):
        do_create_series(ctx, host, "Fields", stack, "UTC")
    with pytest.raises(InvalidInputError, match="of description carries 9"):
        do_create_series(ctx, host, "Fields", "Fields", "UTC", "x", 280, f"a\n{stack}")
    do_create_series(ctx, host, "Fields", "Fields", "UTC")
    later = ctx.now() + timedelta(hours=1)
    with pytest.raises(InvalidInputError, match="of title carries 9"):
        do_create_chat(ctx, host, "Fields", stack, later, 60, ["Q?"])
    with pytest.raises(InvalidInputError, match="of question 2 carries 9"):
        do_create_chat(ctx, host, "Fields", "Chat", later, 60, ["Q?", stack])


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u2028", "\x0b"])
def test_control_characters_in_a_post_are_refused_on_both_backends(
    new_context: Callable[[], AppContext], control: str
) -> None:
    """A NUL once reached PostgreSQL (which cannot store it: a 500); every control character a
    post may not hold is a 422 naming it, and nothing is stored."""
    ctx = new_context()
    host, chat_id = _chat(ctx, "x")
    with pytest.raises(InvalidInputError, match="control characters") as refused:
        do_create_post(ctx, host, chat_id, f"A1 hello{control}world #Marksx")
    assert refused.value.status == 422


def test_line_breaks_and_tabs_typed_on_any_system_are_kept_as_lf(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    host, chat_id = _chat(ctx, "x")
    text = "A1 one\r\ntwo\rthree\n\tfour #Marksx"
    assert do_create_post(ctx, host, chat_id, text).text == "A1 one\ntwo\nthree\n\tfour #Marksx"
