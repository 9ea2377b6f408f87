"""The JSON shapes of the API (pydantic models, so /openapi.json documents them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from hashchat.store.models import MAX_ROW_ID

# Ids in paths and queries: a number beyond the ids the database can hold names nothing.
ChatId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="the chat's id")]
PostId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="the post's id")]
QuestionNumber = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="1 for Q1")]
ScheduleId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="the schedule's id")]


class Error(BaseModel):
    """Every refusal: a sentence naming the problem."""

    detail: str


REFUSAL_MEANINGS = {
    400: "the body is not JSON (or not UTF-8)",
    401: "no valid credentials",
    403: "not allowed (role, block, closed chat or CSRF token)",
    404: "no such series, chat, post or person",
    409: "clashes with the current state",
    413: "the body is over the limit (HASHCHAT_MAX_BODY); it was not read",
    422: "invalid input; `detail` names the problem",
    429: "too many attempts; see Retry-After",
    503: "the database is unavailable; try again after Retry-After seconds",
}


def refusals(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for refusals with these codes, plus 422 and 503 that any operation
    can give (bad parameters; the database away), and 413 wherever a body can be refused (400:
    web.body_limit refuses one over the limit). Every one has the Error body."""
    too_large = {413} if 400 in codes else set()
    return {
        code: {"model": Error, "description": REFUSAL_MEANINGS[code]}
        for code in sorted({*codes, *too_large, 422, 503})
    }


# For changes: anything from a bad body to the wrong role or state.
CHANGE_REFUSALS = refusals(400, 401, 403, 404, 409)
# For reading one thing by its id or tag.
READ_REFUSALS = refusals(404)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class UserOut(_Out):
    """A person as others see her."""

    name: str
    display_name: str
    timezone: str


class SeriesIn(BaseModel):
    """A new series; the caller becomes its owner."""

    tag: str = Field(
        description="the hashtag without '#', e.g. KaizenBiz; kept in NFKC, unique case-blind, "
        "and 409 when it looks like an existing tag (Unicode TR39 confusables)",
        max_length=100,
    )
    title: str = Field(max_length=200, description="one line, no control characters")
    timezone: str = Field(
        description="IANA zone of the series, e.g. Europe/London; an alias such as US/Eastern is "
        "stored by its canonical name"
    )
    char_rule: str = Field("x", description="counting rule: x, mastodon, bluesky or plain")
    char_limit: int = Field(280, description="the most characters a post may have by that rule")
    description: str = Field("", max_length=10_000)
    guide: str = Field(
        "",
        max_length=10_000,
        description="the participation guide in the host's words (empty: the standard guide)",
    )
    announcement_zones: list[str] = Field(
        [],
        max_length=6,
        description="IANA zones of the announcement line, in order (empty: the series' zone, "
        "Europe/London, America/New_York, America/Los_Angeles)",
    )


class SeriesOut(_Out):
    """A series and its rules."""

    tag: str
    title: str
    timezone: str
    char_rule: str
    char_limit: int
    description: str
    guide: str = ""
    announcement_zones: list[str] = []


class MemberIn(BaseModel):
    """Give a person a role in a series."""

    user: str = Field(description="the person's handle")
    role: str = Field(description="owner, cohost, moderator or participant")


class MemberOut(_Out):
    """A person's role in a series."""

    name: str
    display_name: str
    role: str


class CadenceIn(BaseModel):
    """Minutes after the start at which the plan posts each item (defaults: the usual hour)."""

    model_config = ConfigDict(extra="forbid")

    welcome_minute: int = 0
    howto_minute: int = 5
    first_question_minute: int = 6
    question_interval_minutes: int = Field(
        9, description="one question every N minutes; a slow chat: 1440 (one a day)"
    )
    last_question_lead_minutes: int = 1
    closing_minute: int | None = Field(
        None, description="the host's closing post, after the last question; null: none"
    )


class ChatIn(BaseModel):
    """A new chat of a series."""

    title: str = Field(max_length=200)
    starts_at: datetime = Field(
        description="with a UTC offset, e.g. 2026-01-09T17:00:00Z; between 1970-01-01 and "
        "2200-01-01 UTC"
    )
    duration_minutes: int = 60
    questions: list[str] = Field(description="question texts; Q1 is the first")
    cadence: CadenceIn | None = None


class QuestionOut(_Out):
    """A question; `asked_at` is null until it is posted."""

    chat_id: int
    number: int
    text: str
    asked_at: datetime | None


class QuestionEdit(BaseModel):
    """New text for a question not yet posted."""

    text: str = Field(max_length=2000)


class ChatOut(_Out):
    """A chat, its state and questions; `last_event_id` is where a fresh stream resumes."""

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
    questions: list[QuestionOut]
    current_question: int | None
    topic: str = Field("", description="the host's framing of the chat (plain text)")
    last_event_id: int = 0


