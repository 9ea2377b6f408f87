"""The ingest door: identity, edits, deletions, reply links in any order, reposts, linked
handles, attribution by the domain rules, all or nothing per chat, one `resync` per call."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from foreign_posts_support import foreign_post as _post
from hypothesis import given
from hypothesis import strategies as st

from hashchat.actions.accounts import do_register
from hashchat.actions.chats import do_create_chat, do_next_question, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.ingest import IngestError, _sqlite_time, do_ingest_posts, json_text
from hashchat.actions.posts import do_create_post, list_posts
from hashchat.actions.recap import get_recap
from hashchat.actions.segments import refresh_chat_segments
from hashchat.actions.series import do_create_series
from hashchat.actions.views import to_json
from hashchat.domain.ingest import Network
from hashchat.store.events import events_after
from hashchat.store.models import ChatRow, OutboxRow, PostRow


def _chat(ctx: AppContext) -> tuple[int, datetime]:
    host = do_register(ctx, "kaizencoach", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat = do_create_chat(ctx, host, "KaizenBiz", "Habits", ctx.now(), 60, ["Wins?", "Tools?"])
    do_start_chat(ctx, host, chat.id)
    do_next_question(ctx, host, chat.id)
    return chat.id, ctx.now()


def _by_external(ctx: AppContext, chat_id: int) -> dict[str, PostRow]:
    with ctx.store.read() as session:
        rows = session.scalars(sa.select(PostRow).where(PostRow.chat_id == chat_id)).all()
        session.expunge_all()
    return {row.external_id: row for row in rows if row.external_id}


def test_ingest_adds_then_updates_never_duplicates(new_context: Callable[[], AppContext]) -> None:
    ctx = new_context()
    chat_id, t0 = _chat(ctx)
    posts = [
        _post("1", "A1 fixed the van shelving #KaizenBiz", t0 + timedelta(minutes=1)),
        _post("2", "A1 same here", t0 + timedelta(minutes=2), author_handle="ledgerlucy"),
    ]
    first = do_ingest_posts(ctx, "test", chat_id, posts)
    assert first.as_dict() == {"added": 2, "updated": 0, "unchanged": 0, "skipped": 0}
    again = do_ingest_posts(ctx, "test", chat_id, posts)
    assert again.as_dict() == {"added": 0, "updated": 0, "unchanged": 2, "skipped": 0}
    edited = _post(
        "1",
        "A1 fixed the van shelving, edited #KaizenBiz",
        t0 + timedelta(minutes=1),
        edited_at=t0 + timedelta(minutes=5),
    )
    deleted = _post(
        "2", "A1 same here", t0 + timedelta(minutes=2), author_handle="ledgerlucy", deleted=True
    )
    third = do_ingest_posts(ctx, "test", chat_id, [edited, deleted])
    assert third.as_dict() == {"added": 0, "updated": 2, "unchanged": 0, "skipped": 0}
    rows = _by_external(ctx, chat_id)
    assert len(rows) == 2
    assert rows["1"].text.endswith("edited #KaizenBiz")
    assert rows["1"].question == 1
    assert rows["2"].hidden  # deleted at the source: hidden, never removed
    # the source re-sending the deleted post undeleted does not unhide it here
    do_ingest_posts(ctx, "test", chat_id, posts)
    assert _by_external(ctx, chat_id)["2"].hidden


def test_same_id_from_another_source_is_another_post(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    chat_id, t0 = _chat(ctx)
    a = _post("7", "A1 from one blog", t0, network=Network.WORDPRESS, source="https://a.example")
    b = _post("7", "A1 from another", t0, network=Network.WORDPRESS, source="https://b.example")
    counts = do_ingest_posts(ctx, "test", chat_id, [a, b])
    assert counts.added == 2


def test_reply_whose_parent_arrives_later_is_linked(new_context: Callable[[], AppContext]) -> None:
    ctx = new_context()
    chat_id, t0 = _chat(ctx)
    reply = _post("11", "so true", t0 + timedelta(minutes=3), reply_to="10")
    do_ingest_posts(ctx, "test", chat_id, [reply])
    assert _by_external(ctx, chat_id)["11"].reply_to_post_id is None
    parent = _post("10", "A1 I batch my invoices", t0 + timedelta(minutes=2), author_handle="lu")
    do_ingest_posts(ctx, "test", chat_id, [parent])
    rows = _by_external(ctx, chat_id)
    assert rows["11"].reply_to_post_id == rows["10"].id
    # the reply inherits its parent's question by the domain's rules
    assert rows["11"].question == 1


def test_reposts_kept_but_never_participation(new_context: Callable[[], AppContext]) -> None:
    ctx = new_context()
    chat_id, t0 = _chat(ctx)
    posts = [
        _post("1", "A1 a real answer", t0 + timedelta(minutes=1)),
        _post(
            "2",
            "RT @tradietom: A1 a real answer",
            t0 + timedelta(minutes=2),
            author_handle="printshoppia",
            repost_of="1",
        ),
    ]
    do_ingest_posts(ctx, "test", chat_id, posts)
    figures = get_recap(ctx, chat_id).transcript.figures
    assert figures.reposts == 1
    assert figures.participants == 1
    assert figures.answers == 1
    assert _by_external(ctx, chat_id)["2"].is_repost


def test_linked_host_handle_counts_as_host(new_context: Callable[[], AppContext]) -> None:
    ctx = new_context()
    chat_id, t0 = _chat(ctx)
    host_post = _post("1", "great to see you all", t0 + timedelta(minutes=1), author_handle="KC")
    guest_post = _post("2", "loving this", t0 + timedelta(minutes=2), author_handle="guest")
    do_ingest_posts(
        ctx, "x archive", chat_id, [host_post, guest_post], as_user="kaizencoach", as_handle="kc"
    )
    rows = _by_external(ctx, chat_id)
    assert rows["1"].is_host
    assert rows["1"].author_id is not None
    assert rows["1"].question is None  # a host's untagged post is never inferred
    assert rows["2"].question == 1
    assert rows["2"].inferred
    assert not rows["2"].is_host
    assert rows["2"].author_id is None
    # the link stays: a later archive without --as still knows the handle
    do_ingest_posts(
        ctx,
        "again",
        chat_id,
        [_post("3", "thanks!", t0 + timedelta(minutes=3), author_handle="kc")],
    )
    assert _by_external(ctx, chat_id)["3"].is_host


def test_identity_in_another_chat_is_skipped(new_context: Callable[[], AppContext]) -> None:
    ctx = new_context()
    chat_id, t0 = _chat(ctx)
    host = do_register(ctx, "other", "correct horse battery")
    do_create_series(ctx, host, "Other", "Other", "UTC")
    other = do_create_chat(ctx, host, "Other", "Other", ctx.now(), 60, ["Q?"])
    post = _post("1", "A1 hello", t0)
    do_ingest_posts(ctx, "test", chat_id, [post])
    counts = do_ingest_posts(ctx, "test", other.id, [post])
    assert counts.as_dict() == {"added": 0, "updated": 0, "unchanged": 0, "skipped": 1}


def test_a_reimport_notices_a_change_in_any_one_column(
    new_context: Callable[[], AppContext],
) -> None:
    """The re-import's shortcut (`_nothing_changes`) compares stored rows as the driver reads
    them: each column changed alone is still an update, the same instant written in another
    zone is not, and a post hidden here stays hidden when its source sends it again."""
    ctx = new_context()
    chat_id, t0 = _chat(ctx)
    at = t0 + timedelta(minutes=1)
    parent = _post("p", "Q1 how do you start?", at)
    base = _post("1", "A1 kettle first ☕ #KaizenBiz", at + timedelta(seconds=7))
    assert do_ingest_posts(ctx, "test", chat_id, [parent, base]).added == 2
    zone = timezone(timedelta(hours=-5))
    elsewhere_in_time = replace(base, created_at=base.created_at.astimezone(zone))
    same = do_ingest_posts(ctx, "test", chat_id, [parent, elsewhere_in_time])
    assert same.as_dict() == {"added": 0, "updated": 0, "unchanged": 2, "skipped": 0}
    changes: list[dict[str, object]] = [
        {"text": "A1 kettle second ☕ #KaizenBiz"},
        {"display_name": "Tommy"},
        {"author_handle": "tomtradie"},
        {"url": "https://x.com/tradietom/status/1"},
        {"created_at": base.created_at + timedelta(microseconds=1)},
        {"reply_to": "p"},
        {"repost_of": "9"},
        {"edited_at": at + timedelta(minutes=3)},
        {"by_host": True},
        {"spotlight": True},
        {"deleted": True},
    ]
    current = base
    for change in changes:
        current = replace(current, **change)  # type: ignore[arg-type]
        counts = do_ingest_posts(ctx, "test", chat_id, [parent, current])
        assert counts.as_dict() == {"added": 0, "updated": 1, "unchanged": 1, "skipped": 0}, change
        again = do_ingest_posts(ctx, "test", chat_id, [parent, current])
        assert again.as_dict() == {"added": 0, "updated": 0, "unchanged": 2, "skipped": 0}, change
    row = _by_external(ctx, chat_id)["1"]
    assert (row.text, row.display_name, row.author_handle) == (current.text, "Tommy", "tomtradie")
    assert (row.is_repost, row.is_host, row.spotlight, row.hidden) == (True, True, True, True)
    assert row.reply_to_post_id == _by_external(ctx, chat_id)["p"].id
    undeleted = replace(current, deleted=False, spotlight=False)
    kept = do_ingest_posts(ctx, "test", chat_id, [parent, undeleted])
    assert kept.as_dict() == {"added": 0, "updated": 0, "unchanged": 2, "skipped": 0}
    assert _by_external(ctx, chat_id)["1"].hidden


def test_a_reimport_with_posts_of_another_chat_writes_nothing(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    chat_id, t0 = _chat(ctx)
    host = do_register(ctx, "other", "correct horse battery")
    do_create_series(ctx, host, "Other", "Other", "UTC")
    other = do_create_chat(ctx, host, "Other", "Other", t0, 60, ["Q?"])
    theirs = _post("9", "A1 elsewhere", t0)
    do_ingest_posts(ctx, "test", other.id, [theirs])
    ours = [_post(str(n), f"A1 post {n}", t0 + timedelta(seconds=n)) for n in range(5)]
    first = do_ingest_posts(ctx, "test", chat_id, [*ours, theirs])
    assert first.as_dict() == {"added": 5, "updated": 0, "unchanged": 0, "skipped": 1}
    before = len(events_after(ctx.store, chat_id, 0))
    again = do_ingest_posts(ctx, "test", chat_id, [*ours, theirs])
    assert again.as_dict() == {"added": 0, "updated": 0, "unchanged": 5, "skipped": 1}
    assert len(events_after(ctx.store, chat_id, 0)) == before  # nothing written


@pytest.mark.pg
@pytest.mark.parametrize("database_url", ["pg"], indirect=True)  # PostgreSQL's statistics only
def test_postgresql_statistics_are_asked_about_once_then_after_a_thousand_added(
    new_context: Callable[[], AppContext],
) -> None:
    """A re-import must not pay a round trip per chat to ask whether `posts` needs analysing."""
    ctx = new_context()
    engine = ctx.store.engine
    assert engine.dialect.name == "postgresql"
    asked: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if "n_mod_since_analyze" in statement:
            asked.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    chat_id, t0 = _chat(ctx)
    few = [_post(str(n), f"A1 post {n}", t0 + timedelta(seconds=n)) for n in range(3)]
    do_ingest_posts(ctx, "test", chat_id, few)
    do_ingest_posts(ctx, "test", chat_id, few)
    assert len(asked) == 1
    many = [_post(f"m{n}", f"A1 post {n}", t0 + timedelta(seconds=n)) for n in range(1_000)]
    do_ingest_posts(ctx, "test", chat_id, many)
    assert len(asked) == 1  # 3 added before this call
    do_ingest_posts(ctx, "test", chat_id, few)
    assert len(asked) == 2


def test_bad_record_stores_nothing_of_the_call(new_context: Callable[[], AppContext]) -> None:
    ctx = new_context()
    chat_id, t0 = _chat(ctx)
    posts = [_post("1", "A1 fine", t0), _post("2", "A1 fine too", t0, author_handle="x" * 201)]
    with pytest.raises(IngestError, match=r"^2: author_handle"):
        do_ingest_posts(ctx, "test", chat_id, posts)
    assert _by_external(ctx, chat_id) == {}


def test_text_stored_as_it_came(new_context: Callable[[], AppContext]) -> None:
    ctx = new_context()
    chat_id, t0 = _chat(ctx)
    long_text = "A1 " + "word " * 200  # far over the series' 280 limit
    do_ingest_posts(ctx, "test", chat_id, [_post("1", long_text, t0), _post("2", "a\x00b", t0)])
    rows = _by_external(ctx, chat_id)
    assert rows["1"].text == long_text
    assert rows["2"].text == "a\ufffdb"


def test_one_resync_event_per_call_and_nothing_in_the_outbox(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    chat_id, t0 = _chat(ctx)
    with ctx.store.read() as session:
        outbox_before = session.scalar(sa.select(sa.func.count()).select_from(OutboxRow))
    before = events_after(ctx.store, chat_id, 0)
    posts = [_post(str(n), f"A1 answer {n}", t0 + timedelta(seconds=n)) for n in range(1, 300)]
    do_ingest_posts(ctx, "bulk", chat_id, posts)
    new = events_after(ctx.store, chat_id, before[-1].id)
    assert [event.type for event in new] == ["resync"]
    with ctx.store.read() as session:
        outbox_after = session.scalar(sa.select(sa.func.count()).select_from(OutboxRow))
    assert outbox_after == outbox_before
    # an unchanged re-ingest says nothing to viewers
    do_ingest_posts(ctx, "bulk", chat_id, posts)
    assert len(events_after(ctx.store, chat_id, before[-1].id)) == 1
    assert len([p for p in list_posts(ctx, chat_id) if p.network == "x"]) == 299


def test_typed_post_after_imported_history(new_context: Callable[[], AppContext]) -> None:
    ctx = new_context()
    chat_id, t0 = _chat(ctx)
    do_ingest_posts(ctx, "test", chat_id, [_post("1", "A1 imported", t0)])
    tom = do_register(ctx, "tom", "correct horse battery")
    typed = do_create_post(ctx, tom, chat_id, "A1 typed here")
    assert typed.question == 1
    texts = {p.text for p in list_posts(ctx, chat_id)}
    assert {"A1 imported", "A1 typed here"} <= texts


def test_a_bridges_few_posts_in_a_running_chat_go_out_one_event_each(
    new_context: Callable[[], AppContext],
) -> None:
    ctx = new_context()
    chat_id, t0 = _chat(ctx)
    before = events_after(ctx.store, chat_id, 0)[-1].id
    posts = [
        _post("1", "A1 from Bluesky", t0 + timedelta(seconds=1), network=Network.BLUESKY),
        _post("2", "A1 from X", t0 + timedelta(seconds=2)),
    ]
    do_ingest_posts(ctx, "bridge 1", chat_id, posts)
    new = events_after(ctx.store, chat_id, before)
    assert [e.type for e in new] == ["post", "post"]
    views = {v.id: v for v in list_posts(ctx, chat_id)}
    for event in new:
        data = json.loads(event.data)
        assert data == to_json(views[data["id"]])  # the same JSON as the API's
    # deleted at the source: hidden here, a hide event, and its post event no longer has text
    deleted = _post("2", "A1 from X", t0 + timedelta(seconds=2), deleted=True)
    do_ingest_posts(ctx, "bridge 1", chat_id, [deleted])
    latest = events_after(ctx.store, chat_id, new[-1].id)
    assert [e.type for e in latest] == ["hide"]
    replay = [json.loads(e.data) for e in events_after(ctx.store, chat_id, before)]
    hidden_id = json.loads(latest[0].data)["post_id"]
    assert {"id": hidden_id, "chat_id": chat_id, "hidden": True} in replay


def test_history_into_a_closed_chat_is_one_resync(new_context: Callable[[], AppContext]) -> None:
    ctx = new_context()
    host = do_register(ctx, "kaizencoach", "correct horse battery")
    do_create_series(ctx, host, "KaizenBiz", "Kaizen", "UTC")
    chat = do_create_chat(ctx, host, "KaizenBiz", "Old", ctx.now(), 60, ["Wins?"])
    do_ingest_posts(ctx, "archive", chat.id, [_post("1", "A1 old", ctx.now())])
    assert [e.type for e in events_after(ctx.store, chat.id, 0)] == ["resync"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_doors_attribution_is_the_whole_chats(
    new_context: Callable[[], AppContext], seed: int
) -> None:
    """The door attributes in memory before it writes; whatever order posts arrive in (replies
    before their parents, later calls adding earlier posts, deletions, reposts), what it stored
    is what recomputing the whole chat from the database gives (`refresh_chat_segments` changes
    nothing), and every reply whose parent is in the chat is linked to it."""
    ctx = new_context()
    chat_id, t0 = _chat(ctx)
    rng = random.Random(seed)
    posts = []
    for number in range(60):
        tag = rng.choice(["A1 ", "A2 ", "", "", "A1 & A2: "])
        reply_to = str(rng.randrange(60)) if rng.random() < 0.4 else None
        posts.append(
            _post(
                str(number),
                f"{tag}note {number} #KaizenBiz",
                t0 + timedelta(minutes=rng.randrange(-5, 90), seconds=number),
                reply_to=reply_to if reply_to != str(number) else None,
                repost_of="99" if rng.random() < 0.05 else None,
                deleted=rng.random() < 0.05,
                author_handle=rng.choice(["tradietom", "kaizencoach", "ana"]),
            )
        )
    rng.shuffle(posts)
    for start in (0, 25, 45):
        do_ingest_posts(ctx, "test", chat_id, posts[start : start + 25 if start < 45 else 60])
        with ctx.store.write() as session:
            chat = session.get(ChatRow, chat_id)
            assert chat is not None
            assert refresh_chat_segments(session, chat) == 0
            rows = session.scalars(sa.select(PostRow).where(PostRow.chat_id == chat_id)).all()
            by_external = {row.external_id: row.id for row in rows if row.external_id}
            for row in rows:
                expected = by_external.get(row.reply_to_external_id or "")
                assert row.reply_to_post_id == expected, row.external_id
    assert len(by_external) == 60


@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "question": st.none() | st.integers(-(10**12), 10**12),
                "part": st.none() | st.text(max_size=5),
                "text": st.text(),
                "inferred": st.booleans(),
                "late": st.booleans(),
            }
        ),
        max_size=4,
    ),
    st.datetimes(
        min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.timezones()
    ),
)
def test_the_doors_own_encoders_write_what_sqlalchemy_would(
    segments: list[dict[str, object]], moment: datetime
) -> None:
    """The SQLite bulk path writes a post's segments JSON and its times by hand: the same text
    as `json.dumps` and as SQLAlchemy's DATETIME format."""
    assert json_text(segments) == json.dumps(segments)
    assert json_text({"other": [1, 2]}) == json.dumps({"other": [1, 2]})
    assert _sqlite_time(moment) == moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
