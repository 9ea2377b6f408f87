"""The X bridge reads the hashtag live on the filtered stream where the keys' access level has
it (the local v2 server speaks the documented stream endpoints), catches up by recent search
after every (re)connection without losing or duplicating a post, and reads by recent search
alone, saying so in the health, where the access level has no stream."""

from __future__ import annotations

import time

from bridge_support import filed_posts, live_chat, wait_for
from x_server import KEYS, LocalX

from hashchat.actions import bridges
from hashchat.actions.context import AppContext
from hashchat.actions.views import UserView
from hashchat.bridges.runner import BridgeRunner
from hashchat.bridges.x import SNOWFLAKE_EPOCH_MS, XAccount, searchable_since, snowflake_before


def _connect(ctx: AppContext, host: UserView, x: LocalX) -> None:
    bridges.do_connect_bridge(
        ctx,
        host,
        "EduChat",
        "x",
        KEYS,
        lambda network, values: XAccount(values, x.session()).verify(),
    )


def _runner(ctx: AppContext, x: LocalX) -> BridgeRunner:
    runner = BridgeRunner(ctx, name="x-stream")
    runner.x_session = x.session()
    runner.tick()
    return runner


def _health(ctx: AppContext, host: UserView) -> bridges.BridgeView:
    (view,) = bridges.bridges_of_series(ctx, host, "EduChat")
    return view


def _ids(ctx: AppContext, chat_id: int) -> list[str]:
    return [str(p.external_id) for p in filed_posts(ctx, chat_id)]


def test_the_stream_delivers_into_the_room(ctx: AppContext, host: UserView, x: LocalX) -> None:
    _connect(ctx, host, x)
    chat_id = live_chat(ctx, host)
    before = x.post_as("alice", "A1 before the bridge #EduChat")
    runner = _runner(ctx, x)
    try:
        wait_for(lambda: _ids(ctx, chat_id) == [before["id"]])  # the catch-up at connection
        assert x.open_streams == 1
        assert x.rules == [{"value": "#EduChat", "tag": "hashchat", "id": x.rules[0]["id"]}]
        searches = x.searches
        started = time.monotonic()
        live = [x.post_as("bob", f"A1 live {n} #educhat") for n in range(5)]
        x.post_as("carol", "not our tag #OtherChat")
        wait_for(lambda: len(_ids(ctx, chat_id)) == 6, seconds=10)
        took = time.monotonic() - started
        assert x.searches == searches  # delivered by the stream, not by a search
    finally:
        runner.close()
    assert _ids(ctx, chat_id) == [before["id"], *(t["id"] for t in live)]
    assert took < 1.5, f"the stream took {took:.2f} s"
    (view,) = bridges.bridges_of_series(ctx, host, "EduChat")
    assert view.status == "ok"
    assert view.last_error is None


def test_a_dropped_stream_reconnects_and_catches_up_without_loss_or_duplicates(
    ctx: AppContext, host: UserView, x: LocalX
) -> None:
    _connect(ctx, host, x)
    chat_id = live_chat(ctx, host)
    runner = _runner(ctx, x)
    try:
        wait_for(lambda: x.open_streams == 1)
        first = x.post_as("alice", "A1 streamed #EduChat")
        wait_for(lambda: _ids(ctx, chat_id) == [first["id"]])
        x.hold_streams()  # the network is down: the bridge cannot reconnect yet
        x.drop_streams()
        wait_for(lambda: x.open_streams == 0)
        missed = [x.post_as("bob", f"A1 while down {n} #EduChat") for n in range(120)]
        time.sleep(0.3)
        assert _ids(ctx, chat_id) == [first["id"]]  # nothing can have come yet
        x.release_streams()
        wait_for(lambda: x.stream_connections == 2 and len(_ids(ctx, chat_id)) == 121)
        after = x.post_as("carol", "A1 after #EduChat")
        wait_for(lambda: len(_ids(ctx, chat_id)) == 122, seconds=10)
        time.sleep(0.5)  # anything filed twice would show now
    finally:
        runner.close()
    ids = _ids(ctx, chat_id)
    expected = [first["id"], *(t["id"] for t in missed), after["id"]]
    assert sorted(ids) == sorted(expected)
    assert len(ids) == len(set(ids))
    # A restart reads again from a little before the newest post filed, and adds nothing.
    runner = _runner(ctx, x)
    try:
        wait_for(lambda: x.stream_connections == 3)
        searches = x.searches
        wait_for(lambda: x.searches > searches or x.searches >= 3)
        time.sleep(0.5)
    finally:
        runner.close()
    assert sorted(_ids(ctx, chat_id)) == sorted(expected)


