"""A demo community a newcomer can click through: #KaizenBiz with a past chat, an upcoming one,
one ready to start, and demo accounts with random passwords.

Everything is created through the actions layer, on a clock the seeding moves: the past chat
is the bundled sample hour (`hashchat.samples`) replayed at its own times, shifted by whole
weeks to the most recent Friday, so its late answer, hidden spam and replies land the way the
live room would have stored them.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa

from hashchat.actions import lifecycle
from hashchat.actions.accounts import do_register
from hashchat.actions.cadence import post_next_question, store_plan
from hashchat.actions.chats import do_close_chat, do_create_chat, do_end_chat
from hashchat.actions.context import AppContext
from hashchat.actions.moderation import do_hide_post
from hashchat.actions.posts import NewPost, store_post
from hashchat.actions.series import do_add_member, do_create_series
from hashchat.actions.views import UserView
from hashchat.domain.chat import ChatState, Post
from hashchat.domain.schedule import DEFAULT_CADENCE
from hashchat.domain.text.answers import first_question_tag
from hashchat.samples import SAMPLE_CO_HOST, SAMPLE_HOST, load_sample_chat
from hashchat.store.models import ChatRow, PostRow, User

DEMO_TAG = "KaizenBiz"
MODERATOR = "modmaya"
# Sample authors who get a local account, so a newcomer can log in as them.
PARTICIPANTS = ("tradietom", "ledgerlucy")
_QUESTION_PREFIX = re.compile(r"^\s*Q\d+\s*[:.)\-]?\s*", re.IGNORECASE)
_TRAILING_TAG = re.compile(rf"\s*#{DEMO_TAG}\s*$", re.IGNORECASE)

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
    posts = sorted((p for p in sample.posts if not p.is_repost), key=lambda p: p.created_at)
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


def _replay_sample(
    ctx: AppContext,
    owner: UserView,
    posts: Iterable[Post],
    hidden: frozenset[str],
    shift: timedelta,
) -> int:
    """Run the sample hour as a chat: questions asked when the host posted them, every post
    stored and attributed at its own (shifted) time, spam hidden, then ended and closed."""
    ordered = list(posts)
    hosts = {SAMPLE_HOST, SAMPLE_CO_HOST}
    questions = [p for p in ordered if p.author == SAMPLE_HOST and first_question_tag(p.text)]
    start = sample_start(ordered) + shift
    chat = do_create_chat(
        ctx,
        owner,
        DEMO_TAG,
        "Small wins: the 1% improvements of 2026",
        start,
        60,
        [_question_text(p) for p in questions],
    )
    row_ids: dict[str, int] = {}
    with ctx.store.write() as session:
        chat_row = session.get(ChatRow, chat.id)
        assert chat_row is not None
        lifecycle.move_chat(session, chat_row, ChatState.LIVE, start)
        store_plan(session, chat_row, start, len(questions), DEFAULT_CADENCE)
    end = start + timedelta(minutes=60)
    ended = False
    for post in ordered:
        moment = post.created_at + shift
        if not ended and moment >= end:
            do_end_chat(_at(ctx, end), owner, chat.id)
            ended = True
        with ctx.store.write() as session:
            chat_row = session.get(ChatRow, chat.id)
            assert chat_row is not None
            if post.author == SAMPLE_HOST and first_question_tag(post.text) and not ended:
                post_next_question(session, chat_row, moment)
            local = session.scalar(sa.select(User).where(User.name == post.author))
            author = local or User(name=post.author, display_name=post.author)
            parent = (
                session.get(PostRow, row_ids[post.reply_to]) if post.reply_to in row_ids else None
            )
            stored = store_post(
                session,
                chat_row,
                NewPost(author, post.text, parent, network=post.network),
                moment,
                is_host=post.author in hosts,
            )
            row_ids[post.id] = stored.id
    if not ended:
        do_end_chat(_at(ctx, end), owner, chat.id)
    last = ordered[-1].created_at + shift + timedelta(minutes=5)
    for sample_id in sorted(hidden & row_ids.keys()):
        do_hide_post(_at(ctx, last), owner, row_ids[sample_id])
    do_close_chat(_at(ctx, last), owner, chat.id)
    return chat.id
