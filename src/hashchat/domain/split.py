"""`hashchat import … --split`: the chats an archive holds, found from the host's questions.

One chat per host post opening with `Q1`: live from 6 minutes before that Q1 to 60 minutes
after it, late answers until 24 hours after it. The host's later `Q2`, `Q3` … posts up to the
next Q1 (and within the live hour) are its questions. The chat's start and title are derived
from the Q1 post alone, so a re-run (or another archive of the same chat) finds the same chat.
Posts are placed by time: the chat whose window (start to comments closing) holds them; where
two windows overlap (weekly chats do not; daily ones' late windows do), the later chat wins
once it has started.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hashchat.domain.text.answers import answer_tags, first_question_tag

BEFORE_Q1 = timedelta(minutes=6)
LIVE_AFTER_Q1 = timedelta(minutes=60)
LATE_AFTER_Q1 = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class QuestionPost:
    """A host post opening with `Qn`."""

    number: int
    text: str
    created_at: datetime


@dataclass(slots=True)
class SplitChat:
    """One chat found in an archive: its window and the questions asked in it."""

    q1_at: datetime
    questions: dict[int, QuestionPost] = field(default_factory=dict)

    @property
    def starts_at(self) -> datetime:
        return self.q1_at - BEFORE_Q1

    @property
    def ends_at(self) -> datetime:
        return self.q1_at + LIVE_AFTER_Q1

    @property
    def comments_close_at(self) -> datetime:
        return self.q1_at + LATE_AFTER_Q1

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def title(self, tag: str) -> str:
        return f"#{tag.lstrip('#')} {self.q1_at:%Y-%m-%d %H:%M} UTC"


def question_post(text: str, created_at: datetime) -> QuestionPost | None:
    """The host post as a question (`Q3 Who taught you…` → 3, "Who taught you…"), or None."""
    number = first_question_tag(text)
    if number is None:
        return None
    said = next(
        (body for n, _, body, kind in answer_tags(text) if kind == "Q" and n == number),
        text.strip(),
    )
    return QuestionPost(number, said.strip() or text.strip(), created_at)


def split_chats(questions: Iterable[QuestionPost]) -> list[SplitChat]:
    """The chats, oldest first: one per Q1, each with its questions (the first post of each
    number within its live hour; a repeated Q1 within the hour is the same chat)."""
    ordered = sorted(questions, key=lambda q: (q.created_at, q.number))
    chats: list[SplitChat] = []
    for question in ordered:
        current = chats[-1] if chats else None
        in_current = current is not None and question.created_at <= current.ends_at
        if question.number == 1 and not in_current:
            current = SplitChat(question.created_at)
            chats.append(current)
        if current is not None and question.created_at <= current.ends_at:
            current.questions.setdefault(question.number, question)
    return chats


class Windows:
    """Which of a set of chats' windows holds a moment (start to comments closing)."""

    def __init__(self, windows: Sequence[tuple[datetime, datetime, int]]) -> None:
        self._windows = sorted(windows)
        self._starts = [start for start, _, _ in self._windows]
        self._reach: list[datetime] = []  # the latest end among windows up to each index
        for _, end, _ in self._windows:
            self._reach.append(max(end, self._reach[-1]) if self._reach else end)

    def chat_at(self, moment: datetime) -> int | None:
        """The chat whose window holds `moment` (the latest started), or None."""
        index = bisect_right(self._starts, moment) - 1
        while index >= 0 and self._reach[index] >= moment:
            start, end, chat = self._windows[index]
            if start <= moment <= end:
                return chat
            index -= 1
        return None
