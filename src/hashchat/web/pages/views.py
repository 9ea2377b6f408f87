"""Page-only shapes: a chat in a list with its announcement line, and posts nested as the room
shows them. Everything else a page shows is a view of `hashchat.actions.views`, read through
`hashchat.actions` (the one read path, issue 9)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hashchat.actions.views import STATE_LABELS, UserView

# Re-exported for the page modules: a series, a post and the logged-in reader are the values
# the actions layer already has, not copies of them.
from hashchat.actions.views import PostView as PostView
from hashchat.actions.views import SeriesView as SeriesView
from hashchat.domain.announce import RULE_DESCRIPTIONS as RULE_DESCRIPTIONS
from hashchat.domain.announce import rule_description as rule_description

Viewer = UserView


@dataclass(frozen=True, slots=True)
class ChatSummary:
    """A chat in a list, with the announcement line of its start."""

    id: int
    title: str
    starts_at: datetime
    duration_minutes: int
    state: str
    announcement: str
    topic: str = ""  # the host's framing, shown before the chat (issue 9)

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
