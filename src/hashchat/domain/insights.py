"""Honest chat and series figures (issue 13), over plain rows: who took part, who came back,
which network brings people who answer. Pure: the store aggregates with SQL, this decides.

A person is a local account, or a handle on a network; a handle linked to an account is that
account. Reposts, likes and hidden posts are not participation. A chat's hosts (the series'
owners and co-hosts, and whoever wrote a host post in it) are counted apart.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

SMALL_N = 5  # fewer chats than this in a group: "n is small", no interval claimed


class AuthorTally(NamedTuple):
    """One author as stored (account id or none, network, handle key) in one chat: her visible,
    non-repost posts and segments. `host_posts` were marked as a host's when written. A named
    tuple: a series has some 75,000 of them, made from plain rows."""

    author_id: int | None
    network: str
    handle: str
    posts: int
    host_posts: int
    answers: int
    late_answers: int
    replies: int
    questions: int


@dataclass(frozen=True, slots=True)
class QuestionTally:
    """One question of a chat: when it was asked, its answer segments and the first one's time."""

    number: int
    asked_at: datetime | None
    answers: int
    late: int
    first_answer_at: datetime | None
    answers_by_minute: Mapping[int, int]


@dataclass(frozen=True, slots=True)
class ChatTally:
    """What the store aggregated about one chat: the cacheable part of its figures."""

    chat_id: int
    title: str
    starts_at: datetime
    scheduled_at: datetime
    closed: bool
    authors: tuple[AuthorTally, ...]
    questions: tuple[QuestionTally, ...]
    reposts: int
    hidden: int
    conversations: int
    posts_by_minute: Mapping[int, int]


Person = str  # "u:<account id>" or "h:<network>:<handle>"


@dataclass(frozen=True, slots=True)
class People:
    """Who is who: linked handles ((network, handle) -> account id) and the series' hosts."""

    links: Mapping[tuple[str, str], int] = field(default_factory=dict)
    host_ids: frozenset[int] = frozenset()
    # (account id, network, handle) -> person, filled as authors are met: the same people come
    # to chat after chat.
    _known: dict[tuple[int | None, str, str], Person] = field(
        default_factory=dict, compare=False, repr=False
    )

    def of(self, author: AuthorTally) -> Person:
        """The person behind a stored author."""
        key = author[:3]
        person = self._known.get(key)
        if person is None:
            account = author.author_id
            if account is None:
                account = self.links.get((author.network, author.handle))
            person = (
                f"u:{account}" if account is not None else f"h:{author.network}:{author.handle}"
            )
            self._known[key] = person
        return person

    def is_host(self, person: Person) -> bool:
        """True for an owner or co-host of the series."""
        return person.startswith("u:") and int(person[2:]) in self.host_ids


@dataclass(frozen=True, slots=True)
class NetworkFigures:
    """One network in one chat: people (hosts apart), their answers and replies, and the share
    of its people who answered at least one question."""

    people: int
    answers: int
    replies: int
    answered_share: float


@dataclass(frozen=True, slots=True)
class QuestionFigures:
    """One question: answer segments, late ones, and minutes from asking to the first answer."""

    number: int
    answers: int
    late: int
    minutes_to_first_answer: float | None
    answers_by_minute: Mapping[int, int]


@dataclass(frozen=True, slots=True)
class ChatFigures:
    """The figures of one chat, in the series' context (newcomer or returning)."""

    chat_id: int
    title: str
    starts_at: datetime
    closed: bool
    participants: int
    newcomers: int
    returning: int
    posts: int
    host_posts: int
    host_share: float
    answers: int
    late: int
    late_share: float
    replies: int
    conversations: int
    reposts: int
    hidden: int
    questions: tuple[QuestionFigures, ...]
    per_network: Mapping[str, NetworkFigures]
    posts_by_minute: Mapping[int, int]
    people: frozenset[Person]
    hosts: frozenset[Person]


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def minutes_between(asked: datetime | None, answered: datetime | None) -> float | None:
    """Minutes from a question being asked to its first answer (one decimal), if both known."""
    if asked is None or answered is None:
        return None
    return round((answered - asked).total_seconds() / 60, 1)


