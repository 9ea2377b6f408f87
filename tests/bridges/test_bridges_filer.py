"""The process's filer: what the streams of every followed bridge deliver is filed together
(one ingest call per chat for all bridges), and one bridge's failing filing holds no other
while it is tried again, in order, its cursor never passing a post that was not filed."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from bridge_support import filed_posts, live_chat, wait_for

from hashchat.actions import bridges
from hashchat.actions.context import AppContext
from hashchat.actions.views import UserView
from hashchat.bridges import runner
from hashchat.domain.ingest import ForeignPost, Network


def _bridge(ctx: AppContext, host: UserView, account: str) -> int:
    fields = {"instance": "https://one.example", "access_token": "t"}
    made = bridges.do_connect_bridge(
        ctx, host, "EduChat", "mastodon", fields, lambda network, values: account
    )
    return made.id


def _post(n: int) -> ForeignPost:
    return ForeignPost(
        network=Network.MASTODON,
        source="one.example",
        external_id=str(n),
        author_handle=f"@p{n}@one.example",
        display_name=f"P{n}",
        text=f"A1 answer {n} #EduChat",
        created_at=datetime.now(UTC),
        url=None,
    )


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """The bridges of each filing call, as they were asked."""
    seen: list[list[int]] = []
    real = bridges.do_file_bridges_posts

    def spy(ctx: AppContext, batches: Sequence[bridges.BridgeBatch]) -> bridges.Filed:
        seen.append([b.bridge_id for b in batches])
        return real(ctx, batches)

    monkeypatch.setattr(bridges, "do_file_bridges_posts", spy)
    return seen


def _cursor(ctx: AppContext, host: UserView, bridge_id: int) -> str | None:
    (work,) = [w for w in bridges.claim_bridges(ctx, "test") if w.id == bridge_id]
    return work.cursor


def test_several_bridges_are_filed_in_one_call(
    ctx: AppContext, host: UserView, calls: list[list[int]]
) -> None:
    one, two = _bridge(ctx, host, "@one@one.example"), _bridge(ctx, host, "@two@one.example")
    chat_id = live_chat(ctx, host)
    filer = runner._Filer(ctx)
    first = runner._Batcher(filer, one, retry=True)
    second = runner._Batcher(filer, two, retry=False)
    with runner.OWN_POSTS:  # the filer takes the first post and waits for the lock
        first.add([_post(1)], (), "c1")
        time.sleep(0.3)
        first.add([_post(2)], (), "c2")
        second.add([_post(3)], (), "d3")
    first.close()
    filer.close()
    assert calls == [[one], [one, two]]
    assert sorted(p.external_id for p in filed_posts(ctx, chat_id)) == ["1", "2", "3"]
    assert _cursor(ctx, host, one) == "c2"
    assert _cursor(ctx, host, two) == "d3"


def test_a_failing_bridge_holds_no_other_and_is_tried_again_in_order(
    ctx: AppContext, host: UserView, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = _bridge(ctx, host, "@one@one.example"), _bridge(ctx, host, "@two@one.example")
    chat_id = live_chat(ctx, host)
    real = bridges.do_file_bridges_posts
    failures = [3]  # the first three filings of bridge `one` fail (the database away)

    def flaky(ctx: AppContext, batches: Sequence[bridges.BridgeBatch]) -> bridges.Filed:
        if failures[0] and any(b.bridge_id == one for b in batches):
            failures[0] -= 1
            raise ConnectionError("database away")
        return real(ctx, batches)

    monkeypatch.setattr(bridges, "do_file_bridges_posts", flaky)
    filer = runner._Filer(ctx)
    first = runner._Batcher(filer, one, retry=True)
    second = runner._Batcher(filer, two, retry=True)
    first.add([_post(1)], (), "c1")
    second.add([_post(2)], (), "d2")
    wait_for(lambda: [p.external_id for p in filed_posts(ctx, chat_id)] == ["2"], seconds=5)
    first.add([_post(3)], (), "c3")  # queued behind the held post, not filed past it
    second.add([_post(4)], (), "d4")
    wait_for(lambda: len(filed_posts(ctx, chat_id)) == 4, seconds=15)
    filer.close()
    assert failures == [0]
    assert [p.external_id for p in filed_posts(ctx, chat_id)] == ["2", "4", "1", "3"]
    assert _cursor(ctx, host, one) == "c3"
    assert _cursor(ctx, host, two) == "d4"
