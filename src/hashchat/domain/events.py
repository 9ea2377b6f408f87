"""What a chat's events say: one record type per kind, and the one way they become JSON.

Every event of the live stream (SSE and nchan), of a replay and of the outbox is one of these
records, written by `store.events.add_typed_event` through `event_json`; the API writes the same
views with the same `json_value`, so a post reads the same in a response and in an event (times
are ISO 8601 UTC with `Z`, never `+00:00` in one place and `Z` in another).

A record holds views (frozen dataclasses of `actions.views`) where the event carries one; this
module only needs them to be dataclasses, so it imports nothing of the other layers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, date, datetime
from enum import Enum, StrEnum
from typing import Any, ClassVar, Protocol


class EventType(StrEnum):
    """The kinds of chat events (the SSE `event:` name)."""

    POST = "post"
    QUESTION = "question"
    STATE = "state"
    HIDE = "hide"
    UNHIDE = "unhide"
    SPOTLIGHT = "spotlight"
    RESYNC = "resync"


class View(Protocol):
    """A frozen dataclass view (`actions.views`): what an event may carry whole."""

    __dataclass_fields__: ClassVar[dict[str, Any]]


def utc_text(moment: datetime) -> str:
    """The one way a time is written: ISO 8601 in UTC with `Z`."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def json_value(value: Any) -> Any:
    """A view, record or value as JSON-ready data: dataclasses become objects (a record's
    `type` is not a field), datetimes `utc_text`, dates ISO, enums their value, tuples lists."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: json_value(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {key: json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def json_text(value: Any) -> str:
    """`json_value` encoded compactly, UTF-8 friendly (the stored event's `data`)."""
    return json.dumps(json_value(value), ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class PostEvent:
    """A post was written (its data is the post's view, as the API returns it)."""

    type: ClassVar[EventType] = EventType.POST
    post: View


@dataclass(frozen=True, slots=True)
class HiddenPostEvent:
    """What a hidden post's `post` event is rewritten to: no text, author or attribution."""

    type: ClassVar[EventType] = EventType.POST
    id: int
    chat_id: int
    hidden: bool = True


@dataclass(frozen=True, slots=True)
class QuestionEvent:
    """A question was asked or edited (its data is the question's view)."""

    type: ClassVar[EventType] = EventType.QUESTION
    question: View


@dataclass(frozen=True, slots=True)
class HideEvent:
    """A moderator hid a post."""

    type: ClassVar[EventType] = EventType.HIDE
    post_id: int
    chat_id: int


@dataclass(frozen=True, slots=True)
class UnhideEvent:
    """A hide was undone; the restored post comes along."""

    type: ClassVar[EventType] = EventType.UNHIDE
    post_id: int
    chat_id: int
    post: View


@dataclass(frozen=True, slots=True)
class SpotlightEvent:
    """A post was put in (or taken out of) the spotlight."""

    type: ClassVar[EventType] = EventType.SPOTLIGHT
    post_id: int
    chat_id: int
    spotlight: bool


@dataclass(frozen=True, slots=True)
class StateEvent:
    """The chat moved in its life (or its times moved): where it now is. `starts_at` is said
    only when the start itself moved (a rescheduled chat)."""

    type: ClassVar[EventType] = EventType.STATE
    chat_id: int
    state: str
    started_at: datetime | None
    ended_at: datetime | None
    closed_at: datetime | None
    comments_close_at: datetime | None
    starts_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ResyncEvent:
    """Viewers should reload the chat: many posts changed at once (`reason` "ingest": posts
    came in through the ingest door from `source`, without one event each), or its plan."""

    type: ClassVar[EventType] = EventType.RESYNC
    chat_id: int
    reason: str
    source: str = ""
    added: int = 0
    updated: int = 0


ChatEvent = (
    PostEvent
    | HiddenPostEvent
    | QuestionEvent
    | HideEvent
    | UnhideEvent
    | SpotlightEvent
    | StateEvent
    | ResyncEvent
)
# Records whose data is the view they carry, not an object around it.
_WRAPPING = {PostEvent: "post", QuestionEvent: "question"}


def event_data(event: ChatEvent) -> Any:
    """The JSON-ready data of an event: a post or question event is its view itself (what the
    room and the API already read); the others are their fields."""
    wrapped = _WRAPPING.get(type(event))
    if wrapped is not None:
        return json_value(getattr(event, wrapped))
    data = json_value(event)
    if isinstance(event, StateEvent) and event.starts_at is None:
        del data["starts_at"]
    return data


def event_json(event: ChatEvent) -> str:
    """The event's data as stored and streamed: `event_data`, encoded once."""
    return json.dumps(event_data(event), ensure_ascii=False, separators=(",", ":"))
