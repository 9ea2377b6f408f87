"""Series and chat insights (issue 13): SQL aggregation into `domain.insights` tallies, a cache
per closed chat, the series' thresholds, and who may see names.

Every figure is aggregated by the database (GROUP BY over posts and post_segments, a handful
of queries for all the chats at once), never by a Python loop over posts. A closed chat's
tally is kept in `chat_insights` with the chat's last event id: any later change to the chat
(a hide, an import) writes an event, so the stored tally is then recomputed. Who is who (linked
handles, the series' hosts) is applied after the cache, so a new link or role counts at once.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hashchat.actions.access import load_chat, load_series, require, role_in
from hashchat.actions.context import AppContext
from hashchat.actions.errors import InvalidInputError, NotFoundError
from hashchat.actions.permissions import HOSTS, Mutation, is_allowed
from hashchat.actions.views import UserView
from hashchat.domain.chat import ChatState
from hashchat.domain.insights import (
    AuthorTally,
    ChatFigures,
    ChatTally,
    People,
    QuestionTally,
    SeriesFigures,
    Thresholds,
    minutes_between,
    series_figures,
)
from hashchat.domain.recap.figures import handle_key
from hashchat.store.models import (
    ChatInsightsRow,
    ChatRow,
    DatabaseIdentity,
    EventRow,
    LinkedHandle,
    Membership,
    PostRow,
    QuestionRow,
    SegmentRow,
    SeriesInsightSettings,
    SeriesRow,
    User,
)

# Bump when the tally's content or meaning changes: older cached rows are then recomputed.
TALLY_VERSION = 3
THRESHOLD_BOUNDS = {
    "return_k": (1, 52),
    "return_n": (1, 52),
    "trend_run": (2, 52),
    "tumbleweed_participants": (0, 100_000),
    "tumbleweed_network_people": (0, 100_000),
}


@dataclass(frozen=True, slots=True)
class SeriesInsights:
    """A series' figures and whether the reader may see the names behind them."""

    tag: str
    title: str
    timezone: str
    figures: SeriesFigures
    names: dict[str, str] | None  # person -> name, for the series' hosts only


# --- SQL aggregation ----------------------------------------------------------------------


def _handle_key(column: Any) -> Any:
    return sa.func.lower(sa.func.ltrim(column, "@"))


def _minute_key(dialect: str, at: Any) -> Any:
    """The minute a time falls in, computed by the database cheaply: the stored text's first 16
    characters on SQLite (it keeps `YYYY-MM-DD HH:MM:SS.ffffff`); on PostgreSQL date_bin from
    a whole minute, plain arithmetic where date_trunc would look up the session's time zone."""
    if dialect == "sqlite":
        # literal, not bound: the index on this expression (migration 0017) must match it
        return sa.func.substr(at, sa.literal_column("1"), sa.literal_column("16"))
    return sa.func.date_bin(
        sa.literal_column("interval '1 minute'"),
        at,
        sa.literal_column("timestamptz '2000-01-01 00:00:00+00'"),
    )


