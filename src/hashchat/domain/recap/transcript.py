"""The transcript of a chat: answers grouped under their questions, replies nested, and the figures.

`build_transcript` takes the posts and their attributions (from `hashchat.domain.attribution`)
and returns frozen values that every recap exporter renders. The rules:

- Each question lists its answers in time order. An answer is a top-level segment attributed to
  the question: tagged (`A1 …`), inferred from the live hour, or an untagged reply to the host's
  question post. A multi-segment post (`A1 & A2: …`) is an answer under each of its questions.
- An untagged reply to a post in the transcript is nested under that post (under the segment of
  the same question when the post has several), recursively, in time order. A reply that carries
  an answer tag of its own is an answer under its question instead, keeping `reply_to`.
- Threads deeper than `MAX_REPLY_DEPTH` continue flat at that depth, so that no exporter has to
  recurse without bound on a hostile or runaway thread.
- Late and inferred segments stay where they belong and keep their marks.
- Everything attributed to no question is "other conversation", nested the same way.
- The host's question posts are the questions themselves: never answers, never conversation.
- Pure reposts are in the flat segment list only; they count as `reposts`, not as posts,
  and do not make anyone a participant.
- `hidden_ids` (posts the host hid as spam) are left out of everything, figures included; only
  their number is kept. A reply to a hidden post stands on its own.
- `participants` counts the distinct authors of visible posts other than the hosts (a host's
  question count is not a sign that the chat drew people). Hosts do count as posters, in the
  post total, the networks and the top contributors, with `is_host` set.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from operator import attrgetter

from hashchat.domain.attribution import is_question_post
from hashchat.domain.chat import Attribution, ChatWindow, Post, Question
from hashchat.domain.recap.figures import count_figures, handle_key
from hashchat.domain.recap.values import (
    MAX_REPLY_DEPTH,
    Entry,
    QuestionThread,
    SegmentKind,
    Transcript,
)
from hashchat.domain.text.answers import parse_answers

_TIME_ORDER = attrgetter("created_at", "id")


def build_transcript(
    posts: Sequence[Post],
    attributions: Sequence[Attribution],
    questions: Sequence[Question],
    window: ChatWindow,
    hosts: frozenset[str] | set[str] | list[str] | tuple[str, ...],
    hidden_ids: frozenset[str] = frozenset(),
) -> Transcript:
    """Assemble the transcript of a chat (rules in the module docstring); O(n log n) in posts.

    Posts already in time order are read in the order given, the order `attribute_posts`
    saw them in, so that ties keep the same parent; otherwise they are sorted by time, id.
    """
    host_set = frozenset(hosts)
    host_keys = frozenset(handle_key(host) for host in host_set)
    attributions_of: dict[str, list[Attribution]] = {}
    for attribution in attributions:
        known = attributions_of.get(attribution.post_id)
        if known is None:
            attributions_of[attribution.post_id] = [attribution]
        else:
            known.append(attribution)

    # Segments placed in the transcript ("nodes") live in parallel lists indexed by placement
    # order, which is time order: a parent always has a smaller index than its replies.
    node_post: list[Post] = []
    node_attribution: list[Attribution] = []
    node_parent: list[int] = []
    node_depth: list[int] = []
    first_node_of_post: dict[str, int] = {}
    is_host_author: dict[str, bool] = {}
    node_kind: list[SegmentKind] = []
    # the flat list in time order: an Entry where it is final, a node index to fill in later
    flat: list[Entry | int] = []
    counted_posts: list[Post] = []
    reposts = 0
    hidden_count = 0
    for post in _in_time_order(posts):
        if post.id in hidden_ids:
            hidden_count += 1
            continue
        post_attributions = attributions_of.get(post.id) or [
            Attribution(post_id=post.id, question=None, part=None, text=post.text)
        ]
        if post.is_repost:
            reposts += 1
            flat.extend(Entry(post, a, SegmentKind.REPOST) for a in post_attributions)
            continue
        counted_posts.append(post)
        is_host = is_host_author.get(post.author)
        if is_host is None:
            is_host = is_host_author[post.author] = handle_key(post.author) in host_keys
        if is_host and is_question_post(post, host_set):
            flat.extend(Entry(post, a, SegmentKind.QUESTION) for a in post_attributions)
            continue
        parent_first = _parent_first_node(post, post_attributions, first_node_of_post)
        first_node_of_post[post.id] = len(node_post)
        for attribution in post_attributions:
            parent = -1
            if parent_first >= 0:
                parent = _choose_parent(
                    parent_first, attribution.question, node_attribution, node_parent, node_depth
                )
            flat.append(len(node_post))
            node_post.append(post)
            node_attribution.append(attribution)
            node_parent.append(parent)
            node_depth.append(node_depth[parent] + 1 if parent >= 0 else 0)
            node_kind.append(
                SegmentKind.REPLY
                if parent >= 0
                else SegmentKind.CONVERSATION
                if attribution.question is None
                else SegmentKind.ANSWER
            )

    entries = _freeze(node_post, node_attribution, node_kind, node_parent)
    segments = tuple(entries[item] if isinstance(item, int) else item for item in flat)
    threads, conversation = _group(node_attribution, node_parent, entries, questions)
    figures = count_figures(counted_posts, segments, threads, host_keys, reposts, hidden_count)
    return Transcript(
        window=window,
        hosts=host_set,
        questions=threads,
        conversation=conversation,
        segments=segments,
        figures=figures,
    )


def walk_entries(entries: Sequence[Entry]) -> list[tuple[int, Entry]]:
    """Every entry with its depth (0 for top level), depth first, without recursion."""
    walked: list[tuple[int, Entry]] = []
    stack = [(0, entry) for entry in reversed(entries)]
    while stack:
        depth, entry = stack.pop()
        walked.append((depth, entry))
        stack.extend((depth + 1, reply) for reply in reversed(entry.replies))
    return walked


def _in_time_order(posts: Sequence[Post]) -> Sequence[Post]:
    """The posts as given when already in time order (as attributed), else sorted by time, id."""
    if all(earlier.created_at <= later.created_at for earlier, later in pairwise(posts)):
        return posts
    return sorted(posts, key=_TIME_ORDER)


def _parent_first_node(
    post: Post, post_attributions: Sequence[Attribution], first_node_of_post: dict[str, int]
) -> int:
    """The first node of the post this one nests under, or -1: only untagged replies nest."""
    if post.reply_to is None or len(post_attributions) != 1:
        return -1
    parent_first = first_node_of_post.get(post.reply_to, -1)
    if parent_first < 0 or parse_answers(post.text):
        return -1
    return parent_first


def _choose_parent(
    parent_first: int,
    question: int | None,
    node_attribution: list[Attribution],
    node_parent: list[int],
    node_depth: list[int],
) -> int:
    """The parent's segment of the same question (else its first), lifted to the depth limit."""
    parent_post_id = node_attribution[parent_first].post_id
    parent = parent_first
    index = parent_first
    # a post's segments are placed one after another, so its nodes are contiguous
    while index < len(node_attribution) and node_attribution[index].post_id == parent_post_id:
        if node_attribution[index].question == question:
            parent = index
            break
        index += 1
    while node_depth[parent] >= MAX_REPLY_DEPTH and node_parent[parent] >= 0:
        parent = node_parent[parent]
    return parent


