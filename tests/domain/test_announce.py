"""What a chat's announcement says wherever it goes: its zones, the guide, its slugs."""

from __future__ import annotations

from hashchat.domain.announce import (
    announcement_slug,
    announcement_zones,
    guide_text,
    recap_slug,
    rule_description,
)


def test_zones_are_the_hosts_choice_else_her_zone_then_the_usual_ones() -> None:
    assert announcement_zones("Asia/Tokyo", ("Europe/Paris",)) == ("Europe/Paris",)
    assert announcement_zones("America/New_York") == (
        "America/New_York",
        "Europe/London",
        "America/Los_Angeles",
    )


def test_the_guide_is_the_hosts_words_then_the_rules() -> None:
    rules = guide_text("KaizenBiz", "", 280, "x")
    assert rules.startswith(
        "Answer with the question's number first (A1 …) and end with #KaizenBiz."
    )
    assert rule_description("x") in rules
    assert guide_text("KaizenBiz", "Say hello first.", 500, "mastodon").startswith(
        "Say hello first.\n\nAnswer"
    )


def test_slugs_name_the_tag_and_the_chat() -> None:
    assert announcement_slug("KaizenBiz", 12) == "kaizenbiz-chat-12"
    assert recap_slug("KaizenBiz", 12) == "kaizenbiz-chat-12-recap"
