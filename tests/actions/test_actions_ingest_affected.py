"""The ingest door re-attributes only what a call can change (issue 11, bridges): after every
call of random sequences, every post's stored segments and attribution columns (and their
counts) are what the whole chat's recompute gives."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hashchat.actions import ingest
from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_end_chat, do_next_question, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.ingest import (
    _as_dicts,
    _attribution_columns,
    _chat_raw_rows,
    _is_sqlite,
    _segments_of_chat,
    _stored_segments,
    do_ingest_posts,
)
from hashchat.actions.moderation import do_hide_post
from hashchat.actions.segments import refresh_chat_segments
from hashchat.actions.series import do_create_series
from hashchat.actions.views import UserView
from hashchat.domain.ingest import ForeignPost, Network
from hashchat.store.models import BridgePostRow, BridgeRow, ChatRow, PostRow

IDS = [str(n) for n in range(1, 7)]
TEXTS = [
    "A1 fixed the van shelving",
    "A2 a checklist",
    "A1 shelving A2 checklist",
    "A1: yes & A3: no",
    *["plain words, no tag", "agreed", "me too", "same here", "agreed", "+1", "yes"],
    "Q1 What did you fix?",
    "Q2 Which tool?",
    "A3 late one",
]
_COLUMNS = (
    "question",
    "part",
    "inferred",
    "late",
    "segments",
    "answer_segments",
    "late_answer_segments",
    "reply_segments",
    "question_segments",
)


def _assert_whole_chat_agrees(ctx: AppContext, chat_id: int) -> None:
    """Stored segments and columns are the whole chat's recompute (both oracles)."""
    with ctx.store.read() as session:
        chat = session.get(ChatRow, chat_id)
        assert chat is not None
        rows = _as_dicts(_chat_raw_rows(session, chat_id), _is_sqlite(session))
        wanted = _segments_of_chat(session, chat, rows)
        assert _stored_segments(session, chat_id) == wanted
        for post in session.scalars(sa.select(PostRow).where(PostRow.chat_id == chat_id)):
            segments = wanted.get(post.id)
            if post.hidden:
                assert segments is None
            elif segments:
                stored = {name: getattr(post, name) for name in _COLUMNS}
                assert stored == _attribution_columns(segments), post.id
    with ctx.store.write() as session:
        chat = session.get(ChatRow, chat_id)
        assert chat is not None
        assert refresh_chat_segments(session, chat) == 0


_post_fields = st.fixed_dictionaries(
    {
        "external_id": st.sampled_from(IDS),
        "text": st.sampled_from(TEXTS),
        "author": st.sampled_from(["tradietom", "ledgerlucy", "tradietom", "hostess"]),
        "by_host": st.sampled_from([*[None] * 6, False, True]),
        "minute": st.integers(-3, 3),
        "late": st.integers(0, 11).map(lambda n: 60 if n == 0 else 0),
        "second": st.sampled_from([0, 0, 30]),
        # mostly chains (6 replies to 5 replies to 4...), so that parents arriving late,
        # edits and hides change whole threads
        "reply_to": st.sampled_from([*["prev"] * 6, "prev2", "any", None, "q1", "q2"]),
        "any": st.sampled_from(IDS),
        "repost": st.integers(0, 9).map(lambda n: n == 0),
        "deleted": st.integers(0, 7).map(lambda n: n == 0),
        "edited": st.booleans(),
    }
)
_step = st.one_of(
    st.tuples(st.just("ingest"), st.lists(_post_fields, min_size=1, max_size=3)),
    st.tuples(st.just("ingest"), st.lists(_post_fields, min_size=1, max_size=3)),
    st.tuples(st.just("ingest"), st.lists(_post_fields, min_size=1, max_size=3)),
    st.tuples(st.just("ingest"), st.lists(_post_fields, min_size=1, max_size=3)),
    st.tuples(st.just("question"), st.integers(1, 25)),
    st.tuples(st.just("end"), st.integers(1, 25)),
    st.tuples(st.just("hide"), st.sampled_from(IDS)),
    st.tuples(st.just("edit"), st.sampled_from(IDS), st.sampled_from(TEXTS)),
)


def _foreign(source: str, t0: datetime, values: dict[str, Any]) -> ForeignPost:
    number = int(values["external_id"])
    minutes = 3 * number + values["minute"] + values["late"]
    at = t0 + timedelta(minutes=minutes, seconds=values["second"])
    reply_to = {
        "prev": str(number - 1),
        "prev2": str(number - 2),
        "any": values["any"],
        None: None,
    }.get(values["reply_to"], values["reply_to"])
    return ForeignPost(
        network=Network.X,
        source=source,
        external_id=values["external_id"],
        author_handle=values["author"],
        display_name=values["author"],
        text=values["text"],
        created_at=at,
        reply_to=reply_to,
        repost_of="1" if values["repost"] else None,
        edited_at=at + timedelta(minutes=1) if values["edited"] else None,
        deleted=values["deleted"],
        by_host=values["by_host"],
    )


@pytest.fixture
def host_ctx(
    new_context: Callable[[], AppContext], monkeypatch: pytest.MonkeyPatch
) -> tuple[AppContext, UserView, int]:
    # Every call takes the affected-set path (a large call would take the whole chat's).
    monkeypatch.setattr(ingest, "LOCAL_SHARE", 1.0)
    ctx = new_context()
    host = do_register(ctx, "kaizencoach", "correct horse battery")
    series = do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    with ctx.store.write() as session:
        bridge = BridgeRow(
            series_id=series.id,
            network=Network.X.value,
            account="kaizen",
            settings="{}",
            secret="",
            status="active",
            created_at=ctx.now(),
        )
        session.add(bridge)
        session.flush()
        bridge_id = bridge.id
    return ctx, host, bridge_id


