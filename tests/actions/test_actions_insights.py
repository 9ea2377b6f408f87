"""Insights on the hand-made series of insights_support, whose right answers are known:
reposts, hidden posts, hosts, late answers, a changed display name, one person on two networks
once she linked them; the per-chat cache, the thresholds and who sees names."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from hashchat.actions.context import AppContext
from hashchat.actions.errors import ForbiddenError, InvalidInputError
from hashchat.actions.insights import (
    do_set_insight_settings,
    get_chat_insights,
    get_series_insights,
)
from hashchat.actions.moderation import do_hide_post
from hashchat.actions.posts import list_posts
from hashchat.formats.insights_json import insights_document
from hashchat.store.models import ChatInsightsRow
from insights_support import Clock, hand_made_series


def test_every_figure_of_the_hand_made_series(
    new_context: Callable[[], AppContext], clock: Clock
) -> None:
    ctx = new_context()
    cast = hand_made_series(ctx, clock)
    document = insights_document(get_series_insights(ctx, "kaizenbiz"))
    first, second = document["chats"]
    assert first["chat_id"] == cast["chat1"]
    assert first["starts_at"] == "2026-01-09T17:00:00Z"
    assert (first["participants"], first["newcomers"], first["returning"]) == (3, 3, 0)
    assert (first["answers"], first["late"], first["reposts"], first["hidden"]) == (6, 1, 1, 1)
    assert (first["replies"], first["conversations"]) == (1, 1)
    assert [q["answers"] for q in first["questions"]] == [4, 2]
    assert first["questions"][0]["minutes_to_first_answer"] == 1.0
    assert first["per_network"] == {
        "hashchat": {"people": 2, "answers": 5, "replies": 1, "answered_share": 1.0},
        "x": {"people": 1, "answers": 1, "replies": 0, "answered_share": 1.0},
    }
    assert first["hosts"] == 1
    assert first["posts"] == first["host_posts"] + 6  # ann 2, bob 3, tom 1
    assert (second["participants"], second["newcomers"], second["returning"]) == (3, 1, 2)
    assert second["answers"] == 5  # ann, lucy, cora (a host's tagged answer), tom, lucy on x
    assert second["per_network"] == {
        "hashchat": {"people": 2, "answers": 2, "replies": 0, "answered_share": 1.0},
        "x": {"people": 2, "answers": 2, "replies": 0, "answered_share": 1.0},
    }
    assert second["hosts"] == 2  # coach and cora
    series = document["series"]
    assert series["totals"]["people"] == 4  # ann, bob, tom, lucy
    assert series["totals"]["answers"] == 11
    assert series["totals"]["answers_per_participant"] == round(11 / 6, 2)
    assert series["returning"]["regulars"] == 2  # ann and tom came to 2 of the last 4
    assert series["returning"]["rate"]["value"] == 0.5
    assert series["returning"]["rate"]["small"] is True
    assert series["cohorts"] == [{"month": "2026-01", "size": 4, "active": {"2026-01": 4}}]
    assert "regulars" not in series  # names are for hosts
    assert series["verdicts"][0] == "participation held: between 3 and 3 over the last 2 chats"
    assert series["cadence"]["by_gap"][1]["label"] == "weekly"


def test_hosts_see_names_others_do_not(new_context: Callable[[], AppContext], clock: Clock) -> None:
    ctx = new_context()
    cast = hand_made_series(ctx, clock)
    hosts_view = insights_document(get_series_insights(ctx, "KaizenBiz", cast["coach"]))
    assert hosts_view["series"]["regulars"] == ["@tradietom on x", "Ann (@ann)"]
    assert hosts_view["series"]["cohorts"][0]["people"][0] == "@tradietom on x"
    ann_view = insights_document(get_series_insights(ctx, "KaizenBiz", cast["ann"]))
    assert "regulars" not in ann_view["series"]
    assert "people" not in ann_view["series"]["cohorts"][0]


def test_a_closed_chat_is_cached_and_a_later_hide_recomputes_it(
    new_context: Callable[[], AppContext], clock: Clock
) -> None:
    ctx = new_context()
    cast = hand_made_series(ctx, clock)
    get_series_insights(ctx, "KaizenBiz")
    with ctx.store.read() as session:
        cached = session.scalars(sa.select(ChatInsightsRow.chat_id)).all()
    assert cached == [cast["chat1"]]  # chat 2 is still live: never cached
    assert get_chat_insights(ctx, cast["chat1"]).participants == 3
    ann_posts = [p for p in list_posts(ctx, cast["chat1"]) if p.author == "ann"]
    for post in ann_posts:
        do_hide_post(ctx, cast["coach"], post.id)
    after = get_chat_insights(ctx, cast["chat1"])
    # bob, tom; bob's reply lost its parent, so the live hour attributes it to Q1 (inferred)
    assert (after.participants, after.answers) == (2, 4)
    assert after.conversations == 0


def test_thresholds_are_series_settings_for_hosts(
    new_context: Callable[[], AppContext], clock: Clock
) -> None:
    ctx = new_context()
    cast = hand_made_series(ctx, clock)
    with pytest.raises(ForbiddenError):
        do_set_insight_settings(ctx, cast["ann"], "KaizenBiz", {"return_k": 1})
    with pytest.raises(InvalidInputError, match="cannot exceed"):
        do_set_insight_settings(ctx, cast["coach"], "KaizenBiz", {"return_k": 5})
    with pytest.raises(InvalidInputError, match="whole number"):
        do_set_insight_settings(ctx, cast["coach"], "KaizenBiz", {"trend_run": 0})
    do_set_insight_settings(
        ctx, cast["coach"], "KaizenBiz", {"return_k": 1, "tumbleweed_participants": 4}
    )
    series = insights_document(get_series_insights(ctx, "KaizenBiz"))["series"]
    assert series["returning"]["regulars"] == 4
    assert series["alerts"][0].endswith("3 participants, below 4")
