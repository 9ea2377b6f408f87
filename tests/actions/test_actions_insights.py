"""Insights on the hand-made series of insights_support, whose right answers are known:
reposts, hidden posts, hosts, late answers, a changed display name, one person on two networks
once she linked them; the per-chat cache, the thresholds and who sees names."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from hashchat.actions.access import load_series
from hashchat.actions.accounts import do_register
from hashchat.actions.chats import (
    do_close_chat,
    do_create_chat,
    do_end_chat,
    do_next_question,
    do_start_chat,
)
from hashchat.actions.context import AppContext
from hashchat.actions.errors import ForbiddenError, InvalidInputError
from hashchat.actions.ingest import do_ingest_posts, do_link_handle
from hashchat.actions.insights import (
    do_set_insight_settings,
    get_chat_insights,
    get_series_insights,
    series_chats,
)
from hashchat.actions.moderation import do_hide_post
from hashchat.actions.posts import list_posts
from hashchat.actions.series import do_create_series
from hashchat.domain.ingest import ForeignPost, Network
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
    assert first["questions"][0]["minutes_to_first_answer"] is None  # a single chat's figure
    one_chat = get_chat_insights(ctx, cast["chat1"])
    assert [q.minutes_to_first_answer for q in one_chat.questions] == [1.0, 1.0]
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


def _generated_series(ctx: AppContext, clock: Clock, chats: int, seed: int = 13) -> dict[str, Any]:
    """`chats` weekly or fortnightly chats through the real doors (actions, the ingest door):
    answers (some to two questions, some late), replies, reposts, deleted (hidden) posts, a
    host's posts, and people on x and mastodon, one of them linked to a local account."""
    rng = random.Random(seed)
    host = do_register(ctx, "genhost", "correct horse battery")
    do_register(ctx, "linda", "correct horse battery")
    do_create_series(ctx, host, "GenChat", "Generated", "UTC")
    do_link_handle(ctx, "linda", "mastodon", "linda")
    reposts: set[str] = set()
    for index in range(chats):
        clock.advance(days=rng.choice((7, 7, 14)))
        chat = do_create_chat(ctx, host, "GenChat", f"Chat {index}", clock.now, 60, ["a?", "b?"])
        start = clock.now
        do_start_chat(ctx, host, chat.id)
        do_next_question(ctx, host, chat.id)
        clock.advance(minutes=20)
        do_next_question(ctx, host, chat.id)
        clock.now = start + timedelta(minutes=61)
        do_end_chat(ctx, host, chat.id)
        posts: list[ForeignPost] = []
        answers: list[ForeignPost] = []
        for k in range(rng.randint(0, 12)):
            network = rng.choice((Network.X, Network.MASTODON))
            handle = rng.choice(("ann", "bob", "cat", "dan", "eve", "linda", "Ann"))
            at = start + timedelta(minutes=rng.randint(2, 70))
            external = f"{chat.id}-{k}"
            roll = rng.random()
            fields: dict[str, Any] = {}
            if roll < 0.1 and answers:
                fields["repost_of"] = rng.choice(answers).external_id
                reposts.add(external)
                text = "RT"
            elif roll < 0.3 and answers:
                parent = rng.choice(answers)
                fields["reply_to"] = parent.external_id
                network = parent.network
                at = max(at, parent.created_at + timedelta(seconds=30))
                text = "agree"
            elif roll < 0.38:
                fields["deleted"] = True
                text = "A1 spam"
            else:
                text = rng.choice(("A1 one", "A2 two", "A1 & A2: both"))
            post = ForeignPost(
                network=network,
                source=network.value,
                external_id=external,
                author_handle=handle,
                display_name=handle.title() + rng.choice(("", " (new name)")),
                text=text,
                created_at=at,
                **fields,
            )
            posts.append(post)
            if text.startswith("A") and not post.deleted:
                answers.append(post)
        if posts:
            do_ingest_posts(ctx, "generated", chat.id, posts)
        clock.advance(minutes=5)
        do_close_chat(ctx, host, chat.id)
    return {"reposts": reposts, "links": {("mastodon", "linda"): "linda"}}