def chat_figures(tally: ChatTally, people: People, earlier: frozenset[Person]) -> ChatFigures:
    """A chat's figures from its tally; `earlier` holds everyone who came to an earlier chat."""
    persons: dict[Person, list[AuthorTally]] = {}
    for author in tally.authors:
        persons.setdefault(people.of(author), []).append(author)
    hosts = frozenset(
        person
        for person, rows in persons.items()
        if people.is_host(person) or any(row.host_posts for row in rows)
    )
    participants = frozenset(persons) - hosts
    posts = sum(row.posts for row in tally.authors)
    host_posts = sum(row.posts for p in hosts for row in persons[p])
    answers = sum(q.answers for q in tally.questions)
    late = sum(q.late for q in tally.questions)
    answered_on: dict[str, dict[Person, bool]] = {}
    network_answers: Counter[str] = Counter()
    network_replies: Counter[str] = Counter()
    for person in participants:
        for row in persons[person]:
            members = answered_on.setdefault(row.network, {})
            members[person] = members.get(person, False) or row.answers > 0
            network_answers[row.network] += row.answers
            network_replies[row.network] += row.replies
    per_network = {
        network: NetworkFigures(
            people=len(members),
            answers=network_answers[network],
            replies=network_replies[network],
            answered_share=_share(sum(members.values()), len(members)),
        )
        for network, members in sorted(answered_on.items())
    }
    questions = tuple(
        QuestionFigures(
            number=q.number,
            answers=q.answers,
            late=q.late,
            minutes_to_first_answer=minutes_between(q.asked_at, q.first_answer_at),
            answers_by_minute=q.answers_by_minute,
        )
        for q in tally.questions
    )
    return ChatFigures(
        chat_id=tally.chat_id,
        title=tally.title,
        starts_at=tally.starts_at,
        closed=tally.closed,
        participants=len(participants),
        newcomers=len(participants - earlier),
        returning=len(participants & earlier),
        posts=posts,
        host_posts=host_posts,
        host_share=_share(host_posts, posts),
        answers=answers,
        late=late,
        late_share=_share(late, answers),
        replies=sum(row.replies for row in tally.authors),
        conversations=tally.conversations,
        reposts=tally.reposts,
        hidden=tally.hidden,
        questions=questions,
        per_network=per_network,
        posts_by_minute=tally.posts_by_minute,
        people=participants,
        hosts=hosts,
    )


def series_chat_figures(tallies: Sequence[ChatTally], people: People) -> list[ChatFigures]:
    """Every chat's figures in time order, newcomers counted against all earlier chats."""
    seen: set[Person] = set()
    result = []
    for tally in sorted(tallies, key=lambda t: (t.starts_at, t.chat_id)):
        figures = chat_figures(tally, people, frozenset(seen))
        seen |= figures.people
        result.append(figures)
    return result


# --- uncertainty --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Estimate:
    """A figure with its 95% interval, or `small` when there is too little to claim one."""

    value: float
    low: float
    high: float
    n: int
    small: bool


def wilson(successes: int, n: int, z: float = 1.96) -> Estimate:
    """A share with its Wilson score interval (honest for small n and for 0% or 100%)."""
    if n == 0:
        return Estimate(0.0, 0.0, 1.0, 0, True)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half), n, n < SMALL_N)


def mean_estimate(values: Sequence[float], z: float = 1.96) -> Estimate:
    """A mean per chat with a normal 95% interval; `small` below SMALL_N chats."""
    n = len(values)
    if n == 0:
        return Estimate(0.0, 0.0, 0.0, 0, True)
    mean = sum(values) / n
    if n < 2:
        return Estimate(mean, mean, mean, n, True)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = z * sd / math.sqrt(n)
    return Estimate(mean, max(0.0, mean - half), mean + half, n, n < SMALL_N)


# --- the series ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Thresholds:
    """A series' settings for its verdicts (defaults: returning is 2 of the last 4 chats, 3
    chats in a row make a trend, fewer than 5 participants or 2 people on a network is
    tumbleweed)."""

    return_k: int = 2
    return_n: int = 4
    trend_run: int = 3
    tumbleweed_participants: int = 5
    tumbleweed_network_people: int = 2


