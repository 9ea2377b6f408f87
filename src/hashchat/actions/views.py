"""What actions return: frozen values read from rows, and their JSON (API and event data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hashchat.domain.events import json_value
from hashchat.store.models import ChatRow, PostRow, QuestionRow, SeriesRow, User


@dataclass(frozen=True, slots=True)
class UserView:
    """A person as others may see her (never the password hash)."""

    id: int
    name: str
    display_name: str
    timezone: str
    is_admin: bool


@dataclass(frozen=True, slots=True)
class SeriesView:
    """A series and its rules."""

    id: int
    tag: str
    title: str
    timezone: str
    char_rule: str
    char_limit: int
    description: str
    guide: str = ""  # the host's participation guide; empty: the standard one
    announcement_zones: tuple[str, ...] = ()  # empty: the series' zone and the usual ones


@dataclass(frozen=True, slots=True)
class QuestionView:
    """A question of a chat; `asked_at` is None until it is posted."""

    chat_id: int
    number: int
    text: str
    asked_at: datetime | None


# A chat's state in words, as every page says it.
STATE_LABELS = {
    "scheduled": "scheduled",
    "live": "live now",
    "late_answers": "late answers open",
    "closed": "closed",
}


@dataclass(frozen=True, slots=True)
class ChatView:
    """A chat, its state, its questions and where its plan stands."""

    id: int
    series_tag: str
    title: str
    starts_at: datetime
    duration_minutes: int
    cadence: str | None
    state: str
    started_at: datetime | None
    ended_at: datetime | None
    closed_at: datetime | None
    comments_close_at: datetime | None
    questions: tuple[QuestionView, ...]
    current_question: int | None
    topic: str = ""  # the host's framing (issue 9); editable until the chat starts

    @property
    def state_label(self) -> str:
        """The state in words."""
        return STATE_LABELS.get(self.state, self.state)


@dataclass(frozen=True, slots=True)
class SegmentView:
    """One answered part of a post (a post may answer several questions).

    Its words stay in the database only: the post's `text` carries them, and sending them
    twice would double every event of the live stream for nothing.
    """

    question: int | None
    part: str | None
    inferred: bool
    late: bool


@dataclass(frozen=True, slots=True)
class PostView:
    """A stored post; its JSON is both the API response and the `post` event's data."""

    id: int
    chat_id: int
    author: str
    display_name: str
    text: str
    created_at: datetime
    network: str
    external_id: str | None
    external_url: str | None
    reply_to: int | None
    question: int | None
    part: str | None
    inferred: bool
    late: bool
    hidden: bool
    spotlight: bool
    is_host: bool
    segments: tuple[SegmentView, ...]


def user_view(row: User) -> UserView:
    """The public view of a user row."""
    return UserView(row.id, row.name, row.display_name, row.timezone, row.is_admin)


def series_view(row: SeriesRow) -> SeriesView:
    """The view of a series row."""
    return SeriesView(
        row.id,
        row.tag,
        row.title,
        row.timezone,
        row.char_rule,
        row.char_limit,
        row.description,
        row.guide or "",
        tuple(zone for zone in (row.announcement_zones or "").split(",") if zone),
    )


def question_view(row: QuestionRow) -> QuestionView:
    """The view of a question row."""
    return QuestionView(row.chat_id, row.number, row.text, row.asked_at)


def chat_view(row: ChatRow, series_tag: str, questions: list[QuestionRow]) -> ChatView:
    """The view of a chat row with its questions in order."""
    ordered = sorted(questions, key=lambda q: q.number)
    asked = [q.number for q in ordered if q.asked_at is not None]
    return ChatView(
        id=row.id,
        series_tag=series_tag,
        title=row.title,
        starts_at=row.starts_at,
        duration_minutes=row.duration_minutes,
        cadence=row.cadence,
        state=row.state,
        started_at=row.started_at,
        ended_at=row.ended_at,
        closed_at=row.closed_at,
        comments_close_at=row.comments_close_at,
        questions=tuple(question_view(q) for q in ordered),
        current_question=max(asked) if asked else None,
        topic=row.topic or "",
    )


def post_view(row: PostRow) -> PostView:
    """The view of a post row."""
    return PostView(
        id=row.id,
        chat_id=row.chat_id,
        author=row.author_handle,
        display_name=row.display_name,
        text=row.text,
        created_at=row.created_at,
        network=row.network,
        external_id=row.external_id,
        external_url=row.external_url,
        reply_to=row.reply_to_post_id,
        question=row.question,
        part=row.part,
        inferred=row.inferred,
        late=row.late,
        hidden=row.hidden,
        spotlight=row.spotlight,
        is_host=row.is_host,
        segments=tuple(
            SegmentView(s["question"], s["part"], s["inferred"], s["late"]) for s in row.segments
        ),
    )


def to_json(value: Any) -> Any:
    """A view as JSON-ready data: `domain.events.json_value`, the one serialisation of the API
    and the event stream (datetimes ISO 8601 UTC with `Z`, tuples lists)."""
    return json_value(value)
