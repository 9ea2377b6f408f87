"""The values of a hashtag chat: series, chat, question, post, and a post's attribution."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from operator import attrgetter
from typing import NamedTuple


class ChatState(StrEnum):
    """Where a chat is in its life; it only ever moves forward."""

    SCHEDULED = "scheduled"
    LIVE = "live"
    LATE_ANSWERS = "late_answers"
    CLOSED = "closed"


CHAT_STATE_ORDER: tuple[ChatState, ...] = (
    ChatState.SCHEDULED,
    ChatState.LIVE,
    ChatState.LATE_ANSWERS,
    ChatState.CLOSED,
)


class InvalidTransitionError(ValueError):
    """A chat was asked to move to a state it cannot reach from where it is."""


def next_state(current: ChatState, wanted: ChatState) -> ChatState:
    """Return `wanted` when a chat in `current` may move there, else raise InvalidTransitionError.

    A chat moves forward only; it may skip late answers (end and close at once) but never
    go back, and a closed chat stays closed.
    """
    if CHAT_STATE_ORDER.index(wanted) <= CHAT_STATE_ORDER.index(current):
        raise InvalidTransitionError(f"a chat that is {current.value} cannot become {wanted.value}")
    if current is ChatState.SCHEDULED and wanted is not ChatState.LIVE:
        raise InvalidTransitionError("a scheduled chat must go live before it can end or close")
    return wanted


@dataclass(frozen=True, slots=True)
class Series:
    """A recurring chat on one hashtag, with its own character rule and limit."""

    tag: str
    title: str
    timezone: str
    char_rule: str = "x"
    char_limit: int = 280
    description: str = ""


@dataclass(frozen=True, slots=True)
class Question:
    """A numbered question of a chat; `asked_at` is None until it is posted."""

    number: int
    text: str
    asked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Post:
    """One post as any network carries it: who wrote what, when, in reply to what.

    `by_host` says whether a host of the chat wrote it, when that was recorded as it was posted
    (hashchat's own posts); None means unknown (an archive), and the hosts' handles decide.
    """

    id: str
    author: str
    text: str
    created_at: datetime
    network: str = "hashchat"
    reply_to: str | None = None
    external_id: str | None = None
    url: str | None = None
    is_repost: bool = False
    by_host: bool | None = None


def _id_length(post: Post) -> int:
    return len(post.id)


def in_time_order(posts: Iterable[Post]) -> list[Post]:
    """The posts by time, then id; ids of digits compare as numbers (9 before 10), the way the
    server and the networks number them, because an id of the same length sorts first by its
    length, then by its text. Three stable sorts on one key each are nearly twice as fast on
    100,000 posts as one sort on a key tuple."""
    ordered = sorted(posts, key=attrgetter("id"))
    ordered.sort(key=_id_length)
    ordered.sort(key=attrgetter("created_at"))
    return ordered


class Attribution(NamedTuple):
    """Which question one segment of a post answers.

    `question` is None for conversation that answers nothing. `inferred` marks a question
    guessed from the live hour rather than tagged or inherited; `late` marks an answer
    written after the live hour ended.

    A NamedTuple rather than a frozen dataclass: a recap builds one per segment (100,000+ for
    a big chat), and a tuple is built at about a third of the cost while staying immutable.
    """

    post_id: str
    question: int | None
    part: str | None
    text: str
    inferred: bool = False
    late: bool = False


@dataclass(frozen=True, slots=True)
class ChatWindow:
    """When the live hour ran; `ended_at` None means it has not ended yet."""

    started_at: datetime
    ended_at: datetime | None = None
    hosts: frozenset[str] = field(default_factory=frozenset)
