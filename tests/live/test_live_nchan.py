"""The nchan publisher and hand-off: order, retries, Last-Event-ID mapping, resync."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time

import httpx
import pytest
from live_support import DATABASE, Table, nchan_keys, redis_for, until

from hashchat.live.bus import StoredEvent
from hashchat.live.nchan import FanoutUnavailableError, NchanBus, batches, marker_frame
from hashchat.live.nchan_redis import RedisNchanState
from hashchat.live.nchan_state import (
    RESYNC,
    ChatMap,
    Handoff,
    MemoryNchanState,
    NchanState,
    decide,
)

pytestmark = pytest.mark.anyio
NOW = 1_800_000_000.0


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_decide_maps_a_resume_point_onto_nchans_messages() -> None:
    mapped = ChatMap(
        cursor=9,
        cursor_message=f"{NOW:.0f}:3",
        floor=4,
        at_or_before=(7, f"{NOW:.0f}:1"),
        oldest=(5, f"{NOW:.0f}:0"),
    )
    assert decide(mapped, 7, NOW, 600) == Handoff(message=f"{NOW:.0f}:1")
    nothing_before = ChatMap(9, f"{NOW:.0f}:3", 4, None, (5, f"{NOW:.0f}:0"))
    assert decide(nothing_before, 4, NOW, 600) == Handoff(message=None)  # the whole buffer
    assert decide(nothing_before, 3, NOW, 600) == RESYNC  # event 4 left the buffer
    stale = ChatMap(9, f"{NOW:.0f}:3", 4, (7, f"{NOW - 900:.0f}:1"), (5, f"{NOW:.0f}:0"))
    assert decide(stale, 7, NOW, 600) == RESYNC  # nchan may have dropped what follows it
    idle = ChatMap(9, f"{NOW - 9000:.0f}:3", 9, None, None)  # the map expired
    assert decide(idle, 9, NOW, 600) == Handoff(message=f"{NOW - 9000:.0f}:3")
    assert decide(idle, 8, NOW, 600) == RESYNC
    assert decide(ChatMap(None, None, 0, None, None), 0, NOW, 600) == Handoff(message=None)


class FakeNchan:
    """nchan's publisher as seen over HTTP: numbered messages, a bounded buffer."""

    def __init__(self, buffer: int) -> None:
        self.buffer = buffer
        self.bodies: list[bytes] = []
        self.tags: list[str] = []
        self.down = False
        self.attempts = 0
        self.deleted = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.attempts += 1
        if self.down:
            raise httpx.ConnectError("refused", request=request)
        if request.method == "DELETE":  # nchan drops the channel and its buffer
            self.deleted += 1
            self.bodies, self.tags = [], []
            return httpx.Response(200)
        self.bodies.append(request.content)
        tag = len(self.bodies) - 1
        self.tags.append(f"{NOW:.0f}:{tag}")
        info = {
            "messages": min(len(self.bodies), self.buffer),
            "last_message_id": self.tags[-1],
        }
        return httpx.Response(202, content=json.dumps(info).encode())


def make_bus(
    table: Table,
    nchan: FakeNchan,
    buffer: int,
    *,
    interval: float = 0.0,
    state: NchanState | None = None,
    clock: float = NOW,
    replay_limit: int = 1000,
) -> NchanBus:
    return NchanBus(
        table.after,
        table.last,
        "http://nchan/pub",
        MemoryNchanState(buffer) if state is None else state,
        buffer_length=buffer,
        message_seconds=3600,
        transport=httpx.MockTransport(nchan.handle),
        # nchan's message ids carry NOW; pacing never reads this clock (it counts by the
        # state's own: Redis's, or this process's monotonic one).
        clock=lambda: clock,
        retry_seconds=0.01,
        interval_seconds=interval,
        changes=frozenset({"hide", "spotlight"}),
        replay_limit=replay_limit,
    )