class SeriesDetailOut(SeriesOut):
    """A series with its members and chats (newest first)."""

    members: list[MemberOut]
    chats: list[ChatOut]


class EndIn(BaseModel):
    """Optionally, when late answers close by themselves."""

    comments_close_at: datetime | None = None


class PostIn(BaseModel):
    """A new post. `auto` adds the current answer tag and the hashtag when missing."""

    text: str = Field(max_length=20_000)
    reply_to: int | None = Field(None, ge=1, le=MAX_ROW_ID, description="the parent post's id")
    auto: bool = False
    question: int | None = Field(
        None,
        ge=1,
        le=99,
        description="an asked question this post answers: `A{n} ` is put in front when the text "
        "has no answer tag (the room's picker after the live hour); 422 for a question not asked",
    )
    cross_post: list[Literal["mastodon", "bluesky"]] = Field(
        default_factory=list,
        max_length=2,
        description="also post it through YOUR connected accounts (`/me/networks`) on these "
        "networks, with the series hashtag, threaded under the chat's opening post there; 422 "
        "for a network you have not connected (a series' accounts are never used)",
    )


class SegmentOut(_Out):
    """One answered part of a post (its words are in the post's text)."""

    question: int | None
    part: str | None
    inferred: bool
    late: bool


class PostOut(_Out):
    """A stored post: also the data of a `post` event."""

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
    segments: list[SegmentOut]


class SpotlightIn(BaseModel):
    """Spotlight on (default) or off."""

    spotlight: bool = True


class BlockIn(BaseModel):
    """Block a person from a series."""

    user: str


class BlockOut(BaseModel):
    """Who is now blocked where."""

    user: str
    series: str


class SeriesEdit(BaseModel):
    """Changes to a series' settings; a field left out stays as it is. The tag never changes."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    timezone: str | None = Field(None, max_length=64, description="IANA zone")
    char_rule: str | None = Field(None, description="x, mastodon, bluesky or plain")
    char_limit: int | None = None
    guide: str | None = Field(None, max_length=10_000)
    announcement_zones: list[str] | None = Field(None, max_length=6)


class PeopleOut(BaseModel):
    """Who has a role in a series (owners first) and who is blocked from it."""

    members: list[MemberOut]
    blocked: list[str]


class ScheduleIn(BaseModel):
    """A recurring schedule: every `every_weeks` weeks on the weekday of `first_start`, at its
    wall time in `timezone`, whatever the UTC offset is that week."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=200, description="the title of each chat it makes")
    first_start: datetime = Field(
        description="the first chat, as local wall time in `timezone`, e.g. 2026-12-11T17:00 "
        "(an offset, if given, is converted to that zone's wall time); on a whole minute"
    )
    timezone: str | None = Field(
        None, max_length=64, description="IANA zone of the wall time (default: the series')"
    )
    duration_minutes: int = Field(60, description="1 to 10080 (a week)")
    every_weeks: int = Field(1, description="1 for weekly, 2 for every other week; up to 520")
    until: date | None = Field(
        None, description="the last local date a chat may fall on (inclusive); null: no end"
    )


class ScheduleOut(_Out):
    """A recurring schedule; `summary` says it in words."""

    id: int
    series_tag: str
    title: str
    timezone: str
    wall_start: datetime
    duration_minutes: int
    every_weeks: int
    until: date | None
    stopped: bool
    summary: str


class ScheduledOut(BaseModel):
    """A new schedule and the chats it made at once (its next dates)."""

    schedule: ScheduleOut
    chats: list[ChatOut]


class MoveIn(BaseModel):
    """The new start of a chat that has not started."""

    starts_at: datetime = Field(
        description="with a UTC offset, in the future, on a whole minute, before 2200-01-01"
    )


class ChatEdit(BaseModel):
    """What changes in a chat before it starts; what is left out stays."""

    model_config = ConfigDict(extra="forbid")

    topic: str | None = Field(None, max_length=20_000, description="empty clears it")
    cadence: CadenceIn | None = None
    duration_minutes: int | None = Field(
        None, ge=1, le=7 * 24 * 60, description="how long it is live; a slow chat: days"
    )


class QuestionIn(BaseModel):
    """A new question; `position` 1 puts it first (default: last)."""

    text: str = Field(max_length=2000)
    position: int | None = Field(None, ge=1, le=51)


class QuestionOrder(BaseModel):
    """The questions' current numbers in their new order, each once."""

    order: list[int] = Field(max_length=50)


class CommentsCloseIn(BaseModel):
    """When late answers close by themselves."""

    comments_close_at: datetime = Field(description="with a UTC offset, in the future")


class PlanItemOut(_Out):
    """One step of a chat's plan: `preview` before it starts, then `pending`, `done` (at
    `done_at`) or `skipped` (the live hour ended first)."""

    kind: str = Field(description="welcome, howto, question, closing or close")
    question: int | None
    due_at: datetime
    state: str
    done_at: datetime | None