def _as_minute(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


_POSTS: sa.Table = PostRow.__table__  # type: ignore[assignment]
_SEGMENTS: sa.Table = SegmentRow.__table__  # type: ignore[assignment]
# On PostgreSQL a cold aggregation of many chats runs in two halves at once, on two connections.
_PASSES = ThreadPoolExecutor(max_workers=2, thread_name_prefix="insights")
_SPLIT_FROM = 8  # chats; fewer are aggregated in one go


def _count_if(condition: Any) -> Any:
    return sa.func.count().filter(condition)


def _by_author(conn: sa.Connection, ids: list[int]) -> list[Any]:
    """Per chat and stored author: visible posts that are not reposts, host posts, and their
    answer, late answer, reply and question segments, from the counts each post carries
    (migration 0020): one covering index read in (chat, author) order, no segment read."""
    p = _POSTS.c
    return list(
        conn.execute(
            sa.select(
                p.chat_id,
                p.author_id,
                p.network,
                p.author_handle,
                sa.func.count(),
                _count_if(p.is_host.is_(True)),
                sa.func.sum(p.answer_segments),
                sa.func.sum(p.late_answer_segments),
                sa.func.sum(p.reply_segments),
                sa.func.sum(p.question_segments),
            )
            .where(p.chat_id.in_(ids), p.hidden.is_(False), p.is_repost.is_(False))
            .group_by(p.chat_id, p.author_id, p.network, p.author_handle)
        ).all()
    )


def _by_question(conn: sa.Connection, ids: list[int]) -> list[Any]:
    """Per chat and question: answer segments and late ones (answer segments exist only for
    visible posts that are not reposts: no join needed)."""
    s = _SEGMENTS.c
    return list(
        conn.execute(
            sa.select(s.chat_id, s.question, sa.func.count(), _count_if(s.late.is_(True)))
            .where(s.chat_id.in_(ids), s.question.is_not(None), s.kind == "answer")
            .group_by(s.chat_id, s.question)
        ).all()
    )


def _by_minute(conn: sa.Connection, ids: list[int]) -> list[Any]:
    """Per chat and minute: visible posts that are not reposts, hidden posts, reposts."""
    p = _POSTS.c
    minute = _minute_key(conn.dialect.name, p.created_at)
    visible = p.hidden.is_(False)
    return list(
        conn.execute(
            sa.select(
                p.chat_id,
                minute,
                _count_if(sa.and_(visible, p.is_repost.is_(False))),
                _count_if(p.hidden.is_(True)),
                _count_if(sa.and_(visible, p.is_repost.is_(True))),
            )
            .where(p.chat_id.in_(ids))
            .group_by(p.chat_id, minute)
        ).all()
    )


def _conversations(conn: sa.Connection, ids: list[int]) -> dict[int, int]:
    """Per chat: posts with a visible direct reply by someone else."""
    p = _POSTS.c
    parents = _POSTS.alias("parent")
    parent = parents.c
    someone_else = sa.or_(
        sa.func.coalesce(p.author_id, -1) != sa.func.coalesce(parent.author_id, -1),
        sa.and_(
            p.author_id.is_(None),
            _handle_key(p.author_handle) != _handle_key(parent.author_handle),
        ),
        p.network != parent.network,
    )
    rows = conn.execute(
        sa.select(p.chat_id, sa.func.count(sa.distinct(parent.id)))
        .select_from(_POSTS.join(parents, parent.id == p.reply_to_post_id))
        .where(
            p.chat_id.in_(ids),
            p.reply_to_post_id.is_not(None),
            p.hidden.is_(False),
            p.is_repost.is_(False),
            parent.hidden.is_(False),
            someone_else,
        )
        .group_by(p.chat_id)
    )
    return {int(row[0]): int(row[1]) for row in rows}


def _prepare(conn: sa.Connection) -> None:
    """On PostgreSQL, room for the passes' hash tables in memory and no JIT compilation (it
    costs more than it saves on these); for this transaction only."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
        conn.exec_driver_sql("SET LOCAL jit = off")


def _side_by_side(engine: sa.Engine) -> bool:
    """True on PostgreSQL, whose server works on two connections' queries at once. Not on SQLite:
    two threads of one process, each aggregating half, took as long as one after the other
    (measured: 1.03-1.18 s against 0.85-1.0 s), and an in-memory database is not shared anyway."""
    return engine.dialect.name != "sqlite"


def aggregate_tallies(session: Session, chats: Sequence[ChatRow]) -> dict[int, ChatTally]:
    """The tallies of `chats`, aggregated by the database for all of them at once: posts by
    author with their segments' counts (who wrote what kind), segments by question, posts by
    minute (and reposts, hidden), replies joined to their parents (conversations).

    On PostgreSQL a series' worth is split in two halves (every other chat, so each gets its
    share of big and small ones), the second aggregated on a connection of its own at the same
    time."""
    if not chats:
        return {}
    conn = session.connection()
    if len(chats) < _SPLIT_FROM or not _side_by_side(conn.engine):
        return _aggregate(conn, chats)
    other = _PASSES.submit(_aggregate_apart, conn.engine, chats[1::2])
    tallies = _aggregate(conn, chats[0::2])
    tallies.update(other.result())
    return tallies


def _aggregate_apart(engine: sa.Engine, chats: Sequence[ChatRow]) -> dict[int, ChatTally]:
    with engine.connect() as conn:
        return _aggregate(conn, chats)


def _aggregate(conn: sa.Connection, chats: Sequence[ChatRow]) -> dict[int, ChatTally]:
    """The tallies of `chats` on one connection: the four passes, then their rows as tallies."""
    ids = [chat.id for chat in chats]
    _prepare(conn)
    by_author = _by_author(conn, ids)
    by_question = _by_question(conn, ids)
    by_minute = _by_minute(conn, ids)
    conversations = _conversations(conn, ids)
    asked = {
        (chat_id, number): at
        for chat_id, number, at in conn.execute(
            sa.select(QuestionRow.chat_id, QuestionRow.number, QuestionRow.asked_at).where(
                QuestionRow.chat_id.in_(ids)
            )
        )
    }

    # Per chat, its authors; one person may come in several spellings of her handle (@Tom,
    # tom): such rows are merged.
    authors: dict[int, dict[tuple[int | None, str, str], AuthorTally]] = defaultdict(dict)
    keys: dict[str, str] = {}
    for chat_id, author_id, network, handle, *counts in by_author:
        folded = keys.get(handle)
        if folded is None:
            folded = keys[handle] = handle_key(handle)
        author = AuthorTally(author_id, network, folded, *counts)
        known = authors[chat_id].setdefault(author[:3], author)
        if known is not author:
            authors[chat_id][author[:3]] = AuthorTally(
                *author[:3], *(a + b for a, b in zip(known[3:], author[3:], strict=True))
            )
    answers: dict[tuple[int, int], tuple[int, int]] = {
        (chat_id, number): (count, late) for chat_id, number, count, late in by_question
    }
    starts = {chat.id: chat.started_at or chat.starts_at for chat in chats}
    # SQLite gives the minute as text (UTC), PostgreSQL as an aware time: compare like with like
    naive_starts = {
        chat_id: at.astimezone(UTC).replace(tzinfo=None) for chat_id, at in starts.items()
    }
    posts_by_minute: dict[int, dict[int, int]] = defaultdict(dict)
    reposts: dict[int, int] = defaultdict(int)
    hidden: dict[int, int] = defaultdict(int)
    for chat_id, at, posts, hidden_posts, reposted in by_minute:
        hidden[chat_id] += hidden_posts
        reposts[chat_id] += reposted
        if posts:
            if isinstance(at, str):
                since = datetime.fromisoformat(at) - naive_starts[chat_id]
            else:
                since = _as_minute(at) - starts[chat_id]
            offset = int(since.total_seconds() // 60)
            if offset >= 0:
                minutes = posts_by_minute[chat_id]
                minutes[offset] = minutes.get(offset, 0) + posts
    numbers: dict[int, set[int]] = defaultdict(set)
    for chat_id, number in list(asked) + list(answers):
        numbers[chat_id].add(number)
    tallies = {}
    for chat in chats:
        tallies[chat.id] = ChatTally(
            chat_id=chat.id,
            title=chat.title,
            starts_at=starts[chat.id],
            scheduled_at=chat.starts_at,
            closed=chat.state == ChatState.CLOSED.value,
            authors=tuple(sorted(authors[chat.id].values(), key=_author_order)),
            questions=tuple(
                _question(number, asked.get((chat.id, number)), answers.get((chat.id, number)))
                for number in sorted(numbers[chat.id])
            ),
            reposts=reposts[chat.id],
            hidden=hidden[chat.id],
            conversations=int(conversations.get(chat.id, 0)),
            posts_by_minute=dict(sorted(posts_by_minute[chat.id].items())),
        )
    return tallies


def _question(
    number: int, asked_at: datetime | None, answered: tuple[int, int] | None
) -> QuestionTally:
    count, late = answered or (0, 0)
    return QuestionTally(number, asked_at, count, late, None, {})


def first_answers(session: Session, chat_id: int) -> dict[int, datetime]:
    """When each question of one chat got its first answer."""
    p = PostRow
    s = SegmentRow
    return {
        number: _as_minute(at)
        for number, at in session.execute(
            sa.select(s.question, sa.func.min(p.created_at))
            .join(p, p.id == s.post_id)
            .where(s.chat_id == chat_id, s.kind == "answer", s.question.is_not(None))
            .group_by(s.question)
        )
        if number is not None
    }


def answers_by_minute(session: Session, chat: ChatRow) -> dict[int, dict[int, int]]:
    """One chat's answers per question per minute since its start (the chat's own figures)."""
    p = PostRow
    s = SegmentRow
    minute = _minute_key(session.get_bind().dialect.name, p.created_at)
    start = chat.started_at or chat.starts_at
    result: dict[int, dict[int, int]] = defaultdict(dict)
    for number, at, count in session.execute(
        sa.select(s.question, minute, sa.func.count())
        .join(p, p.id == s.post_id)
        .where(
            s.chat_id == chat.id,
            s.kind == "answer",
            s.question.is_not(None),
            p.is_repost.is_(False),
            p.hidden.is_(False),
        )
        .group_by(s.question, minute)
    ):
        offset = int((_as_minute(at) - start).total_seconds() // 60)
        result[number][offset] = result[number].get(offset, 0) + count
    return {number: dict(sorted(m.items())) for number, m in result.items()}


def _author_order(author: AuthorTally) -> tuple[int, str, str]:
    return (author.author_id or 0, author.network, author.handle)


# --- the cache ----------------------------------------------------------------------------


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def _at(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def encode_tally(tally: ChatTally) -> str:
    """A tally as the JSON kept in `chat_insights`."""
    return json.dumps(
        {
            "chat_id": tally.chat_id,
            "title": tally.title,
            "starts_at": _iso(tally.starts_at),
            "scheduled_at": _iso(tally.scheduled_at),
            "closed": tally.closed,
            "authors": [list(a) for a in tally.authors],
            "questions": [
                [
                    q.number,
                    _iso(q.asked_at),
                    q.answers,
                    q.late,
                    _iso(q.first_answer_at),
                    sorted(q.answers_by_minute.items()),
                ]
                for q in tally.questions
            ],
            "reposts": tally.reposts,
            "hidden": tally.hidden,
            "conversations": tally.conversations,
            "posts_by_minute": sorted(tally.posts_by_minute.items()),
        },
        separators=(",", ":"),
    )


def decode_tally(text: str) -> ChatTally:
    """The tally kept by `encode_tally`."""
    data = json.loads(text)
    starts_at = _at(data["starts_at"])
    scheduled_at = _at(data["scheduled_at"])
    assert starts_at is not None
    assert scheduled_at is not None
    return ChatTally(
        chat_id=data["chat_id"],
        title=data["title"],
        starts_at=starts_at,
        scheduled_at=scheduled_at,
        closed=data["closed"],
        authors=tuple(AuthorTally(*row) for row in data["authors"]),
        questions=tuple(
            QuestionTally(n, _at(asked), answers, late, _at(first), dict(minutes))
            for n, asked, answers, late, first, minutes in data["questions"]
        ),
        reposts=data["reposts"],
        hidden=data["hidden"],
        conversations=data["conversations"],
        posts_by_minute=dict(data["posts_by_minute"]),
    )


def _last_event_ids(session: Session, chat_ids: Sequence[int]) -> dict[int, int]:
    """Each chat's last event id, one index seek per chat."""
    last = (
        sa.select(sa.func.coalesce(sa.func.max(EventRow.id), 0))
        .where(EventRow.chat_id == ChatRow.id)
        .scalar_subquery()
    )
    return dict(session.execute(sa.select(ChatRow.id, last).where(ChatRow.id.in_(chat_ids))).all())