def frame_ids(nchan: FakeNchan) -> list[list[int]]:
    return [[int(n) for n in re.findall(rb"^id: (\d+)$", body, re.M)] for body in nchan.bodies]


async def commit_each(table: Table, bus: NchanBus, nchan: FakeNchan, *types: str) -> None:
    """Commit one event per type, each published in its own message (waited for, not slept
    for: a busy box would otherwise batch them)."""
    for type_ in types:
        table.add(type_=type_)
        bus.publish(1)
        count = len(nchan.bodies)
        await until(lambda: len(nchan.bodies) > count)  # noqa: B023 (awaited here)


async def test_events_are_published_in_order_once_and_retried_after_a_failure() -> None:
    table, nchan = Table(), FakeNchan(buffer=5)
    bus = make_bus(table, nchan, 5)
    bus.bind(asyncio.get_running_loop())

    await commit_each(table, bus, nchan, "post", "post")
    nchan.down = True
    for _ in range(2):  # these two wait, then go out together
        table.add()
        bus.publish(1)
    await until(lambda: nchan.attempts > 2)
    nchan.down = False
    await until(lambda: len(nchan.bodies) == 3)
    assert frame_ids(nchan) == [[1], [2], [3, 4]]
    assert await bus.handoff(1, 2) == Handoff(message=f"{NOW:.0f}:1")  # after event 2's message
    assert await bus.handoff(1, 0) == Handoff(message=None)  # the buffer holds the whole chat
    # Inside the message of 3 and 4: the app answers 4 itself and the reconnect (after 4, a
    # message boundary) goes to nchan; no resync, nothing twice.
    assert await bus.handoff(1, 3) == Handoff(replay_to=4)
    assert await bus.replay(1, 3, 4) == b'id: 4\nevent: post\ndata: {"n":4}\n\nretry: 50\n\n'
    assert await bus.handoff(1, 4) == Handoff(message=f"{NOW:.0f}:2")
    await commit_each(table, bus, nchan, *["post"] * 4)
    assert frame_ids(nchan)[3:] == [[5], [6], [7], [8]]
    assert await bus.handoff(1, 1) == RESYNC  # 6 messages, nchan keeps 5
    assert await bus.handoff(1, 2) == Handoff(message=None)  # messages 3..8 are all held
    assert await bus.handoff(1, 6) == Handoff(message=f"{NOW:.0f}:4")
    await bus.aclose()


async def test_handoff_waits_for_the_publisher_then_gives_up_cleanly() -> None:
    table, nchan = Table(), FakeNchan(buffer=5)
    bus = make_bus(table, nchan, 5)
    bus.bind(asyncio.get_running_loop())
    table.add()  # committed, never announced: the hand-off itself makes it published
    assert await bus.handoff(1, 1) == Handoff(message=f"{NOW:.0f}:0")
    nchan.down = True
    table.add()
    bus._catch_up_seconds = 0.1
    with pytest.raises(FanoutUnavailableError):
        await bus.handoff(1, 2)
    await bus.aclose()


def ids(*numbers: int) -> list[StoredEvent]:
    return [StoredEvent(n, 1, "post", "{}") for n in numbers]


def test_batches_end_at_the_limit_and_at_every_cut() -> None:
    def runs(events: list[StoredEvent], cuts: tuple[int, ...], limit: int) -> list[list[int]]:
        return [[e.id for e in run] for run in batches(events, cuts, limit)]

    assert runs(ids(1, 2, 3, 4, 5), (), 2) == [[1, 2], [3, 4], [5]]
    assert runs(ids(1, 2, 3, 4, 5), (2,), 50) == [[1, 2], [3, 4, 5]]
    assert runs(ids(1, 2, 5, 6), (3,), 50) == [[1, 2], [5, 6]]  # a cut between two events
    assert runs(ids(1, 2, 3), (0, 3, 9), 50) == [[1, 2, 3]]  # cuts outside change nothing
    assert runs(ids(1, 2, 3, 4), (1, 3), 50) == [[1], [2, 3], [4]]
    assert runs([], (1,), 50) == []