def _freeze(
    node_post: list[Post],
    node_attribution: list[Attribution],
    node_kind: list[SegmentKind],
    node_parent: list[int],
) -> list[Entry]:
    """Frozen entries for all nodes; a reply is always placed after its parent, so go backwards."""
    replies_of: list[list[Entry] | None] = [None] * len(node_post)
    entries: list[Entry] = []
    for index in range(len(node_post) - 1, -1, -1):
        replies = replies_of[index]
        if replies is None:
            entry = Entry(node_post[index], node_attribution[index], node_kind[index])
        else:
            replies.reverse()
            entry = Entry(
                node_post[index], node_attribution[index], node_kind[index], tuple(replies)
            )
        entries.append(entry)
        parent = node_parent[index]
        if parent >= 0:
            siblings = replies_of[parent]
            if siblings is None:
                replies_of[parent] = [entry]
            else:
                siblings.append(entry)
    entries.reverse()
    return entries


def _group(
    node_attribution: list[Attribution],
    node_parent: list[int],
    entries: list[Entry],
    questions: Sequence[Question],
) -> tuple[tuple[QuestionThread, ...], tuple[Entry, ...]]:
    question_of_number = {question.number: question for question in questions}
    answers_of: dict[int, list[Entry]] = {number: [] for number in question_of_number}
    conversation: list[Entry] = []
    for index, parent in enumerate(node_parent):
        if parent >= 0:
            continue
        number = node_attribution[index].question
        if number is None:
            conversation.append(entries[index])
        else:
            answers_of.setdefault(number, []).append(entries[index])
    # An answer to a question the hosts never posted keeps a section of its own, so nothing is lost
    threads = tuple(
        QuestionThread(
            question_of_number.get(number, Question(number=number, text="")),
            tuple(answers_of[number]),
        )
        for number in sorted(answers_of)
    )
    return threads, tuple(conversation)
