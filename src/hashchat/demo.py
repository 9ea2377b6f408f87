"""A demo community a newcomer can click through: #KaizenBiz with a past chat, an upcoming one,
one ready to start, and demo accounts with random passwords.

Everything is created through the actions layer. The past chat is the bundled sample hour
(`hashchat.samples`), shifted by whole weeks to the most recent Friday and loaded through the
ingest door (`actions.ingest`), the way any archive of a past chat is: recreated with its
questions, its posts (reposts included) filed by the domain rules, the spam hidden after.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_close_chat, do_create_chat, do_edit_chat
from hashchat.actions.context import AppContext
from hashchat.actions.ingest import do_ingest_posts, do_link_handle, do_restore_chat
from hashchat.actions.moderation import do_hide_post
from hashchat.actions.series import do_add_member, do_create_series
from hashchat.actions.views import UserView
from hashchat.domain.chat import ChatState, Post
from hashchat.domain.ingest import ForeignChat, ForeignPost, ForeignQuestion, Network
from hashchat.domain.text.answers import first_question_tag
from hashchat.samples import SAMPLE_CO_HOST, SAMPLE_HOST, load_sample_chat
from hashchat.store.models import PostRow

DEMO_TAG = "KaizenBiz"
MODERATOR = "modmaya"
# Sample authors who get a local account, so a newcomer can log in as them.
PARTICIPANTS = ("tradietom", "ledgerlucy")
_QUESTION_PREFIX = re.compile(r"^\s*Q\d+\s*[:.)\-]?\s*", re.IGNORECASE)
_TRAILING_TAG = re.compile(rf"\s*#{DEMO_TAG}\s*$", re.IGNORECASE)
_RETWEET = re.compile(r"^RT @([\w.@-]+):\s*(.*)$", re.DOTALL)
# Where the sample's ids were issued, per network (Mastodon: the author's instance).
SAMPLE_SOURCES = {"x": "x.com", "bluesky": "bsky.social", "hashchat": "hashchat"}

UPCOMING_QUESTIONS = (
    "What is one process you improved by 1% this month?",
    "Where do hand-offs slow your team down?",
    "Which tool did you stop paying for, and did anyone miss it?",
    "How do you ask customers for improvement ideas?",
    "What does a good week look like in your business?",
    "Your 1% commitment for next week?",
)
READY_QUESTIONS = (
    "Say hello: where are you joining from?",
    "What is one small win from this week?",
    "What will you try next week?",
)
UPCOMING_TOPIC = (
    "Every small business hands work over: from one shift to the next, from the owner to a new "
    "hire, from you to a supplier. Most mistakes happen in the gap. This week we look at the "
    "hand-offs that work, the ones that leak, and one change you could make on Monday."
)


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """A demo login: name, role in #KaizenBiz and the password made for this run."""

    name: str
    role: str
    password: str


@dataclass(frozen=True, slots=True)
class DemoCommunity:
    """What the demo created, for the printout and the tests."""

    tag: str
    accounts: tuple[DemoAccount, ...]
    past_chat_id: int
    upcoming_chat_id: int
    ready_chat_id: int


def random_password() -> str:
    """A fresh password for a demo account (never the same twice, never in the source)."""
    return secrets.token_urlsafe(12)


def _at(ctx: AppContext, moment: datetime) -> AppContext:
    """The same context on a clock stopped at `moment`."""
    return replace(ctx, settings=replace(ctx.settings, clock=lambda: moment))


def sample_start(posts: Iterable[Post]) -> datetime:
    """When the sample hour began: the host's first post (the welcome), to the minute."""
    first = min(p.created_at for p in posts if p.author == SAMPLE_HOST)
    return first.replace(second=0, microsecond=0)


def whole_weeks_back(now: datetime, start: datetime) -> timedelta:
    """Whole weeks that move `start` to the latest same weekday and time whose hour is over."""
    weeks = (now - start) // timedelta(weeks=1)
    if start + timedelta(weeks=weeks, hours=1) > now:
        weeks -= 1
    return timedelta(weeks=weeks)


def _question_text(post: Post) -> str:
    return _TRAILING_TAG.sub("", _QUESTION_PREFIX.sub("", post.text)).strip()