_examples = iter(range(1_000_000))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=st.sampled_from(["planned", "live", "live+q"]),
    steps=st.lists(_step, min_size=6, max_size=16),
)
def test_each_call_stores_what_the_whole_chat_gives(
    host_ctx: tuple[AppContext, UserView, int], start: str, steps: list[tuple[str, Any]]
) -> None:
    ctx, host, bridge_id = host_ctx
    n = next(_examples)
    source = f"x{n}.com"  # identities of one example only
    clock: Any = ctx.settings.clock
    t0 = clock()
    chat = do_create_chat(
        ctx, host, "KaizenBiz", f"Habits {n}", t0, 60, ["Wins?", "Tools?", "Why?"]
    )
    with ctx.store.write() as session:  # our Q1 on X: replies to it there answer it
        session.add(
            BridgePostRow(
                bridge_id=bridge_id,
                chat_id=chat.id,
                kind="question",
                number=1,
                external_id="q1",
                created_at=t0,
            )
        )
    if start != "planned":
        do_start_chat(ctx, host, chat.id)
    if start == "live+q":
        do_next_question(ctx, host, chat.id)
    state = "planned" if start == "planned" else "live"
    asked = 1 if start == "live+q" else 0
    sent: dict[str, dict[str, Any]] = {}  # the last fields sent of each id
    for kind, value, *more in steps:
        if kind == "ingest":
            posts = [_foreign(source, t0, fields) for fields in value]
            sent.update((fields["external_id"], fields) for fields in value)
            do_ingest_posts(ctx, "test", chat.id, posts)
        elif kind == "edit":  # the source re-sends a post with a new text (a thread's root)
            if value in sent:
                sent[value] = {**sent[value], "text": more[0], "edited": True}
                do_ingest_posts(ctx, "test", chat.id, [_foreign(source, t0, sent[value])])
        elif kind == "question":
            clock.now = clock() + timedelta(minutes=value)
            if state == "live" and asked < 3:
                do_next_question(ctx, host, chat.id)
                asked += 1
        elif kind == "end":
            clock.now = clock() + timedelta(minutes=value)
            if state == "live":
                do_end_chat(ctx, host, chat.id)
                state = "ended"
        else:
            with ctx.store.read() as session:
                post_id = session.scalar(
                    sa.select(PostRow.id).where(
                        PostRow.chat_id == chat.id,
                        PostRow.source == source,
                        PostRow.external_id == value,
                    )
                )
            if post_id is not None:
                do_hide_post(ctx, host, post_id)
        _assert_whole_chat_agrees(ctx, chat.id)
    clock.now = clock() + timedelta(hours=3)  # the next example's chat starts later


def test_a_late_parent_reattributes_its_replies_and_theirs(
    host_ctx: tuple[AppContext, UserView, int],
) -> None:
    """The replies of a post a call adds or changes are re-attributed, transitively: a parent
    arriving after its reply and the reply's own reply (the rule the property test checks)."""
    ctx, host, _ = host_ctx
    t0 = datetime(2026, 1, 9, 17, 0, tzinfo=UTC)
    chat = do_create_chat(ctx, host, "KaizenBiz", "Late parent", t0, 60, ["Wins?", "Tools?"])
    at = t0 + timedelta(minutes=5)

    def post(external_id: str, text: str, minute: int, reply_to: str | None) -> ForeignPost:
        return ForeignPost(
            network=Network.X,
            source="x.com",
            external_id=external_id,
            author_handle="tradietom",
            display_name="Tom",
            text=text,
            created_at=at + timedelta(minutes=minute),
            reply_to=reply_to,
        )

    for n in range(20):  # a chat with more than the call in it
        do_ingest_posts(ctx, "test", chat.id, [post(f"other{n}", "A1 unrelated", n, None)])
    do_ingest_posts(ctx, "test", chat.id, [post("child", "agreed", 2, "parent")])
    do_ingest_posts(ctx, "test", chat.id, [post("grandchild", "me too", 3, "child")])
    with ctx.store.read() as session:
        questions = dict(
            session.execute(
                sa.select(PostRow.external_id, PostRow.question).where(PostRow.chat_id == chat.id)
            ).all()
        )
    assert (questions["child"], questions["grandchild"]) == (None, None)
    do_ingest_posts(ctx, "test", chat.id, [post("parent", "A2 a checklist", 1, None)])
    with ctx.store.read() as session:
        questions = dict(
            session.execute(
                sa.select(PostRow.external_id, PostRow.question).where(PostRow.chat_id == chat.id)
            ).all()
        )
    assert (questions["parent"], questions["child"], questions["grandchild"]) == (2, 2, 2)
    _assert_whole_chat_agrees(ctx, chat.id)
    # a new reply three deep is attributed from its whole chain, not its parent alone
    do_ingest_posts(ctx, "test", chat.id, [post("great", "+1", 4, "grandchild")])
    _assert_whole_chat_agrees(ctx, chat.id)
    # an edit at the root reaches every reply below it
    do_ingest_posts(ctx, "test", chat.id, [post("parent", "A1 the shelving", 1, None)])
    with ctx.store.read() as session:
        questions = dict(
            session.execute(
                sa.select(PostRow.external_id, PostRow.question).where(PostRow.chat_id == chat.id)
            ).all()
        )
    assert [questions[k] for k in ("parent", "child", "grandchild", "great")] == [1, 1, 1, 1]
    _assert_whole_chat_agrees(ctx, chat.id)