async def test_a_busy_chat_is_paced_and_a_quiet_one_is_not() -> None:
    table, nchan = Table(), FakeNchan(buffer=100)
    # A wall clock hours off (a skewed host) changes nothing: pacing does not read it.
    bus = make_bus(table, nchan, 100, interval=1.0, clock=NOW - 7200)
    bus.bind(asyncio.get_running_loop())
    table.add()
    started = time.monotonic()
    bus.publish(1)
    await until(lambda: len(nchan.bodies) == 1)  # quiet: at once
    for _ in range(3):  # busy: these wait for the interval and go out together
        table.add()
        bus.publish(1)
    await asyncio.sleep(0.05)
    assert frame_ids(nchan) == [[1]]
    await until(lambda: len(nchan.bodies) == 2)
    assert time.monotonic() - started >= 0.9
    assert frame_ids(nchan) == [[1], [2, 3, 4]]
    await bus.aclose()


async def test_a_resuming_viewer_gets_a_message_boundary_at_once() -> None:
    table, nchan = Table(), FakeNchan(buffer=100)
    bus = make_bus(table, nchan, 100, interval=5.0)  # pacing would hold events for 5 s
    bus.bind(asyncio.get_running_loop())
    table.add()
    bus.publish(1)
    await until(lambda: len(nchan.bodies) == 1)
    for _ in range(3):
        table.add()
        bus.publish(1)
    await asyncio.sleep(0.05)
    assert frame_ids(nchan) == [[1]]
    # The page showed events up to 3; 4 came after. Without a cut, 2..4 would be one message
    # and this viewer, inside it, would have to reload.
    started = time.monotonic()
    handoff = await bus.handoff(1, 3)
    assert time.monotonic() - started < 1.0
    assert frame_ids(nchan) == [[1], [2, 3], [4]]
    assert handoff == Handoff(message=f"{nchan.tags[1]}")
    await bus.aclose()


async def test_a_resume_point_given_to_a_page_ends_a_message_there() -> None:
    table, nchan = Table(), FakeNchan(buffer=100)
    bus = make_bus(table, nchan, 100, interval=0.2)
    bus.bind(asyncio.get_running_loop())
    for _ in range(2):
        table.add()
    bus.resume_point(1, 2)  # a page showed events 1 and 2 (what the room page does)
    await asyncio.sleep(0.01)
    for _ in range(2):
        table.add()
    bus.publish(1)
    await until(lambda: len(nchan.bodies) == 2)
    assert frame_ids(nchan) == [[1, 2], [3, 4]]
    assert await bus.handoff(1, 2) == Handoff(message=nchan.tags[0])
    await bus.aclose()


async def test_a_waiting_hand_off_does_not_hammer_a_failing_nchan() -> None:
    table, nchan = Table(), FakeNchan(buffer=100)
    bus = make_bus(table, nchan, 100, interval=0.1)
    bus._retry_seconds = 0.5
    bus._catch_up_seconds = 1.2
    bus.bind(asyncio.get_running_loop())
    table.add()
    nchan.down = True
    with pytest.raises(FanoutUnavailableError):
        await bus.handoff(1, 1)  # re-marks the chat every 20 ms while it waits
    assert 2 <= nchan.attempts <= 4  # one try per retry_seconds, not one per 20 ms
    nchan.down = False
    assert await bus.handoff(1, 1) == Handoff(message=nchan.tags[0])
    await bus.aclose()