def _reference(ctx: AppContext, generated: dict[str, Any]) -> dict[str, Any]:
    """Every figure in plain Python from the posts API (`list_posts`, hidden left out)."""
    with ctx.store.read() as session:
        series = load_series(session, "GenChat")
        chat_ids = [c.id for c in series_chats(session, series.id)]
    seen: set[str] = set()
    chats = []
    window: list[set[str]] = []
    for chat_id in chat_ids:
        posts = list_posts(ctx, chat_id)
        by_id = {p.id: p for p in posts}

        def person(post: Any) -> str:
            key = (post.network, post.author.lower())
            if key in generated["links"]:
                return generated["links"][key]
            return post.author if post.network == "hashchat" else f"{key[0]}:{key[1]}"

        taking_part = [
            p for p in posts if p.external_id not in generated["reposts"] and not p.is_host
        ]
        people = {person(p) for p in taking_part}
        network_people: dict[str, set[str]] = {}
        network_answerers: dict[str, set[str]] = {}
        per_network: dict[str, dict[str, Any]] = {}
        answers = late = replies = 0
        conversations: set[int] = set()
        for post in taking_part:
            figures = per_network.setdefault(post.network, {"answers": 0, "replies": 0})
            network_people.setdefault(post.network, set()).add(person(post))
            if post.reply_to is not None and post.reply_to in by_id:
                replies += 1
                figures["replies"] += 1
                if person(by_id[post.reply_to]) != person(post):
                    conversations.add(post.reply_to)
                continue
            answered = [s for s in post.segments if s.question is not None]
            answers += len(answered)
            late += sum(1 for s in answered if s.late)
            figures["answers"] += len(answered)
            if answered:
                network_answerers.setdefault(post.network, set()).add(person(post))
        for network, figures in per_network.items():
            members = network_people[network]
            figures["people"] = len(members)
            figures["answered_share"] = round(
                len(network_answerers.get(network, set())) / len(members), 3
            )
        chats.append(
            {
                "chat_id": chat_id,
                "participants": len(people),
                "newcomers": len(people - seen),
                "returning": len(people & seen),
                "answers": answers,
                "late": late,
                "replies": replies,
                "conversations": len(conversations),
                "reposts": sum(1 for p in posts if p.external_id in generated["reposts"]),
                "per_network": dict(sorted(per_network.items())),
            }
        )
        seen |= people
        window.append(people)
    last = window[-4:]
    everyone_last = set().union(*last) if last else set()
    regulars = {p for p in everyone_last if sum(1 for w in last if p in w) >= 2}
    return {
        "chats": chats,
        "people": len(seen),
        "answers": sum(c["answers"] for c in chats),
        "regulars": len(regulars),
    }


@pytest.mark.parametrize("chats", [500])
def test_every_figure_matches_a_plain_python_reference(
    new_context: Callable[[], AppContext], clock: Clock, chats: int
) -> None:
    ctx = new_context()
    generated = _generated_series(ctx, clock, chats)
    expected = _reference(ctx, generated)
    for use_cache in (False, True, True):  # cold, then filling the cache, then from it
        document = insights_document(get_series_insights(ctx, "GenChat", use_cache=use_cache))
        got = [{key: chat[key] for key in expected["chats"][0]} for chat in document["chats"]]
        assert len(got) == chats
        for mine, reference in zip(got, expected["chats"], strict=True):
            assert mine == reference
        totals = document["series"]["totals"]
        assert (totals["people"], totals["answers"]) == (expected["people"], expected["answers"])
        assert document["series"]["returning"]["regulars"] == expected["regulars"]


def test_figures_kept_in_the_process_follow_a_new_link(
    new_context: Callable[[], AppContext], clock: Clock
) -> None:
    ctx = new_context()
    cast = hand_made_series(ctx, clock)
    before = get_series_insights(ctx, "KaizenBiz").figures
    assert get_series_insights(ctx, "KaizenBiz").figures is before  # kept: nothing changed
    do_link_handle(ctx, "ann", "x", "tradietom")  # tom turns out to be ann
    after = get_series_insights(ctx, "KaizenBiz").figures
    assert after is not before
    assert [c.participants for c in after.chats] == [2, 2]  # ann and tom are one person
    assert after.people == 3
    assert get_chat_insights(ctx, cast["chat1"]).per_network["x"].people == 1
