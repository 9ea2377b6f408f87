"""Series settings from the browser: create with guide and announcement zones, edit, and the
people page's read (members by role, blocks), each decided by the permission matrix."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hashchat.actions.accounts import do_register
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ForbiddenError, InvalidInputError
from hashchat.actions.moderation import do_block_user
from hashchat.actions.permissions import Mutation
from hashchat.actions.series import (
    SeriesChanges,
    do_add_member,
    do_create_series,
    do_edit_series,
    get_series,
    may_in_series,
    people_of_series,
)


def test_create_keeps_guide_and_canonical_zones(new_context: Callable[[], AppContext]) -> None:
    ctx = new_context()
    owner = do_register(ctx, "owner", "correct horse battery")
    series = do_create_series(
        ctx,
        owner,
        "KaizenBiz",
        "Kaizen",
        "Europe/London",
        guide="Be kind.\r\nAnswer with A1.",
        announcement_zones=["US/Eastern", "Europe/London", "America/New_York", " "],
    )
    assert series.guide == "Be kind.\nAnswer with A1."
    assert series.announcement_zones == ("America/New_York", "Europe/London")
    assert get_series(ctx, "kaizenbiz").series == series


def test_edit_changes_only_what_is_given_and_refuses_bad_input_whole(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    owner = do_register(ctx, "owner", "correct horse battery")
    do_create_series(ctx, owner, "KaizenBiz", "Kaizen", "UTC", description="old")
    edited = do_edit_series(
        ctx, owner, "KaizenBiz", SeriesChanges(title="New title", char_rule="mastodon")
    )
    assert (edited.title, edited.char_rule, edited.char_limit) == ("New title", "mastodon", 280)
    assert edited.description == "old"
    for changes, reason in [
        (SeriesChanges(title="ok", timezone="localtime"), "localtime"),
        (SeriesChanges(title="ok", char_limit=0), "char_limit"),
        (SeriesChanges(title="ok", announcement_zones=["Nowhere/City"]), "Nowhere"),
        (
            SeriesChanges(
                title="ok", announcement_zones=["UTC", *[f"Etc/GMT+{n}" for n in range(1, 7)]]
            ),
            "at most",
        ),
        (SeriesChanges(title="a\tb"), "line breaks"),
        (SeriesChanges(guide="x\x07"), "control"),
    ]:
        with pytest.raises(InvalidInputError, match=reason):
            do_edit_series(ctx, owner, "KaizenBiz", changes)
    assert get_series(ctx, "KaizenBiz").series.title == "New title"


@pytest.mark.parametrize(
    ("role", "may_edit", "may_see_people"),
    [
        ("owner", True, True),
        ("cohost", True, True),
        ("moderator", False, True),
        ("participant", False, False),
        (None, False, False),
    ],
)
def test_who_may_edit_and_see_people(
    new_context: Callable[[], AppContext], role: str | None, may_edit: bool, may_see_people: bool
) -> None:
    ctx = new_context()
    owner = do_register(ctx, "owner", "correct horse battery")
    person = do_register(ctx, "person", "correct horse battery")
    do_register(ctx, "troll", "correct horse battery")
    do_create_series(ctx, owner, "KaizenBiz", "Kaizen", "UTC")
    if role is not None:
        do_add_member(ctx, owner, "KaizenBiz", "person", role)
    do_block_user(ctx, owner, "KaizenBiz", "troll")
    may = may_in_series(ctx, person, "KaizenBiz")
    assert (Mutation.EDIT_SERIES in may) == may_edit
    assert (Mutation.SEE_PEOPLE in may) == may_see_people
    if may_edit:
        do_edit_series(ctx, person, "KaizenBiz", SeriesChanges(title="Changed"))
    else:
        with pytest.raises(ForbiddenError):
            do_edit_series(ctx, person, "KaizenBiz", SeriesChanges(title="Changed"))
    if may_see_people:
        people = people_of_series(ctx, person, "KaizenBiz")
        assert people.blocked == ("troll",)
        assert people.members[0].name == "owner"
    else:
        with pytest.raises(ForbiddenError):
            people_of_series(ctx, person, "KaizenBiz")