def tallies_of_chats(
    ctx: AppContext, chats: Sequence[ChatRow], *, use_cache: bool = True
) -> list[ChatTally]:
    """The tallies of `chats`: a closed chat's from the cache while it is current, the rest
    aggregated now (and a closed one's stored for next time)."""
    closed_ids = [c.id for c in chats if c.state == ChatState.CLOSED.value]
    found: dict[int, ChatTally] = {}
    with ctx.store.read() as session:
        last = _last_event_ids(session, closed_ids) if closed_ids else {}
        if use_cache and closed_ids:
            for row in session.scalars(
                sa.select(ChatInsightsRow).where(ChatInsightsRow.chat_id.in_(closed_ids))
            ):
                if row.version == TALLY_VERSION and row.last_event_id == last.get(row.chat_id):
                    found[row.chat_id] = decode_tally(row.data)
        missing = [c for c in chats if c.id not in found]
        fresh = aggregate_tallies(session, missing)
    to_store = [t for t in fresh.values() if t.closed]
    if use_cache and to_store:
        now = ctx.now()
        with ctx.store.write() as session:
            session.execute(
                sa.delete(ChatInsightsRow).where(
                    ChatInsightsRow.chat_id.in_([t.chat_id for t in to_store])
                )
            )
            session.add_all(
                ChatInsightsRow(
                    chat_id=t.chat_id,
                    version=TALLY_VERSION,
                    last_event_id=last.get(t.chat_id, 0),
                    data=encode_tally(t),
                    computed_at=now,
                )
                for t in to_store
            )
    found.update(fresh)
    return [found[c.id] for c in chats]