def test_an_access_level_without_the_stream_reads_by_search_and_says_so(
    ctx: AppContext, host: UserView, x: LocalX
) -> None:
    x.stream_allowed = False  # X's Basic level: recent search, no filtered stream
    _connect(ctx, host, x)
    chat_id = live_chat(ctx, host)
    runner = _runner(ctx, x)
    try:
        answer = x.post_as("alice", "A1 polled #EduChat")
        wait_for(lambda: _ids(ctx, chat_id) == [answer["id"]], seconds=15)
        wait_for(lambda: bridges.bridges_of_series(ctx, host, "EduChat")[0].last_error is not None)
    finally:
        runner.close()
    assert x.open_streams == 0
    assert x.stream_connections == 0
    (view,) = bridges.bridges_of_series(ctx, host, "EduChat")
    assert view.status == "ok"
    assert view.last_error is not None
    assert "client-not-enrolled" in view.last_error
    assert "reading by recent search every 6 s" in view.last_error


def test_a_stream_that_cannot_connect_reads_by_search_meanwhile(
    ctx: AppContext, host: UserView, x: LocalX
) -> None:
    x.stream_full = True  # the app's one connection is held elsewhere: 429 TooManyConnections
    _connect(ctx, host, x)
    chat_id = live_chat(ctx, host)
    runner = _runner(ctx, x)
    try:
        answers = [x.post_as("alice", f"A1 meanwhile {n} #EduChat") for n in range(3)]
        wait_for(lambda: len(_ids(ctx, chat_id)) == 3, seconds=20)
        more = x.post_as("bob", "A1 later #EduChat")
        wait_for(lambda: len(_ids(ctx, chat_id)) == 4, seconds=20)

        def note() -> str:
            return bridges.bridges_of_series(ctx, host, "EduChat")[0].last_error or ""

        wait_for(lambda: "TooManyConnections" in note())
    finally:
        runner.close()
    assert x.stream_connections == 0
    ids = _ids(ctx, chat_id)
    assert sorted(ids) == sorted([*(a["id"] for a in answers), more["id"]])
    assert "reading by recent search until it is back" in note()


def test_catch_up_starts_a_minute_before_the_newest_post() -> None:
    newest = str((1_733_300_000_000 - 1_288_834_974_657) << 22 | 17)
    since = snowflake_before(newest, 60)
    assert since is not None
    assert (int(newest) >> 22) - (int(since) >> 22) == 60_000
    assert snowflake_before(None, 60) is None
    assert snowflake_before("12", 60) is None


def test_a_stream_that_ends_as_soon_as_it_opens_is_retried_with_back_off(
    ctx: AppContext, host: UserView, x: LocalX
) -> None:
    """X accepting the connection and ending it at once, again and again, must not make the
    bridge reconnect (and search) in a tight loop: it reconnected 2,514 times in 3 s before."""
    x.stream_closes_at_once = True
    _connect(ctx, host, x)
    live_chat(ctx, host)
    runner = _runner(ctx, x)
    try:
        wait_for(lambda: x.stream_connections >= 1)
        time.sleep(3)
    finally:
        runner.close()
    assert x.stream_connections <= 15
    assert x.searches <= 15


def test_a_failing_catch_up_search_leaves_the_stream_reading(
    ctx: AppContext, host: UserView, x: LocalX
) -> None:
    x.search_failing = True  # recent search answers 503 (or its 15-minute budget is spent)
    _connect(ctx, host, x)
    chat_id = live_chat(ctx, host)
    runner = _runner(ctx, x)
    try:
        wait_for(lambda: x.open_streams == 1 and x.searches >= 1)
        live = [x.post_as("bob", f"A1 live {n} #EduChat") for n in range(3)]
        wait_for(lambda: len(_ids(ctx, chat_id)) == 3, seconds=10)
        assert x.stream_connections == 1  # the stream was never closed for the search
        wait_for(
            lambda: (
                "recent search"
                in str(bridges.bridges_of_series(ctx, host, "EduChat")[0].last_error)
            )
        )
        x.search_failing = False  # the catch-up owed is tried again, later, and then done
        wait_for(lambda: x.searches >= 2 and not x.search_failing, seconds=20)
    finally:
        runner.close()
    assert sorted(_ids(ctx, chat_id)) == sorted(t["id"] for t in live)


def test_a_catch_up_from_an_old_post_starts_where_recent_search_still_reaches() -> None:
    now = time.time()
    week_ago = str(((int((now - 8 * 24 * 3600) * 1000) - SNOWFLAKE_EPOCH_MS) << 22) + 5)
    moved = searchable_since(week_ago, now)
    assert moved is not None
    assert int(moved) > int(week_ago)
    age_days = (now * 1000 - ((int(moved) >> 22) + SNOWFLAKE_EPOCH_MS)) / 86_400_000
    assert 6.9 < age_days < 7.0
    recent = str(((int((now - 60) * 1000) - SNOWFLAKE_EPOCH_MS) << 22) + 7)
    assert searchable_since(recent, now) == recent
    assert searchable_since(None, now) is None
