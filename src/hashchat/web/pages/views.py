"""What the page templates show: frozen values read from the store, independent of its rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Re-exported for the page modules: a series, a post and the logged-in reader are the values
# the actions layer already has, not copies of them.
from hashchat.actions.views import PostView as PostView
from hashchat.actions.views import SeriesView as SeriesView
from hashchat.actions.views import UserView
from hashchat.domain.announce import RULE_DESCRIPTIONS as RULE_DESCRIPTIONS
from hashchat.domain.announce import rule_description as rule_description

Viewer = UserView

STATE_LABELS = {
    "scheduled": "scheduled",
    "live": "live now",
    "late_answers": "late answers open",
    "closed": "closed",
}


@dataclass(frozen=True, slots=True)
class MemberView:
    """A person with a role in a series."""

    name: str
    display_name: str
    role: str


@dataclass(frozen=True, slots=True)
class QuestionView:
    """A question of a chat; `asked_at` is None until it is posted."""

    number: int
    text: str
    asked_at: datetime | None


@dataclass(frozen=True, slots=True)
class ChatView:
    """A chat with its questions."""

    id: int
    series_id: int
    title: str
    starts_at: datetime
    duration_minutes: int
    state: str
    started_at: datetime | None
    ended_at: datetime | None
    closed_at: datetime | None
    questions: tuple[QuestionView, ...]

    @property
    def state_label(self) -> str:
        """The state in words."""
        return STATE_LABELS.get(self.state, self.state)

    @property
    def current_question(self) -> int | None:
        """The number of the last question posted, None before the first."""
        asked = [question.number for question in self.questions if question.asked_at is not None]
        return max(asked) if asked else None


@dataclass(frozen=True, slots=True)
class ChatSummary:
    """A chat in a list, with the announcement line of its start."""

    id: int
    title: str
    starts_at: datetime
    duration_minutes: int
    state: str
    announcement: str

    @property
    def state_label(self) -> str:
        """The state in words."""
        return STATE_LABELS.get(self.state, self.state)


@dataclass(frozen=True, slots=True)
class PostNode:
    """A post with the replies nested under it."""

    post: PostView
    replies: tuple[PostNode, ...] = ()


@dataclass(frozen=True, slots=True)
class PostGroup:
    """The posts of one question (`number` None: conversation), as threads."""

    key: str
    number: int | None
    text: str
    nodes: tuple[PostNode, ...]
