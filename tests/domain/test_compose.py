from __future__ import annotations

import pytest

from hashchat.domain.compose import compose_post, has_hashtag


@pytest.mark.parametrize(
    ("text", "question", "is_reply", "expected"),
    [
        ("small steps", 3, False, "A3 small steps #KaizenBiz"),
        ("@kaizencoach small steps", 3, False, "@kaizencoach A3 small steps #KaizenBiz"),
        ("A2: already tagged", 3, False, "A2: already tagged #KaizenBiz"),
        ("love this", 3, True, "love this #KaizenBiz"),
        ("no question yet", None, False, "no question yet #KaizenBiz"),
        ("A1 done #kaizenbiz", 1, False, "A1 done #kaizenbiz"),
    ],
)
def test_compose_adds_what_is_missing(
    text: str, question: int | None, is_reply: bool, expected: str
) -> None:
    assert compose_post(text, question, "KaizenBiz", is_reply=is_reply) == expected


def test_a_longer_tag_is_not_the_series_tag() -> None:
    assert not has_hashtag("#KaizenBizChat is different", "KaizenBiz")
    assert has_hashtag("ends with #KaizenBiz.", "#KaizenBiz")


@pytest.mark.parametrize("text", ["Great answers so far", "@ana love it", "thanks all"])
def test_a_hosts_post_gets_the_hashtag_but_never_an_answer_tag(text: str) -> None:
    composed = compose_post(text, 1, "KaizenBiz", by_host=True)
    assert composed == f"{text} #KaizenBiz"
    assert compose_post("A1 mine is email", 1, "KaizenBiz", by_host=True) == (
        "A1 mine is email #KaizenBiz"
    )