@pytest.mark.redis
async def test_a_hand_off_waits_out_another_publishers_lock(redis_url: str) -> None:
    async with redis_for(redis_url, nchan_keys(1)) as client:
        table, nchan = Table(), FakeNchan(buffer=100)
        state = RedisNchanState(client, 100, 3600, database=DATABASE)
        bus = make_bus(table, nchan, 100, interval=0.1, state=state)
        try:
            bus.bind(asyncio.get_running_loop())
            table.add()
            await client.set(f"hashchat:nchan:{DATABASE}:1:lock", "another process", px=300)
            started = time.monotonic()
            # Within the hand-off's own bound (3 s), as soon as the lock expired.
            assert await bus.handoff(1, 1) == Handoff(message=nchan.tags[0])
            assert time.monotonic() - started >= 0.25
        finally:
            await bus.aclose()


@pytest.mark.redis
async def test_two_publishers_on_one_redis_state_publish_each_event_once_in_order(
    redis_url: str,
) -> None:
    async with redis_for(redis_url, nchan_keys(1)) as client:
        table, nchan = Table(), FakeNchan(buffer=1000)
        buses = [
            make_bus(
                table,
                nchan,
                1000,
                interval=0.05,
                state=RedisNchanState(client, 1000, 3600, database=DATABASE),
            )
            for _ in range(2)
        ]
        try:
            for bus in buses:
                bus.bind(asyncio.get_running_loop())
            for n in range(120):  # like two app processes taking turns with a busy chat's posts
                table.add()
                buses[n % 2].publish(1)
                await asyncio.sleep(0.004)
            await until(lambda: sum(map(len, frame_ids(nchan))) >= 120, 10)
            published = [n for frame in frame_ids(nchan) for n in frame]
            assert published == list(range(1, 121))
            assert len(nchan.bodies) < 60  # paced: several events per message
        finally:
            for bus in buses:
                await bus.aclose()


def test_decide_answers_from_the_database_inside_a_message_and_behind_a_change() -> None:
    message = f"{NOW:.0f}:1"
    inside = ChatMap(9, f"{NOW:.0f}:3", 0, (4, f"{NOW:.0f}:0"), (4, f"{NOW:.0f}:0"), 5, 7)
    assert decide(inside, 5, NOW, 600) == Handoff(replay_to=7)
    assert decide(inside, 4, NOW, 600) == Handoff(message=f"{NOW:.0f}:0")  # on a boundary
    # Event 8 changed a post published before it; its message ends at 9.
    changed = ChatMap(9, f"{NOW:.0f}:3", 0, (7, message), (4, f"{NOW:.0f}:0"), 8, 9, 8, 9)
    assert decide(changed, 7, NOW, 600) == Handoff(replay_to=9)
    assert decide(changed, 5, NOW, 600) == Handoff(replay_to=9)
    assert decide(changed, 9, NOW, 600).replay_to is None  # past the change: nchan is current
    gone = ChatMap(9, f"{NOW:.0f}:3", 6, None, (7, message), 7, 7, 5, None)
    assert decide(gone, 6, NOW, 600) == Handoff(message=None)  # the change left the buffer


async def test_no_resume_point_behind_a_changed_post_is_served_from_nchans_buffer() -> None:
    table, nchan = Table(), FakeNchan(buffer=100)
    bus = make_bus(table, nchan, 100)
    bus.bind(asyncio.get_running_loop())
    await commit_each(table, bus, nchan, "post", "post", "post", "hide", "post")  # 4 hides 2
    assert frame_ids(nchan) == [[1], [2], [3], [4], [5]]
    table.rows[1] = StoredEvent(2, 1, "post", '{"hidden":true}')  # what the database says now
    for after in (0, 1, 3):  # nchan's frame of 2 (or an event before 4) would be served
        handoff = await bus.handoff(1, after)
        assert handoff == Handoff(replay_to=4)
        replayed = await bus.replay(1, after, 4)
        assert replayed is not None
        assert b'{"n":2}' not in replayed
        assert re.findall(rb"^id: (\d+)$", replayed, re.M) == [
            str(n).encode() for n in range(after + 1, 5)
        ]
    assert await bus.handoff(1, 4) == Handoff(message=nchan.tags[3])
    bus._replay_limit = 2
    assert await bus.replay(1, 0, 4) is None  # too far back for a replay: resync
    await bus.aclose()


