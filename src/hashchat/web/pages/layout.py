"""Arrange a chat's posts the way the room shows them: a group per question, replies nested.

room.js places live posts by the same rules, so a reload shows what the stream built:
a reply goes under its parent when the parent is visible, anything else into the group of its
question (the conversation group when it answers none).
"""

from __future__ import annotations

from collections.abc import Sequence

from hashchat.actions.views import PostView, QuestionView
from hashchat.web.pages.views import PostGroup, PostNode

# Deeper threads continue flat at this depth so that templates never recurse without bound.
MAX_NESTING = 12
CONVERSATION_KEY = "none"


def group_key(question: int | None) -> str:
    """The id suffix of a question's group in the page (`q3`, or `none`)."""
    return CONVERSATION_KEY if question is None else f"q{question}"


def room_groups(questions: Sequence[QuestionView], posts: Sequence[PostView]) -> list[PostGroup]:
    """The conversation group, then one group per asked question (or answered one), in order."""
    visible = [post for post in posts if not post.hidden]
    parent_of: dict[int, int | None] = {}
    depth: dict[int, int] = {}
    for post in visible:  # oldest first, so a parent is placed before its replies
        parent = post.reply_to if post.reply_to in depth else None
        if parent is not None:
            while depth[parent] >= MAX_NESTING:
                parent = parent_of[parent]
                assert parent is not None  # depth > 0 always has a parent
        parent_of[post.id] = parent
        depth[post.id] = 0 if parent is None else depth[parent] + 1

    children: dict[int, list[PostNode]] = {}
    top_level: list[PostNode] = []
    for post in reversed(visible):  # replies come later, so they are built before parents
        node = PostNode(post, tuple(reversed(children.pop(post.id, []))))
        parent = parent_of[post.id]
        if parent is None:
            top_level.append(node)
        else:
            children.setdefault(parent, []).append(node)
    top_level.reverse()

    texts = {question.number: question.text for question in questions}
    shown = {q.number for q in questions if q.asked_at is not None}
    shown.update(node.post.question for node in top_level if node.post.question is not None)
    by_question: dict[int | None, list[PostNode]] = {None: []}
    for number in sorted(shown):
        by_question[number] = []
    for node in top_level:
        by_question[node.post.question].append(node)
    return [
        PostGroup(
            key=group_key(number),
            number=number,
            text=texts.get(number, "") if number is not None else "",
            nodes=tuple(nodes),
        )
        for number, nodes in by_question.items()
    ]