# --- settings, people, permission ---------------------------------------------------------


def thresholds_of(session: Session, series_id: int) -> Thresholds:
    """The series' thresholds, the defaults where the host has set none."""
    row = session.scalar(
        sa.select(SeriesInsightSettings).where(SeriesInsightSettings.series_id == series_id)
    )
    if row is None:
        return Thresholds()
    return Thresholds(
        row.return_k,
        row.return_n,
        row.trend_run,
        row.tumbleweed_participants,
        row.tumbleweed_network_people,
    )


def check_thresholds(values: dict[str, int]) -> Thresholds:
    """Thresholds from a host's input; a clear error for a value out of bounds."""
    base = Thresholds()
    merged = {name: getattr(base, name) for name in THRESHOLD_BOUNDS}
    for name, value in values.items():
        if name not in THRESHOLD_BOUNDS:
            raise InvalidInputError(f"unknown insight setting {name!r}")
        low, high = THRESHOLD_BOUNDS[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidInputError(f"{name} must be a whole number from {low} to {high}")
        merged[name] = value
    if merged["return_k"] > merged["return_n"]:
        raise InvalidInputError("return_k (came to k chats) cannot exceed return_n (of the last n)")
    return Thresholds(**merged)


def do_set_insight_settings(
    ctx: AppContext, actor: UserView, tag: str, values: dict[str, int]
) -> Thresholds:
    """Set a series' verdict thresholds (hosts only)."""
    wanted = check_thresholds(values)
    with ctx.store.write() as session:
        series = load_series(session, tag)
        require(session, series.id, actor, Mutation.EDIT_SERIES)
        row = session.scalar(
            sa.select(SeriesInsightSettings).where(SeriesInsightSettings.series_id == series.id)
        )
        if row is None:
            row = SeriesInsightSettings(series_id=series.id)
            session.add(row)
        for name in THRESHOLD_BOUNDS:
            setattr(row, name, getattr(wanted, name))
        row.updated_at = ctx.now()
    return wanted


def people_of_series(session: Session, series_id: int) -> People:
    """Linked handles and the series' owners and co-hosts."""
    links = {
        (network, handle): user_id
        for network, handle, user_id in session.execute(
            sa.select(LinkedHandle.network, LinkedHandle.handle, LinkedHandle.user_id)
        )
    }
    hosts = frozenset(
        session.scalars(
            sa.select(Membership.user_id).where(
                Membership.series_id == series_id,
                Membership.role.in_([role.value for role in HOSTS]),
            )
        )
    )
    return People(links, hosts)


def may_see_names(session: Session, series_id: int, actor: UserView | None) -> bool:
    """Names behind the figures are for the series' hosts (and site admins) only."""
    if actor is None:
        return False
    role = role_in(session, series_id, actor.id)
    return is_allowed(Mutation.SEE_INSIGHT_NAMES, role, is_admin=actor.is_admin)


def _names(session: Session, persons: set[str]) -> dict[str, str]:
    ids = [int(p[2:]) for p in persons if p.startswith("u:")]
    users = {
        f"u:{uid}": f"{display} (@{name})"
        for uid, name, display in session.execute(
            sa.select(User.id, User.name, User.display_name).where(User.id.in_(ids))
        )
    }
    result = {}
    for person in persons:
        if person in users:
            result[person] = users[person]
        elif person.startswith("h:"):
            network, _, handle = person[2:].partition(":")
            result[person] = f"@{handle} on {network}"
    return result


def series_chats(session: Session, series_id: int) -> list[ChatRow]:
    """The chats of a series that have started, in time order."""
    rows = session.scalars(
        sa.select(ChatRow)
        .where(ChatRow.series_id == series_id, ChatRow.started_at.is_not(None))
        .order_by(ChatRow.started_at, ChatRow.id)
    ).all()
    session.expunge_all()
    return list(rows)


class _RecentFigures:
    """The last few series' figures computed in this process, by everything they depend on: a
    page view of an unchanged series is then a handful of index look-ups."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._items: OrderedDict[Any, SeriesFigures] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> SeriesFigures | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Any, figures: SeriesFigures) -> None:
        with self._lock:
            self._items[key] = figures
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_FIGURES = _RecentFigures()


def get_series_insights(
    ctx: AppContext, tag: str, actor: UserView | None = None, *, use_cache: bool = True
) -> SeriesInsights:
    """Every figure of a series; names only when `actor` is one of its hosts."""
    with ctx.store.read() as session:
        series: SeriesRow = load_series(session, tag)
        series_id, tag_text, title, zone = series.id, series.tag, series.title, series.timezone
        chats = series_chats(session, series_id)
        people = people_of_series(session, series_id)
        thresholds = thresholds_of(session, series_id)
        names_allowed = may_see_names(session, series_id, actor)
        last = _last_event_ids(session, [c.id for c in chats]) if chats else {}
        database = session.scalar(sa.select(DatabaseIdentity.id).limit(1))
    # Everything the figures depend on: each chat as it is now (its last event id moves with any
    # change), who is who, the thresholds and the zone. Same key: the same figures.
    key = (
        database or id(ctx.store),
        series_id,
        zone,
        tuple((c.id, c.title, c.state, c.started_at, last.get(c.id)) for c in chats),
        tuple(sorted(people.links.items())),
        people.host_ids,
        thresholds,
    )
    figures = _FIGURES.get(key) if use_cache else None
    if figures is None:
        tallies = tallies_of_chats(ctx, chats, use_cache=use_cache)
        figures = series_figures(tallies, people, thresholds, ZoneInfo(zone))
        if use_cache:
            _FIGURES.put(key, figures)
    names = None
    if names_allowed:
        wanted = set(figures.regulars) | {p for c in figures.cohorts for p in c.members}
        with ctx.store.read() as session:
            names = _names(session, wanted)
    return SeriesInsights(tag_text, title, zone, figures, names)


def get_chat_insights(ctx: AppContext, chat_id: int, actor: UserView | None = None) -> ChatFigures:
    """One chat's figures, newcomers counted against the series' earlier chats, with its
    answers per question per minute."""
    with ctx.store.read() as session:
        chat = load_chat(session, chat_id)
        if chat.started_at is None:
            raise NotFoundError(f"chat {chat_id} has not started; it has no figures yet")
        tag = session.scalar(sa.select(SeriesRow.tag).where(SeriesRow.id == chat.series_id))
        over_time = answers_by_minute(session, chat)
        first = first_answers(session, chat_id)
        asked = dict(
            session.execute(
                sa.select(QuestionRow.number, QuestionRow.asked_at).where(
                    QuestionRow.chat_id == chat_id
                )
            ).all()
        )
    assert tag is not None
    insights = get_series_insights(ctx, tag, actor)
    for figures in insights.figures.chats:
        if figures.chat_id == chat_id:
            questions = tuple(
                replace(
                    q,
                    answers_by_minute=over_time.get(q.number, {}),
                    minutes_to_first_answer=minutes_between(
                        asked.get(q.number), first.get(q.number)
                    ),
                )
                for q in figures.questions
            )
            return replace(figures, questions=questions)
    raise NotFoundError(f"no figures for chat {chat_id}")
