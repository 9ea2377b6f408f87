"""The tables of hashchat. Portable to SQLite and PostgreSQL: named constraints, aware datetimes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Ids are INTEGER columns: 32-bit on PostgreSQL. A larger number cannot name a row.
MAX_ROW_ID = 2**31 - 1


class UTCDateTime(sa.TypeDecorator[datetime]):
    """An aware UTC datetime everywhere; SQLite stores it naive, so it is re-labelled on load."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with the naming convention every migration relies on."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


def _fk(target: str) -> sa.ForeignKey:
    return sa.ForeignKey(target, ondelete="CASCADE")


class User(Base):
    """A person with an account; `name` is the lowercase handle used in URLs and the API."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class ApiToken(Base):
    """A bearer token for scripts; only the SHA-256 of the token is kept."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(_fk("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]


class WebSession(Base):
    """A logged-in browser; only the SHA-256 of the cookie value is kept."""

    __tablename__ = "sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(_fk("users.id"), index=True)
    session_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class SeriesRow(Base):
    """A recurring chat on one hashtag; `tag_key` is the case-folded tag for look-ups and
    `tag_skeleton` its look-alike key (both unique: see `domain.text.tags`). A skeleton is null
    only for a series that already shared one with an older series when it was introduced."""

    __tablename__ = "series"
    id: Mapped[int] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(sa.String(100))
    tag_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    tag_skeleton: Mapped[str | None] = mapped_column(sa.String(400), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    char_rule: Mapped[str] = mapped_column(sa.String(20))
    char_limit: Mapped[int]
    description: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    # The host's participation guide (shown on the series page and in calendar entries; empty:
    # the standard guide) and the zones of the announcement line, comma-separated (empty: the
    # series' zone and the usual ones). Migration 0007.
    guide: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    announcement_zones: Mapped[str] = mapped_column(sa.String(400), default="", server_default="")


class Membership(Base):
    """A person's role in one series: owner, cohost, moderator or participant."""

    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("series_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(_fk("series.id"))
    user_id: Mapped[int] = mapped_column(_fk("users.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20))


class Block(Base):
    """A person blocked from posting in a series."""

    __tablename__ = "blocks"
    __table_args__ = (sa.UniqueConstraint("series_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(_fk("series.id"))
    user_id: Mapped[int] = mapped_column(_fk("users.id"), index=True)
    blocked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]


class ChatRow(Base):
    """One chat of a series and where it is in its life (see domain.chat.ChatState)."""

    __tablename__ = "chats"
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(_fk("series.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int]
    cadence: Mapped[str | None] = mapped_column(sa.String(200))
    state: Mapped[str] = mapped_column(sa.String(20))
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    comments_close_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    # The host's framing of the chat (issue 9, migration 0010); editable until it starts.
    topic: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # The host showed the questions before the start (the upcoming room lists them).
    questions_public: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class QuestionRow(Base):
    """A numbered question of a chat; `asked_at` is set once, when it is posted."""

    __tablename__ = "questions"
    __table_args__ = (sa.UniqueConstraint("chat_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(_fk("chats.id"))
    number: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    asked_at: Mapped[datetime | None]


class PostRow(Base):
    """A post, local or from another network, with its attribution to a question."""

    __tablename__ = "posts"
    __table_args__ = (
        # A foreign post's identity (issue 10, migration 0008): ids are unique per site only.
        sa.UniqueConstraint("network", "source", "external_id"),
        # Covering indexes of the series insights' passes (issue 13, migration 0016): posts by
        # minute, and posts by author driving the join to their segments.
        sa.Index("ix_posts_chat_id_created_at", "chat_id", "created_at", "hidden", "is_repost"),
        sa.Index(
            "ix_posts_chat_author",
            "chat_id",
            "author_id",
            "network",
            "author_handle",
            "hidden",
            "is_repost",
            "is_host",
            "reply_to_post_id",
            # its segments' counts (migration 0020): the by-author pass reads no segment
            "answer_segments",
            "late_answer_segments",
            "reply_segments",
            "question_segments",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(_fk("chats.id"))
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    author_handle: Mapped[str] = mapped_column(sa.String(200))
    display_name: Mapped[str] = mapped_column(sa.String(200))
    network: Mapped[str] = mapped_column(sa.String(20))
    external_id: Mapped[str | None] = mapped_column(sa.String(200))
    external_url: Mapped[str | None] = mapped_column(sa.String(500))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    reply_to_post_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="SET NULL")
    )
    question: Mapped[int | None]
    part: Mapped[str | None] = mapped_column(sa.String(10))
    inferred: Mapped[bool] = mapped_column(default=False)
    late: Mapped[bool] = mapped_column(default=False)
    segments: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    is_host: Mapped[bool] = mapped_column(default=False)
    hidden: Mapped[bool] = mapped_column(default=False)
    spotlight: Mapped[bool] = mapped_column(default=False)
    # Issue 13 (migration 0020): how many of the post's segments are answers (and late ones),
    # replies and questions, written with the attribution columns above from the same segments
    # (`actions.segments`, the ingest door), so that the series insights count them per author
    # without joining `post_segments`. True for every visible post (a hidden one keeps what it
    # last had, as its other attribution columns do; nothing counts it).
    answer_segments: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    late_answer_segments: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    reply_segments: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    question_segments: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    # Issue 10, the ingest door (migration 0008): the site or instance that issued
    # `external_id` ('' for posts typed here), a repost kept as such, the parent's external id
    # while the parent has not arrived (a reply whose parent comes later is linked then), and
    # when the source last edited the post.
    source: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    is_repost: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    reply_to_external_id: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    edited_at: Mapped[datetime | None]


class SegmentRow(Base):
    """One segment of a visible post: which question it answers and where the recap puts it.

    Computed by the one recap pipeline (`domain.recap.transcript_of_posts`, the same code as
    `hashchat recap FILE`) and kept current by `actions.segments` whenever what it depends on
    changes; hidden posts have none. Aggregations may read it with SQL (answers per question:
    `kind = 'answer'`).
    """

    __tablename__ = "post_segments"
    __table_args__ = (
        sa.UniqueConstraint("post_id", "position"),
        sa.Index("ix_post_segments_chat_id_question", "chat_id", "question", "kind", "late"),
        sa.Index("ix_post_segments_post_kind", "post_id", "position", "kind", "late"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(_fk("chats.id"))
    post_id: Mapped[int] = mapped_column(_fk("posts.id"))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(20))
    question: Mapped[int | None]
    part: Mapped[str | None] = mapped_column(sa.String(10))
    text: Mapped[str] = mapped_column(sa.Text)
    inferred: Mapped[bool] = mapped_column(default=False)
    late: Mapped[bool] = mapped_column(default=False)


class EventRow(Base):
    """One numbered change of a chat, written in the same transaction as the change.

    `data` is the event's JSON, encoded once; the id orders the stream and is the SSE `id:`.
    """

    __tablename__ = "events"
    __table_args__ = (sa.Index("ix_events_chat_id_id", "chat_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(_fk("chats.id"))
    type: Mapped[str] = mapped_column(sa.String(20))
    data: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]


class CadenceItem(Base):
    """One planned step of a running chat (welcome, how-to, a question, the end).

    A database state machine: `state` goes pending -> done exactly once, guarded by an
    UPDATE ... WHERE state = 'pending', so a restart resumes and nothing is posted twice.
    """

    __tablename__ = "cadence_items"
    __table_args__ = (
        sa.UniqueConstraint("chat_id", "position"),
        sa.UniqueConstraint("chat_id", "question_number"),
        sa.Index("ix_cadence_items_state_due_at", "state", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(_fk("chats.id"))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(20))
    question_number: Mapped[int | None]
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(sa.String(10))
    done_at: Mapped[datetime | None]


class IdempotencyKey(Base):
    """The answer to a request sent with an `Idempotency-Key`, kept so a retry gets it again.

    Written in the same transaction as what the request made; `request_hash` tells a retry
    from a different request that reuses the key. Rows older than a day are forgotten.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(_fk("users.id"))
    key: Mapped[str] = mapped_column(sa.String(200))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[int]
    response: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]


class DatabaseIdentity(Base):
    """One row: a random id made when the database was created (migration 0003).

    State kept outside the database about its rows (the nchan publisher's map in Redis) is
    labelled with it, so that state written for another database (a reset, a second deployment
    or a test database on the same Redis) is never taken for this one's.
    """

    __tablename__ = "database_identity"
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    created_at: Mapped[datetime]


class ChatScheduleRow(Base):
    """A recurring schedule of a series ("every Friday 17:00 Europe/London, every 2 weeks, until
    …"): `wall_start` is the first start as local wall time in `timezone` (ISO, minutes), the
    rule is `domain.schedule.Recurrence`. Its chats are created ahead (`actions.schedule`)."""

    __tablename__ = "chat_schedules"
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(_fk("series.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    wall_start: Mapped[str] = mapped_column(sa.String(16))
    duration_minutes: Mapped[int]
    freq: Mapped[str] = mapped_column(sa.String(10))
    interval: Mapped[int]
    nth: Mapped[int | None]
    until: Mapped[date | None] = mapped_column(sa.Date)
    stopped_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]


class ScheduleOccurrence(Base):
    """One date a schedule made: the chat created for it (null once skipped), or a skip, so the
    schedule never makes that date again. A moved chat keeps its `occurrence_start`."""

    __tablename__ = "schedule_occurrences"
    __table_args__ = (sa.UniqueConstraint("schedule_id", "occurrence_start"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(_fk("chat_schedules.id"))
    occurrence_start: Mapped[datetime]
    chat_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("chats.id", ondelete="SET NULL"), unique=True
    )
    skipped_at: Mapped[datetime | None]


class LinkedHandle(Base):
    """A handle on another network verified as a local user's (`hashchat import --as`, or a
    connected account): her imported posts are hers, a host's count as a host's (issue 10)."""

    __tablename__ = "linked_handles"
    __table_args__ = (sa.UniqueConstraint("network", "handle"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    network: Mapped[str] = mapped_column(sa.String(20))
    handle: Mapped[str] = mapped_column(sa.String(200))
    user_id: Mapped[int] = mapped_column(_fk("users.id"), index=True)
    created_at: Mapped[datetime]


class OutboxRow(Base):
    """One of our own events, in the one order a consumer follows across all chats (issue 10).

    Written in the transaction of the change, after its chat event; on PostgreSQL under one
    transaction lock so ids commit in order and a cursor never skips a row. Posts that came in
    through the ingest door never get one: bridges must not post history back out.
    """

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int | None] = mapped_column(_fk("chats.id"), index=True)
    event_id: Mapped[int | None]
    type: Mapped[str] = mapped_column(sa.String(20))
    data: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]


class OutboxConsumer(Base):
    """A follower of the outbox (a bridge, an exporter, a webhook) and how far it has read."""

    __tablename__ = "outbox_consumers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    cursor: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]


class DeliveryRow(Base):
    """One outbox event to hand one consumer: pending until done, retried with back-off, claimed
    by one worker at a time until `claimed_until` (a killed worker's claim expires)."""

    __tablename__ = "outbox_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("consumer_id", "outbox_id"),
        sa.Index("ix_outbox_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    consumer_id: Mapped[int] = mapped_column(_fk("outbox_consumers.id"))
    outbox_id: Mapped[int] = mapped_column(_fk("outbox.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(10))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(sa.String(100))
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    done_at: Mapped[datetime | None]


class SeriesInsightSettings(Base):
    """A series' thresholds for its insights (issue 13, migration 0009): returning means coming to
    `return_k` of the last `return_n` chats; `trend_run` chats in a row make a trend; a chat with
    fewer participants than `tumbleweed_participants`, or a network with fewer people than
    `tumbleweed_network_people`, raises the tumbleweed alert. No row: the defaults."""

    __tablename__ = "series_insight_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(_fk("series.id"), unique=True)
    return_k: Mapped[int]
    return_n: Mapped[int]
    trend_run: Mapped[int]
    tumbleweed_participants: Mapped[int]
    tumbleweed_network_people: Mapped[int]
    updated_at: Mapped[datetime]


class ChatInsightsRow(Base):
    """One closed chat's insight figures as JSON (issue 13): a cache, valid while the chat's last
    event id and the figures' `version` are the ones it was computed at."""

    __tablename__ = "chat_insights"
    chat_id: Mapped[int] = mapped_column(_fk("chats.id"), primary_key=True)
    version: Mapped[int]
    last_event_id: Mapped[int]
    data: Mapped[str] = mapped_column(sa.Text)
    computed_at: Mapped[datetime]


class BridgeRow(Base):
    """A network account connected to a series (issue 11): its encrypted credentials, what it
    watches, where it has read to (`cursor`: a firehose sequence, a status id), and its health.
    One worker claims it at a time until `claimed_until` (a killed worker's claim expires)."""

    __tablename__ = "bridges"
    __table_args__ = (sa.UniqueConstraint("series_id", "network", "account"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(_fk("series.id"), index=True)
    network: Mapped[str] = mapped_column(sa.String(20))
    account: Mapped[str] = mapped_column(sa.String(300))
    settings: Mapped[str] = mapped_column(sa.Text)  # JSON: instance, service, firehose (no secret)
    secret: Mapped[str] = mapped_column(sa.Text)  # Fernet token of the credentials' JSON
    status: Mapped[str] = mapped_column(sa.String(20))
    connected: Mapped[bool] = mapped_column(default=False)
    cursor: Mapped[str | None] = mapped_column(sa.String(100))
    last_event_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    lag_seconds: Mapped[float | None] = mapped_column(sa.Float)  # newest post: filed - written
    rate_limit_remaining: Mapped[int | None]  # requests left, as the network's headers last said
    failures: Mapped[int] = mapped_column(default=0)
    backoff_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(sa.String(100))
    claimed_until: Mapped[datetime | None]
    created_at: Mapped[datetime]


class BridgePostRow(Base):
    """One of our posts on a network (a chat's opening, how-to, question or closing post): where
    it is, so questions thread under the opening and replies to it find their question."""

    __tablename__ = "bridge_posts"
    __table_args__ = (sa.UniqueConstraint("bridge_id", "chat_id", "kind", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    bridge_id: Mapped[int] = mapped_column(_fk("bridges.id"), index=True)
    chat_id: Mapped[int] = mapped_column(_fk("chats.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    number: Mapped[int] = mapped_column(default=0)
    external_id: Mapped[str] = mapped_column(sa.String(200))
    url: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime]


class PersonNetworkRow(Base):
    """A person's own account on a network (issue 11, migration 0018), through which she may
    cross-post her answers: one per network, credentials sealed as a bridge's are."""

    __tablename__ = "person_networks"
    __table_args__ = (sa.UniqueConstraint("user_id", "network"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(_fk("users.id"), index=True)
    network: Mapped[str] = mapped_column(sa.String(20))
    account: Mapped[str] = mapped_column(sa.String(300))
    settings: Mapped[str] = mapped_column(sa.Text)  # JSON: instance, service, handle (no secret)
    secret: Mapped[str] = mapped_column(sa.Text)  # Fernet token of the credentials' JSON
    created_at: Mapped[datetime]


class CrossPostRow(Base):
    """A post its author asked to cross-post to one of her networks (written with the post):
    `pending` until posted, then `done` with the network's identity of the copy (`source`,
    `external_id`, `url`), so a bridge reading the tag knows that copy as this post."""

    __tablename__ = "cross_posts"
    __table_args__ = (
        sa.UniqueConstraint("post_id", "network"),
        sa.Index("ix_cross_posts_identity", "network", "source", "external_id"),
        sa.Index("ix_cross_posts_url", "network", "url"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(_fk("posts.id"), index=True)
    person_network_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person_networks.id", ondelete="SET NULL")
    )
    network: Mapped[str] = mapped_column(sa.String(20))
    state: Mapped[str] = mapped_column(sa.String(20))
    source: Mapped[str | None] = mapped_column(sa.String(300))
    external_id: Mapped[str | None] = mapped_column(sa.String(200))
    url: Mapped[str | None] = mapped_column(sa.String(500))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    posted_at: Mapped[datetime | None]


class NetworkBlock(Base):
    """A handle on another network that hosts blocked from a series: its posts never enter."""

    __tablename__ = "network_blocks"
    __table_args__ = (sa.UniqueConstraint("series_id", "network", "handle"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(_fk("series.id"), index=True)
    network: Mapped[str] = mapped_column(sa.String(20))
    handle: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime]


class RecapSummaryRow(Base):
    """A chat's recap figures in one sentence, as the Atom feed shows them, computed once.

    `event_id` is the chat's newest event when it was computed: anything that can change the
    recap (a post, a hide or unhide, a question, the state) writes an event, so a row whose
    `event_id` is not the chat's newest is stale and computed again.
    """

    __tablename__ = "recap_summaries"
    chat_id: Mapped[int] = mapped_column(_fk("chats.id"), primary_key=True)
    event_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(sa.Text)
    computed_at: Mapped[datetime]


class BlogRow(Base):
    """A series' connected WordPress blog (issue 12, one per series): the address the host
    gave, the site's home URL (`source`: the identity of its comments, as a WXR export names
    it), the WordPress user and her Application Password (sealed), how the recap goes out
    (`post` or `append`), and how pulling its comments goes."""

    __tablename__ = "blogs"
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(_fk("series.id"), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    url: Mapped[str] = mapped_column(sa.String(500))
    source: Mapped[str] = mapped_column(sa.String(300))
    wp_user: Mapped[str] = mapped_column(sa.String(200))
    wp_user_id: Mapped[int]
    wp_name: Mapped[str] = mapped_column(sa.String(200))
    secret: Mapped[str] = mapped_column(sa.Text)
    recap: Mapped[str] = mapped_column(sa.String(10))
    status: Mapped[str] = mapped_column(sa.String(20))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    failures: Mapped[int] = mapped_column(default=0)
    backoff_until: Mapped[datetime | None]
    last_pulled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class BlogPostRow(Base):
    """One of our posts on a blog: a chat's announcement, its recap, or a host's reply posted
    back as a comment (`number`: our post's id). `wp_id` is None while it is being published;
    the digests say what was last published and which comments were last filed."""

    __tablename__ = "blog_posts"
    __table_args__ = (sa.UniqueConstraint("blog_id", "chat_id", "kind", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    blog_id: Mapped[int] = mapped_column(_fk("blogs.id"))
    chat_id: Mapped[int] = mapped_column(_fk("chats.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    number: Mapped[int] = mapped_column(default=0)
    wp_id: Mapped[int | None]
    url: Mapped[str | None] = mapped_column(sa.String(500))
    reveal_questions: Mapped[bool] = mapped_column(default=False)
    content_digest: Mapped[str | None] = mapped_column(sa.String(64))
    comments_digest: Mapped[str | None] = mapped_column(sa.String(64))
    comments_closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
