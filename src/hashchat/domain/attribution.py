"""Which question each post of a chat answers: tagged, inherited from its parent, or inferred.

The rules, in the order they are tried for one post:
1. a repost answers nothing (it is someone else's words, and counting it inflates numbers);
2. a host's post that opens with `Qn` is question n itself (see `is_question_post`);
3. explicit answer tags give one attribution per tagged segment;
4. any other post of a host is conversation: the hosts' own comments, and the automatic
   welcome, how-to and closing posts (written as the host), are never answers unless tagged;
5. an untagged reply to an earlier post of the list takes that post's first question and
   part, and its `inferred` mark (a reply to conversation is conversation); an untagged reply
   to the question's own post on another network (`question_replies`: a bridge posted our
   question there) answers that question;
6. an untagged post during the live hour answers the question current at that moment,
   marked inferred;
7. anything else is conversation (question None).
An answer written at or after the end of the live hour is marked late. Who is a host is the
post's own `by_host` when it was recorded, else whether its author is one of `window.hosts`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from functools import partial

from hashchat.domain.chat import Attribution, ChatWindow, Post, Question
from hashchat.domain.text.answers import answer_tags, first_question_tag

# `Attribution(...)` goes through a Python-level `__new__`; a recap builds 100,000+ of them, and
# building the tuple directly costs 40 % as much (same value, fields in declaration order).
_attribution = partial(tuple.__new__, Attribution)


def attribute_posts(
    posts: Sequence[Post],
    questions: Sequence[Question],
    window: ChatWindow | None,
    earlier: Mapping[str, Attribution] | None = None,
    question_replies: Mapping[str, int] | None = None,
) -> list[Attribution]:
    """Attribute every post to the question(s) it answers, one or more entries per post.

    `posts` should be sorted by created_at then id (the order is kept, not re-sorted);
    a reply inherits only from a post earlier in the list, or from one of `earlier` (the first
    attribution of posts that come before the list, already attributed: how one new post is
    attributed exactly as the whole chat would be). `questions` without `asked_at`
    never become the inferred current question. With no `window`, nothing is inferred and
    nothing is late. `question_replies` maps the id of a post that replies to a question's
    own post elsewhere (our question as a bridge posted it on a network) to that question.
    """
    replies_to_questions = question_replies or {}
    is_host = HostAuthors(window.hosts if window is not None else ())
    asked = sorted((q.asked_at, q.number) for q in questions if q.asked_at is not None)
    asked_times = [asked_at for asked_at, _ in asked]
    asked_numbers = [number for _, number in asked]
    started_at = window.started_at if window is not None else None
    ended_at = window.ended_at if window is not None else None

    # The rules are inlined in one loop, appending straight to the result, because a recap
    # attributes 100,000 posts at once.
    first_by_id: dict[str, Attribution] = dict(earlier) if earlier else {}
    attributions: list[Attribution] = []
    add = attributions.append
    for post in posts:
        post_id, text, created_at = post.id, post.text, post.created_at
        late = ended_at is not None and created_at >= ended_at
        first = len(attributions)
        by_host = post.by_host
        if by_host is None:
            by_host = is_host[post.author]
        if post.is_repost:
            add(_attribution((post_id, None, None, text.strip(), False, False)))
        elif by_host and (number := first_question_tag(text)) is not None:
            add(_attribution((post_id, number, None, _question_text(text, number), False, False)))
        elif tags := answer_tags(text):
            for number, part, said, _ in tags:
                add(_attribution((post_id, number, part, said, False, late)))
        elif by_host:
            add(_attribution((post_id, None, None, text.strip(), False, False)))
        elif (parent := first_by_id.get(post.reply_to or "")) is not None:
            question = parent.question
            late = late and question is not None
            add(_attribution((post_id, question, parent.part, text.strip(), parent.inferred, late)))
        elif (replied := replies_to_questions.get(post_id)) is not None:
            add(_attribution((post_id, replied, None, text.strip(), False, late)))
        else:
            current = None
            if started_at is not None and started_at <= created_at and not late:
                index = bisect_right(asked_times, created_at)
                current = asked_numbers[index - 1] if index else None
            add(_attribution((post_id, current, None, text.strip(), current is not None, False)))
        first_by_id.setdefault(post_id, attributions[first])
    return attributions


def questions_from_host_posts(posts: Sequence[Post], hosts: Collection[str]) -> list[Question]:
    """The questions of an imported chat: the first host post opening with each `Qn`.

    "First" is the earliest by time, then by id, in whatever order the posts are given (so a
    recap can read them in file order, which is much faster than in time order). Each
    question's text is the words after its tag and `asked_at` the post's time; the result is
    sorted by number.
    """
    is_host = HostAuthors(hosts)
    first_asked: dict[int, tuple[datetime, str, Question]] = {}
    for post in posts:
        if post.is_repost or not posted_by_host(post, is_host):
            continue
        number = first_question_tag(post.text)
        if number is None:
            continue
        known = first_asked.get(number)
        if known is None or (post.created_at, post.id) < known[:2]:
            question = Question(number, _question_text(post.text, number), post.created_at)
            first_asked[number] = (post.created_at, post.id, question)
    return [first_asked[number][2] for number in sorted(first_asked)]


def is_question_post(post: Post, hosts: Collection[str]) -> bool:
    """Whether `post` is a host posting a question (`Q1 What…`), not an answer to one."""
    return (
        not post.is_repost
        and posted_by_host(post, HostAuthors(hosts))
        and first_question_tag(post.text) is not None
    )


def posted_by_host(post: Post, is_host: HostAuthors) -> bool:
    """Whether a host wrote `post`: as recorded with it, else judged by its author's handle."""
    return post.by_host if post.by_host is not None else is_host[post.author]


def _question_text(text: str, number: int) -> str:
    for question, _, said, kind in answer_tags(text):
        if kind == "Q" and question == number:
            return said
    return text.strip()


class HostAuthors(dict[str, bool]):
    """Whether an author is a host, matching case-insensitively with or without a leading @.

    A dict that judges each author string once: a chat has far fewer authors than posts.
    `HostAuthors(hosts)[author]` is the whole use.
    """

    def __init__(self, hosts: Collection[str]) -> None:
        super().__init__()
        self._keys = frozenset(_author_key(host) for host in hosts)

    def __missing__(self, author: str) -> bool:
        judged = self[author] = _author_key(author) in self._keys
        return judged


def _author_key(author: str) -> str:
    return author.strip().lstrip("@").casefold()
