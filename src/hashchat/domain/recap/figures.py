"""The numbers of a chat, counted from the transcript's flat list of segments."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from hashchat.domain.chat import Post
from hashchat.domain.recap.values import (
    TOP_CONTRIBUTOR_COUNT,
    Contributor,
    Entry,
    Figures,
    NetworkCount,
    QuestionFigures,
    QuestionThread,
    SegmentKind,
)


def handle_key(handle: str) -> str:
    """An author's handle as compared with the hosts: no leading @, case folded."""
    return handle.strip().lstrip("@").casefold()


def count_figures(
    counted_posts: Sequence[Post],
    segments: Sequence[Entry],
    threads: Sequence[QuestionThread],
    host_keys: frozenset[str],
    reposts: int,
    hidden_count: int,
) -> Figures:
    """The figures of a transcript from its visible posts (not reposts) in time order."""
    posts_by_author = Counter([post.author for post in counted_posts])
    posts_by_network = Counter([post.network for post in counted_posts])
    replies_of = Counter(
        [
            segment.attribution.question
            for segment in segments
            if segment.kind is SegmentKind.REPLY and segment.attribution.question is not None
        ]
    )
    per_question = tuple(
        QuestionFigures(
            number=thread.question.number,
            answers=len(thread.answers),
            replies=replies_of[thread.question.number],
            late=sum(1 for entry in thread.answers if entry.attribution.late),
            inferred=sum(1 for entry in thread.answers if entry.attribution.inferred),
            people=len({entry.post.author for entry in thread.answers}),
        )
        for thread in threads
    )
    ranked = sorted(posts_by_author.items(), key=lambda item: (-item[1], item[0].casefold()))
    return Figures(
        posts=len(counted_posts),
        reposts=reposts,
        hidden=hidden_count,
        participants=sum(1 for author in posts_by_author if handle_key(author) not in host_keys),
        answers=sum(figures.answers for figures in per_question),
        late_answers=sum(figures.late for figures in per_question),
        inferred_answers=sum(figures.inferred for figures in per_question),
        per_question=per_question,
        top_contributors=tuple(
            Contributor(author, count, handle_key(author) in host_keys)
            for author, count in ranked[:TOP_CONTRIBUTOR_COUNT]
        ),
        networks=tuple(
            NetworkCount(network, count)
            for network, count in sorted(posts_by_network.items(), key=lambda i: (-i[1], i[0]))
        ),
        first_post_at=counted_posts[0].created_at if counted_posts else None,
        last_post_at=counted_posts[-1].created_at if counted_posts else None,
    )
