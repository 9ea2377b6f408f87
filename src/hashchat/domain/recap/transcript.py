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
- Only asked questions have a section; a number answered but never asked gets one marked by
  its missing `asked_at` (see `_group`), so no answer is lost and no "No answers" is invented.
- Pure reposts are in the flat segment list only; they count as `reposts`, not as posts,
  and do not make anyone a participant.
- `hidden_ids` (posts the host hid as spam) are left out of everything, figures included; only
  their number is kept. A reply to a hidden post stands on its own.
- `participants` counts the distinct authors of visible posts other than the hosts (a host's
  question count is not a sign that the chat drew people). Hosts do count as posters, in the
  post total, the networks and the top contributors, with `is_host` set. Each network also
  counts its people (not hosts): someone who wrote on two networks counts on each.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from itertools import islice
from operator import le

from hashchat.domain.attribution import HostAuthors
from hashchat.domain.chat import Attribution, ChatWindow, Post, Question, in_time_order
from hashchat.domain.recap.figures import PostTally, count_figures, handle_key
from hashchat.domain.recap.values import (
    MAX_REPLY_DEPTH,
    Entry,
    QuestionThread,
    SegmentKind,
    Transcript,
)
from hashchat.domain.text.answers import answer_tags, first_question_tag

# An Entry built as a plain tuple (fields in declaration order, no replies yet): one per segment of
# a 100,000-post chat, at half the cost of the NamedTuple's Python-level `__new__`.
_entry = partial(tuple.__new__, Entry)
# Reading an enum member off its class costs a descriptor call (about 70 ns in 3.11);
# the loops below pick one per segment of a 100,000-post chat.
_ANSWER = SegmentKind.ANSWER
_CONVERSATION = SegmentKind.CONVERSATION
_QUESTION = SegmentKind.QUESTION
_REPLY = SegmentKind.REPLY
_REPOST = SegmentKind.REPOST


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
    is_host = HostAuthors(host_set)
    attributions_of = _attributions_by_post(attributions)

    # Every segment becomes its Entry at once, in time order, so `entries` is the flat list.
    # Only replies need more: their parent's index, and their depth (top level is depth 0).
    # An entry that receives replies is rebuilt with them at the end (see `_nest_replies`).
    entries: list[Entry] = []
    parent_of: dict[int, int] = {}
    depth_of: dict[int, int] = {}
    first_entry_of_post: dict[str, int] = {}
    tally = PostTally()
    posts_by_author, posts_by_network = tally.by_author, tally.by_network
    network_authors = tally.network_authors
    answer_authors = tally.answer_authors
    counted_posts: list[Post] = []
    for post in _in_time_order(posts):
        post_id = post.id
        if post_id in hidden_ids:
            tally.hidden += 1
            continue
        post_attributions = attributions_of.get(post_id) or [
            Attribution(post_id=post_id, question=None, part=None, text=post.text)
        ]
        if post.is_repost:
            tally.reposts += 1
            entries.extend(_entry((post, a, _REPOST, ())) for a in post_attributions)
            continue
        counted_posts.append(post)
        author = post.author
        posts_by_author[author] += 1
        posts_by_network[post.network] += 1
        network_authors[post.network].add(author)
        by_host = post.by_host  # inlined `posted_by_host`: once per post of a big chat
        if by_host is None:
            by_host = is_host[author]
        if by_host and first_question_tag(post.text) is not None:
            entries.extend(_entry((post, a, _QUESTION, ())) for a in post_attributions)
            continue
        parent_first = -1
        if post.reply_to is not None:
            parent_first = _parent_first_entry(post, post_attributions, first_entry_of_post)
        first_entry_of_post[post_id] = len(entries)
        if parent_first < 0:
            for attribution in post_attributions:
                question = attribution.question
                if question is None:
                    entries.append(_entry((post, attribution, _CONVERSATION, ())))
                else:
                    entries.append(_entry((post, attribution, _ANSWER, ())))
                    answer_authors[question].add(author)
        else:
            (attribution,) = post_attributions  # only a single-segment post nests
            parent = _choose_parent(
                parent_first, attribution.question, entries, parent_of, depth_of
            )
            parent_of[len(entries)] = parent
            depth_of[len(entries)] = depth_of.get(parent, 0) + 1
            entries.append(_entry((post, attribution, _REPLY, ())))
            tally.reply_questions.append(attribution.question)

    if counted_posts:
        tally.posts = len(counted_posts)
        tally.first_post_at = counted_posts[0].created_at
        tally.last_post_at = counted_posts[-1].created_at
    _nest_replies(entries, parent_of)
    threads, conversation = _group(entries, questions)
    return Transcript(
        window=window,
        hosts=host_set,
        questions=threads,
        conversation=conversation,
        segments=tuple(entries),
        figures=count_figures(tally, threads, host_keys),
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


def _attributions_by_post(attributions: Sequence[Attribution]) -> dict[str, list[Attribution]]:
    """Each post's attributions in the order given."""
    attributions_of: dict[str, list[Attribution]] = {}
    for attribution in attributions:
        known = attributions_of.get(attribution.post_id)
        if known is None:
            attributions_of[attribution.post_id] = [attribution]
        else:
            known.append(attribution)
    return attributions_of


def _in_time_order(posts: Sequence[Post]) -> Sequence[Post]:
    """The posts as given when already in time order (as attributed), else sorted by time, id."""
    times = [post.created_at for post in posts]
    if all(map(le, times, islice(times, 1, None))):
        return posts
    return in_time_order(posts)


def _parent_first_entry(
    post: Post, post_attributions: Sequence[Attribution], first_entry_of_post: dict[str, int]
) -> int:
    """The first entry of the post this one nests under, or -1: only untagged replies nest."""
    if post.reply_to is None or len(post_attributions) != 1:
        return -1
    parent_first = first_entry_of_post.get(post.reply_to, -1)
    if parent_first < 0 or answer_tags(post.text):
        return -1
    return parent_first


def _choose_parent(
    parent_first: int,
    question: int | None,
    entries: list[Entry],
    parent_of: dict[int, int],
    depth_of: dict[int, int],
) -> int:
    """The parent's segment of the same question (else its first), lifted to the depth limit."""
    parent_post_id = entries[parent_first].post.id
    parent = parent_first
    index = parent_first
    # a post's segments are placed one after another, so its entries are contiguous
    while index < len(entries) and entries[index].post.id == parent_post_id:
        if entries[index].attribution.question == question:
            parent = index
            break
        index += 1
    while depth_of.get(parent, 0) >= MAX_REPLY_DEPTH and parent in parent_of:
        parent = parent_of[parent]
    return parent


def _nest_replies(entries: list[Entry], parent_of: dict[int, int]) -> None:
    """Rebuild each entry that has replies with them, in place, in time order.

    A reply always comes after its parent, so going from the last parent to the first
    finds every reply already rebuilt with its own replies.
    """
    replies_of: dict[int, list[int]] = {}
    for reply, parent in parent_of.items():  # in time order: the order entries were added
        replies_of.setdefault(parent, []).append(reply)
    for parent in sorted(replies_of, reverse=True):
        entry = entries[parent]
        replies = tuple([entries[reply] for reply in replies_of[parent]])
        entries[parent] = Entry(entry.post, entry.attribution, entry.kind, replies)


def _group(
    entries: list[Entry], questions: Sequence[Question]
) -> tuple[tuple[QuestionThread, ...], tuple[Entry, ...]]:
    """Threads of the questions that were asked, and of any number someone answered anyway.

    A question never asked (ended early, or planned and skipped) has no thread unless it has
    answers; then its thread keeps no text and no `asked_at` (it is shown as not asked), the
    same as an answer to a question an archive never shows being asked.
    """
    asked_of_number = {q.number: q for q in questions if q.asked_at is not None}
    answers_of: dict[int, list[Entry]] = {number: [] for number in asked_of_number}
    conversation: list[Entry] = []
    for entry in entries:
        if entry.kind is _ANSWER:
            number = entry.attribution.question
            assert number is not None  # an answer is attributed to a question by definition
            answers_of.setdefault(number, []).append(entry)
        elif entry.kind is _CONVERSATION:
            conversation.append(entry)
    threads = tuple(
        QuestionThread(
            asked_of_number.get(number, Question(number=number, text="")),
            tuple(answers_of[number]),
        )
        for number in sorted(answers_of)
    )
    return threads, tuple(conversation)