async def test_a_resume_point_the_database_never_had_gets_resync() -> None:
    table, nchan = Table(), FakeNchan(buffer=100)
    bus = make_bus(table, nchan, 100)
    bus.bind(asyncio.get_running_loop())
    await commit_each(table, bus, nchan, "post")
    assert await bus.handoff(1, 500) == RESYNC  # e.g. a page of the database before a reset
    await bus.aclose()


@pytest.mark.redis
async def test_state_of_another_database_on_the_same_redis_is_detected_and_replaced(
    redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    keys = nchan_keys(1) + nchan_keys(1, "otherdatabase")
    async with redis_for(redis_url, keys) as client:
        old_table, nchan = Table(), FakeNchan(buffer=100)
        old_state = RedisNchanState(client, 100, 3600, database="otherdatabase")
        old = make_bus(old_table, nchan, 100, state=old_state)
        try:
            old.bind(asyncio.get_running_loop())
            await commit_each(old_table, old, nchan, *["post"] * 5)
        finally:
            await old.aclose()
        assert frame_ids(nchan) == [[1], [2], [3], [4], [5]]
        # The database is reset (a new id), Redis and nginx stay: its first events are
        # published at once, after nchan's channel of the old database was emptied.
        table = Table()
        state = RedisNchanState(client, 100, 3600, database=DATABASE)
        bus = make_bus(table, nchan, 100, state=state)
        try:
            bus.bind(asyncio.get_running_loop())
            table.add()
            bus.publish(1)
            await until(lambda: nchan.deleted == 1 and len(nchan.bodies) == 1)
            assert frame_ids(nchan) == [[1]]
            assert "another database (otherdatabase)" in caplog.text
            assert await bus.handoff(1, 5) == RESYNC  # a viewer of the old database reloads
            assert await bus.handoff(1, 1) == Handoff(message=nchan.tags[0])
            # Restored from an older copy (same id): the cursor is past its newest event.
            await commit_each(table, bus, nchan, *["post"] * 3)
            assert frame_ids(nchan) == [[1], [2], [3], [4]]
            caplog.clear()
            table.rows[:] = table.rows[:1]  # the database goes back to event 1
            table.add()  # a new event 2 after the restore
            bus.publish(1)
            await until(lambda: nchan.deleted == 2 and len(nchan.bodies) == 1)
            assert frame_ids(nchan) == [[1, 2]]
            assert "restored from an older copy" in caplog.text
        finally:
            await bus.aclose()


@pytest.mark.parametrize("store", ["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def test_a_viewer_at_the_present_gets_a_marker_with_the_id_first(
    store: str, request: pytest.FixtureRequest
) -> None:
    keys = nchan_keys(1)
    async with contextlib.AsyncExitStack() as stack:
        state: NchanState = MemoryNchanState(3)
        if store == "redis":
            client = await stack.enter_async_context(
                redis_for(request.getfixturevalue("redis_url"), keys)
            )
            state = RedisNchanState(client, 3, 3600, database=DATABASE)
        table, nchan = Table(), FakeNchan(buffer=3)
        bus = make_bus(table, nchan, 3, interval=0.05, state=state)
        stack.push_async_callback(bus.aclose)
        bus.bind(asyncio.get_running_loop())
        await commit_each(table, bus, nchan, "post", "post")
        # Two viewers without a resume point: handed off after event 2's message, and one
        # marker (id 2, no data) follows it for both.
        for _ in range(2):
            assert await bus.handoff(1, 2, present=True) == Handoff(message=nchan.tags[1])
        await until(lambda: len(nchan.bodies) == 3)
        assert nchan.bodies[2] == marker_frame(2) == b": at the present\nid: 2\nretry: 1000\n\n"
        # Later viewers at 2 start before the marker too; no second marker for them.
        assert await bus.handoff(1, 2, present=True) == Handoff(message=nchan.tags[1])
        assert await bus.handoff(1, 2) == Handoff(message=nchan.tags[1])
        await asyncio.sleep(0.15)
        assert len(nchan.bodies) == 3
        # Every message carries the retry; nchan keeps 3 messages (the marker is one of them).
        await commit_each(table, bus, nchan, "post", "post")
        assert frame_ids(nchan) == [[1], [2], [2], [3], [4]]
        assert all(body.startswith(b"retry: 1000\n") for body in nchan.bodies[3:])
        assert await bus.handoff(1, 2) == Handoff(message=None)  # marker, 3, 4: all held
        assert await bus.handoff(1, 1) == RESYNC  # event 2's message left the buffer
        await commit_each(table, bus, nchan, "post")  # the marker leaves too
        assert await bus.handoff(1, 2) == Handoff(message=None)
        assert await bus.handoff(1, 3) == Handoff(message=nchan.tags[3])
        # An event published before the interval is over makes the marker unnecessary.
        bus._interval = 0.5  # the marker waits this long; event 6 is not paced (5 is old)
        await asyncio.sleep(0.1)
        assert await bus.handoff(1, 5, present=True) == Handoff(message=nchan.tags[5])
        await commit_each(table, bus, nchan, "post")
        await asyncio.sleep(0.6)
        assert frame_ids(nchan)[-1] == [6]
        assert len(nchan.bodies) == 7


def post_event(event_id: int, post_id: int, created_at: str | None) -> StoredEvent:
    data: dict[str, object] = {"id": post_id, "chat_id": 1}
    data |= {"text": "t", "created_at": created_at} if created_at else {"hidden": True}
    return StoredEvent(event_id, 1, "post", json.dumps(data))


@pytest.mark.parametrize("store", ["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def test_a_restore_one_event_behind_whose_next_event_reuses_the_id_is_noticed(
    store: str, request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        state: NchanState = MemoryNchanState(100)
        if store == "redis":
            client = await stack.enter_async_context(
                redis_for(request.getfixturevalue("redis_url"), nchan_keys(1))
            )
            state = RedisNchanState(client, 100, 3600, database=DATABASE)
        table, nchan = Table(), FakeNchan(buffer=100)
        bus = make_bus(table, nchan, 100, state=state)
        stack.push_async_callback(bus.aclose)
        bus.bind(asyncio.get_running_loop())

        async def commit(event: StoredEvent) -> None:
            table.rows.append(event)
            bus.publish(1)
            count = len(nchan.bodies)
            await until(lambda: len(nchan.bodies) > count)

        await commit(post_event(1, 1, "2026-12-04T10:00:00Z"))
        await commit(post_event(2, 2, "2026-12-04T10:00:01Z"))
        # Post 2 is hidden (its event rewritten, no time left) and a hide event follows: the
        # same event, not a restore.
        table.rows[1] = post_event(2, 2, None)
        await commit(StoredEvent(3, 1, "hide", '{"post_id":2}'))
        assert nchan.deleted == 0
        # Event 4 is published; the database goes back to just before it, and its next event
        # reuses id 4 (and post id 3: the posts' sequence was restored too).
        await commit(post_event(4, 3, "2026-12-04T10:00:03Z"))
        del table.rows[3:]
        caplog.clear()
        table.rows.append(post_event(4, 3, "2026-12-04T11:30:00Z"))
        bus.publish(1)
        await until(lambda: nchan.deleted == 1 and len(nchan.bodies) == 1)
        assert frame_ids(nchan) == [[1, 2, 3, 4]]  # the new event 4 was published
        assert b"11:30:00" in nchan.bodies[0]
        assert "restored from an older copy" in caplog.text
