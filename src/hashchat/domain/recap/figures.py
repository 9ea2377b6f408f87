"""The numbers of a chat: tallied while the transcript reads its posts, then summed up."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from hashchat.domain.recap.values import (
    TOP_CONTRIBUTOR_COUNT,
    Contributor,
    Figures,
    NetworkCount,
    QuestionFigures,
    QuestionThread,
)


def handle_key(handle: str) -> str:
    """An author's handle as compared with the hosts: no leading @, case folded."""
    return handle.strip().lstrip("@").casefold()


@dataclass(slots=True)
class PostTally:
    """What `build_transcript` counts as it reads each visible post, once, in time order.

    Counting there, rather than walking the posts again here, reads each post while it is
    still in the CPU's cache: in time order a 100,000-post chat's posts lie all over memory,
    and a second pass to read their authors costs more than the counting itself.
    """

    by_author: Counter[str] = field(default_factory=Counter)
    by_network: Counter[str] = field(default_factory=Counter)
    network_authors: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    answer_authors: defaultdict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    reply_questions: list[int | None] = field(default_factory=list)
    posts: int = 0
    reposts: int = 0
    hidden: int = 0
    first_post_at: datetime | None = None
    last_post_at: datetime | None = None


def count_figures(
    tally: PostTally, threads: tuple[QuestionThread, ...], host_keys: frozenset[str]
) -> Figures:
    """The figures of a transcript from its tally (visible posts, not reposts) and threads."""
    replies_of = Counter(tally.reply_questions)
    per_question = tuple(
        QuestionFigures(
            number=thread.question.number,
            answers=len(thread.answers),
            replies=replies_of[thread.question.number],
            late=sum(1 for entry in thread.answers if entry.attribution.late),
            inferred=sum(1 for entry in thread.answers if entry.attribution.inferred),
            people=len(tally.answer_authors.get(thread.question.number, ())),
        )
        for thread in threads
    )
    by_author = tally.by_author
    ranked = sorted(by_author.items(), key=lambda item: (-item[1], item[0].casefold()))
    return Figures(
        posts=tally.posts,
        reposts=tally.reposts,
        hidden=tally.hidden,
        participants=sum(1 for author in by_author if handle_key(author) not in host_keys),
        answers=sum(figures.answers for figures in per_question),
        late_answers=sum(figures.late for figures in per_question),
        inferred_answers=sum(figures.inferred for figures in per_question),
        per_question=per_question,
        top_contributors=tuple(
            Contributor(author, count, handle_key(author) in host_keys)
            for author, count in ranked[:TOP_CONTRIBUTOR_COUNT]
        ),
        networks=tuple(
            NetworkCount(
                network,
                count,
                sum(
                    1
                    for author in tally.network_authors[network]
                    if handle_key(author) not in host_keys
                ),
            )
            for network, count in sorted(tally.by_network.items(), key=lambda i: (-i[1], i[0]))
        ),
        questions_asked=sum(1 for thread in threads if thread.question.asked_at is not None),
        first_post_at=tally.first_post_at,
        last_post_at=tally.last_post_at,
    )
