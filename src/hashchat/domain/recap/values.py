"""The values of a transcript: entries with nested replies, question threads, figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from hashchat.domain.chat import Attribution, ChatWindow, Post, Question

MAX_REPLY_DEPTH = 32
TOP_CONTRIBUTOR_COUNT = 10


class SegmentKind(StrEnum):
    """Where a segment of a post ended up in the transcript."""

    QUESTION = "question"
    ANSWER = "answer"
    REPLY = "reply"
    CONVERSATION = "conversation"
    REPOST = "repost"


class Entry(NamedTuple):
    """One segment of a post: where it went in the transcript, and the replies nested under it.

    The same values make the flat list (`Transcript.segments`), where question posts and
    reposts appear too, without replies.

    A named tuple rather than a frozen dataclass: a recap builds one per segment, 100,000
    and more for a big chat, and a named tuple is built in half the time while staying
    immutable and comparable by value.
    """

    post: Post
    attribution: Attribution
    kind: SegmentKind
    replies: tuple[Entry, ...] = ()

    @property
    def text(self) -> str:
        """The segment's own text (the whole post for a single-segment post)."""
        return self.attribution.text

    @property
    def late(self) -> bool:
        """Written after the live hour ended."""
        return self.attribution.late

    @property
    def inferred(self) -> bool:
        """Placed under its question by the live hour, not by a tag or a reply."""
        return self.attribution.inferred


@dataclass(frozen=True, slots=True)
class QuestionThread:
    """A question and its answers in time order."""

    question: Question
    answers: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class QuestionFigures:
    """The numbers of one question; `answers` counts top-level segments, `replies` nested ones."""

    number: int
    answers: int
    replies: int
    late: int
    inferred: int
    people: int


@dataclass(frozen=True, slots=True)
class Contributor:
    """An author and how many visible posts (not reposts) they wrote."""

    author: str
    posts: int
    is_host: bool


@dataclass(frozen=True, slots=True)
class NetworkCount:
    """How many visible posts (not reposts) came from one network, and how many people (not
    hosts) wrote them: someone who posted on two networks counts on each."""

    network: str
    posts: int
    people: int = 0


@dataclass(frozen=True, slots=True)
class Figures:
    """The numbers of a chat, counted over visible posts (see the module docstring).

    `questions_asked` counts the questions actually posted, not those planned.
    """

    posts: int
    reposts: int
    hidden: int
    participants: int
    answers: int
    late_answers: int
    inferred_answers: int
    per_question: tuple[QuestionFigures, ...]
    top_contributors: tuple[Contributor, ...]
    networks: tuple[NetworkCount, ...]
    questions_asked: int
    first_post_at: datetime | None
    last_post_at: datetime | None


@dataclass(frozen=True, slots=True)
class Transcript:
    """A chat read afterwards: questions and answers, other conversation, flat list, figures."""

    window: ChatWindow
    hosts: frozenset[str]
    questions: tuple[QuestionThread, ...]
    conversation: tuple[Entry, ...]
    segments: tuple[Entry, ...]
    figures: Figures
    # Ids of the posts a host spotlighted (pinned at the top of the room); every format marks them.
    spotlighted: frozenset[str] = frozenset()