def trend_verdict(what: str, values: Sequence[int], run: int) -> str:
    """A plain sentence on the latest run: "participation fell 4 chats in a row: 62 → 41"."""
    if len(values) < 2:
        return f"{what}: too few chats to see a trend"
    direction = 0
    length = 0
    for before, after in zip(reversed(values[:-1]), reversed(values[1:]), strict=True):
        step = (after > before) - (after < before)
        if step == 0 or (direction and step != direction):
            break
        direction = step
        length += 1
    if direction and length >= run:
        verb = "rose" if direction > 0 else "fell"
        return f"{what} {verb} {length} chats in a row: {values[-1 - length]} → {values[-1]}"
    window = values[-(run + 1) :]
    return f"{what} held: between {min(window)} and {max(window)} over the last {len(window)} chats"


def regulars(chats: Sequence[ChatFigures], k: int, n: int) -> frozenset[Person]:
    """People who came to at least k of the last n chats."""
    counts = Counter(p for chat in chats[-n:] for p in chat.people)
    return frozenset(p for p, c in counts.items() if c >= k)


@dataclass(frozen=True, slots=True)
class Cohort:
    """People whose first chat was in `month`, and how many of them came in each month since."""

    month: str
    size: int
    active: tuple[tuple[str, int], ...]
    members: frozenset[Person]


def cohorts(chats: Sequence[ChatFigures], zone: ZoneInfo) -> list[Cohort]:
    """Of those who first came in month M (the series' zone), how many came in each later month."""

    def month(at: datetime) -> str:
        return at.astimezone(zone).strftime("%Y-%m")

    first: dict[Person, str] = {}
    came: dict[str, set[Person]] = defaultdict(set)
    for chat in chats:
        m = month(chat.starts_at)
        came[m] |= chat.people
        for person in chat.people:
            first.setdefault(person, m)
    months = sorted(came)
    members: dict[str, set[Person]] = defaultdict(set)
    for person, m in first.items():
        members[m].add(person)
    return [
        Cohort(
            month=m,
            size=len(members[m]),
            active=tuple((later, len(members[m] & came[later])) for later in months if later >= m),
            members=frozenset(members[m]),
        )
        for m in months
        if members[m]
    ]


@dataclass(frozen=True, slots=True)
class CadenceGroup:
    """Chats that share a schedule trait (weekly, fortnightly; an hour of the day)."""

    label: str
    chats: int
    participants: Estimate
    answers: Estimate


def cadence_label(gap_days: float | None) -> str:
    """What a gap since the previous chat looks like as a schedule."""
    if gap_days is None:
        return "first chat"
    if gap_days <= 10:
        return "weekly"
    if gap_days <= 17:
        return "fortnightly"
    return "monthly or longer"


def cadence_groups(
    chats: Sequence[ChatFigures], key: Callable[[int, ChatFigures], str]
) -> list[CadenceGroup]:
    """Outcome per chat by group, with its 95% interval ("n is small" under SMALL_N chats)."""
    groups: dict[str, list[ChatFigures]] = defaultdict(list)
    for index, chat in enumerate(chats):
        groups[key(index, chat)].append(chat)
    return [
        CadenceGroup(
            label,
            len(members),
            mean_estimate([c.participants for c in members]),
            mean_estimate([c.answers for c in members]),
        )
        for label, members in sorted(groups.items())
    ]


def by_gap(chats: Sequence[ChatFigures]) -> Callable[[int, ChatFigures], str]:
    """A grouping key: the gap since the previous chat, as a schedule."""

    def key(index: int, chat: ChatFigures) -> str:
        if index == 0:
            return cadence_label(None)
        gap = (chat.starts_at - chats[index - 1].starts_at).total_seconds() / 86400
        return cadence_label(gap)

    return key


@dataclass(frozen=True, slots=True)
class NetworkFocus:
    """One network over the series: people, those who answered, those who came back, and the
    host's effort there (questions posted, host replies)."""

    network: str
    people: int
    answerers: Estimate
    returners: Estimate
    questions_posted: int
    host_replies: int


