"""The room's grouping: a group per question, conversation first, replies nested, depth capped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hashchat.actions.views import PostView, QuestionView
from hashchat.web.pages.layout import MAX_NESTING, room_groups
from hashchat.web.pages.views import PostGroup, PostNode

START = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


def post(
    post_id: int, question: int | None = None, reply_to: int | None = None, *, hidden: bool = False
) -> PostView:
    return PostView(
        id=post_id,
        chat_id=1,
        author=f"user{post_id}",
        display_name=f"User {post_id}",
        text=f"text {post_id}",
        created_at=START + timedelta(seconds=post_id),
        network="hashchat",
        external_id=None,
        external_url=None,
        reply_to=reply_to,
        question=question,
        part=None,
        inferred=False,
        late=False,
        hidden=hidden,
        spotlight=False,
        is_host=False,
        segments=(),
    )


def ids(nodes: tuple[PostNode, ...]) -> list[int]:
    return [node.post.id for node in nodes]


def by_key(groups: list[PostGroup]) -> dict[str, PostGroup]:
    return {group.key: group for group in groups}


QUESTIONS = (
    QuestionView(1, 1, "What went well?", START),
    QuestionView(1, 2, "What next?", START + timedelta(minutes=9)),
    QuestionView(1, 3, "Not asked yet", None),
)


def test_groups_follow_questions_with_conversation_first() -> None:
    groups = room_groups(QUESTIONS, [post(1), post(2, 1), post(3, 2), post(4, 1)])
    assert [g.key for g in groups] == ["none", "q1", "q2"]
    assert ids(by_key(groups)["q1"].nodes) == [2, 4]
    assert by_key(groups)["q2"].text == "What next?"
    assert ids(by_key(groups)["none"].nodes) == [1]


def test_a_reply_nests_under_its_parent_whatever_its_question() -> None:
    groups = room_groups(QUESTIONS, [post(1, 1), post(2, None, reply_to=1), post(3, 2, reply_to=2)])
    q1 = by_key(groups)["q1"]
    assert ids(q1.nodes) == [1]
    assert ids(q1.nodes[0].replies) == [2]
    assert ids(q1.nodes[0].replies[0].replies) == [3]
    assert by_key(groups)["q2"].nodes == ()


def test_hidden_posts_vanish_and_their_replies_stand_alone() -> None:
    groups = room_groups(QUESTIONS, [post(1, 1, hidden=True), post(2, 1, reply_to=1)])
    assert ids(by_key(groups)["q1"].nodes) == [2]


def test_an_answer_to_an_unasked_question_still_gets_its_group() -> None:
    groups = room_groups(QUESTIONS[:1], [post(1, 5)])
    assert [g.key for g in groups] == ["none", "q1", "q5"]
    assert by_key(groups)["q5"].text == ""


def test_deep_threads_continue_flat_at_the_cap() -> None:
    chain = [post(1, 1)] + [post(n, None, reply_to=n - 1) for n in range(2, MAX_NESTING + 6)]
    node = by_key(room_groups(QUESTIONS, chain))["q1"].nodes[0]
    depth = 0
    while node.replies:
        assert len(node.replies) <= 6
        node = node.replies[-1]
        depth += 1
    assert depth == MAX_NESTING