def seed_demo(
    ctx: AppContext, now: datetime, make_password: Callable[[], str] = random_password
) -> DemoCommunity:
    """Create the demo community in an empty database; `now` is the moment of the demo."""
    sample = load_sample_chat()
    posts = sorted(sample.posts, key=lambda p: p.created_at)
    start = sample_start(posts)
    shift = whole_weeks_back(now, start)
    setup = _at(ctx, start + shift - timedelta(days=7))

    names = (
        (SAMPLE_HOST, "owner"),
        (SAMPLE_CO_HOST, "cohost"),
        (MODERATOR, "moderator"),
        *((name, "participant") for name in PARTICIPANTS),
    )
    accounts = tuple(DemoAccount(name, role, make_password()) for name, role in names)
    users = {
        account.name: do_register(setup, account.name, account.password, timezone="Europe/London")
        for account in accounts
    }
    owner = users[SAMPLE_HOST]
    do_create_series(
        setup,
        owner,
        DEMO_TAG,
        "Kaizen for small business",
        "Europe/London",
        "x",
        280,
        "A weekly hour for small-business owners about the 1% improvements that add up. "
        "Fridays 5pm London, 12pm New York, 9am Los Angeles.",
    )
    for account in accounts[1:]:
        do_add_member(setup, owner, DEMO_TAG, account.name, account.role)

    past_id = _replay_sample(setup, owner, posts, sample.hidden_ids, shift)
    next_friday = start + shift + timedelta(weeks=1)
    while next_friday <= now:
        next_friday += timedelta(weeks=1)
    upcoming = do_create_chat(
        _at(ctx, now),
        owner,
        DEMO_TAG,
        "Hand-offs and handovers",
        next_friday,
        60,
        list(UPCOMING_QUESTIONS),
    )
    # The host's framing, as the seed's blog post framed its chat (issue 9).
    do_edit_chat(_at(ctx, now), owner, upcoming.id, topic=UPCOMING_TOPIC)
    ready = do_create_chat(
        _at(ctx, now),
        owner,
        DEMO_TAG,
        "Open demo chat: start me from the host console",
        now + timedelta(minutes=10),
        30,
        list(READY_QUESTIONS),
    )
    return DemoCommunity(DEMO_TAG, accounts, past_id, upcoming.id, ready.id)


def _source_of(post: Post) -> str:
    """The site that issued a sample post's id: X, the author's Mastodon instance, Bluesky."""
    if post.network == Network.MASTODON.value and "@" in post.author:
        return post.author.rsplit("@", 1)[1]
    return SAMPLE_SOURCES.get(post.network, post.network)


def _reposted(post: Post, earlier: Iterable[Post]) -> str:
    """The sample id of the post a repost (`RT @author: words…`) repeats ('' when unknown)."""
    found = _RETWEET.match(post.text)
    if found is None:
        return ""
    author, words = found.group(1).lower(), found.group(2).rstrip("…").strip()
    for candidate in earlier:
        if candidate.author.lower() == author and candidate.text.startswith(words):
            return candidate.id
    return ""


def foreign_posts(posts: Iterable[Post], shift: timedelta) -> list[ForeignPost]:
    """The sample's posts as the ingest door takes them, moved by `shift`: each with its
    network and source, replies pointing at their parent's identity, reposts marked."""
    ordered = list(posts)
    by_id = {post.id: post for post in ordered}
    made = []
    for index, post in enumerate(ordered):
        parent = by_id.get(post.reply_to) if post.reply_to else None
        reposted = _reposted(post, ordered[:index]) if post.is_repost else None
        made.append(
            ForeignPost(
                network=Network(post.network),
                source=_source_of(post),
                external_id=post.id,
                author_handle=post.author,
                display_name=post.author,
                text=post.text,
                created_at=post.created_at + shift,
                url=post.url,
                reply_to=None if parent is None else parent.id,
                reply_to_network=None if parent is None else Network(parent.network),
                reply_to_source=None if parent is None else _source_of(parent),
                repost_of=reposted,
            )
        )
    return made


def _replay_sample(
    ctx: AppContext,
    owner: UserView,
    posts: Iterable[Post],
    hidden: frozenset[str],
    shift: timedelta,
) -> int:
    """Load the sample hour through the ingest door (`actions.ingest`), as an archive of a
    past chat is: the chat recreated with its questions asked when the host posted them, the
    hour's posts (reposts included) filed by the domain rules, the hosts' and demo
    participants' handles linked to their accounts; then the spam hidden by the owner."""
    ordered = list(posts)
    questions = [p for p in ordered if p.author == SAMPLE_HOST and first_question_tag(p.text)]
    start = sample_start(ordered) + shift
    last = ordered[-1].created_at + shift + timedelta(minutes=5)
    chat_id, _ = do_restore_chat(
        ctx,
        ForeignChat(
            series_tag=DEMO_TAG,
            title="Small wins: the 1% improvements of 2026",
            starts_at=start,
            duration_minutes=60,
            state=ChatState.LATE_ANSWERS.value,
            questions=tuple(
                ForeignQuestion(n, _question_text(p), p.created_at + shift)
                for n, p in enumerate(questions, start=1)
            ),
            started_at=start,
            ended_at=start + timedelta(minutes=60),
        ),
        actor=owner,
    )
    for name in (SAMPLE_HOST, SAMPLE_CO_HOST, *PARTICIPANTS):
        do_link_handle(ctx, name, Network.X.value, name)
    sample_ids = {post.id for post in ordered}
    do_ingest_posts(_at(ctx, last), "demo sample", chat_id, foreign_posts(ordered, shift))
    with ctx.store.read() as session:
        row_ids = {
            external_id: post_id
            for post_id, external_id in session.execute(
                sa.select(PostRow.id, PostRow.external_id).where(PostRow.chat_id == chat_id)
            )
            if external_id in sample_ids
        }
    for sample_id in sorted(hidden & row_ids.keys()):
        do_hide_post(_at(ctx, last), owner, row_ids[sample_id])
    do_close_chat(_at(ctx, last), owner, chat_id)
    return chat_id