def network_focus(
    chats: Sequence[ChatFigures], tallies: Mapping[int, ChatTally], people: People
) -> list[NetworkFocus]:
    """Per network: who answers and returns against the effort spent there."""
    chats_of: dict[str, Counter[Person]] = defaultdict(Counter)
    answered: dict[str, set[Person]] = defaultdict(set)
    questions: Counter[str] = Counter()
    host_replies: Counter[str] = Counter()
    for chat in chats:
        for author in tallies[chat.chat_id].authors:
            person = people.of(author)
            if person in chat.hosts:
                questions[author.network] += author.questions
                host_replies[author.network] += author.replies
                continue
            chats_of[author.network][person] += 1
            if author.answers:
                answered[author.network].add(person)
    networks = sorted(set(chats_of) | set(questions))
    result = []
    for network in networks:
        members = chats_of[network]
        result.append(
            NetworkFocus(
                network,
                len(members),
                wilson(len(answered[network]), len(members)),
                wilson(sum(1 for c in members.values() if c >= 2), len(members)),
                questions[network],
                host_replies[network],
            )
        )
    return result


def tumbleweed_alerts(chats: Sequence[ChatFigures], thresholds: Thresholds) -> list[str]:
    """Plain sentences for the chats, and the networks in them, below the host's levels."""
    alerts = []
    seen_networks: set[str] = set()
    for chat in chats:
        day = chat.starts_at.date().isoformat()
        if chat.closed and chat.participants < thresholds.tumbleweed_participants:
            alerts.append(
                f"{chat.title} ({day}): {chat.participants} participants, below "
                f"{thresholds.tumbleweed_participants}"
            )
        for network in sorted(seen_networks | set(chat.per_network)):
            figures = chat.per_network.get(network)
            count = figures.people if figures else 0
            if chat.closed and count < thresholds.tumbleweed_network_people:
                alerts.append(
                    f"{chat.title} ({day}): {count} people on {network}, below "
                    f"{thresholds.tumbleweed_network_people}"
                )
        seen_networks |= set(chat.per_network)
    return alerts


@dataclass(frozen=True, slots=True)
class SeriesFigures:
    """A series across its chats: totals, who returns, cohorts, verdicts, cadence, networks."""

    chats: tuple[ChatFigures, ...]
    thresholds: Thresholds
    people: int
    posts: int
    answers: int
    participations: int
    answers_per_participant: float
    reposts: int
    late: int
    returning_rate: Estimate
    regulars: frozenset[Person]
    cohorts: tuple[Cohort, ...]
    verdicts: tuple[str, ...]
    alerts: tuple[str, ...]
    by_gap: tuple[CadenceGroup, ...]
    by_hour: tuple[CadenceGroup, ...]
    by_month: tuple[CadenceGroup, ...]
    networks: tuple[NetworkFocus, ...]


def series_figures(
    tallies: Sequence[ChatTally], people: People, thresholds: Thresholds, zone: ZoneInfo
) -> SeriesFigures:
    """Every figure of a series from its chats' tallies."""
    chats = series_chat_figures(tallies, people)
    everyone = frozenset(p for chat in chats for p in chat.people)
    participations = sum(chat.participants for chat in chats)
    answers = sum(chat.answers for chat in chats)
    window = chats[-thresholds.return_n :]
    window_people = frozenset(p for chat in window for p in chat.people)
    regular = regulars(chats, thresholds.return_k, thresholds.return_n)
    run = thresholds.trend_run
    verdicts = (
        trend_verdict("participation", [c.participants for c in chats], run),
        trend_verdict("answers", [c.answers for c in chats], run),
        trend_verdict("newcomers", [c.newcomers for c in chats], run),
    )

    def hour(_: int, chat: ChatFigures) -> str:
        return chat.starts_at.astimezone(zone).strftime("%H:00")

    def month(_: int, chat: ChatFigures) -> str:
        return chat.starts_at.astimezone(zone).strftime("%Y-%m")

    return SeriesFigures(
        chats=tuple(chats),
        thresholds=thresholds,
        people=len(everyone),
        posts=sum(chat.posts for chat in chats),
        answers=answers,
        participations=participations,
        answers_per_participant=round(_share(answers, participations), 2),
        reposts=sum(chat.reposts for chat in chats),
        late=sum(chat.late for chat in chats),
        returning_rate=wilson(len(regular), len(window_people)),
        regulars=regular,
        cohorts=tuple(cohorts(chats, zone)),
        verdicts=verdicts,
        alerts=tuple(tumbleweed_alerts(chats, thresholds)),
        by_gap=tuple(cadence_groups(chats, by_gap(chats))),
        by_hour=tuple(cadence_groups(chats, hour)),
        by_month=tuple(cadence_groups(chats, month)),
        networks=tuple(network_focus(chats, {t.chat_id: t for t in tallies}, people)),
    )
