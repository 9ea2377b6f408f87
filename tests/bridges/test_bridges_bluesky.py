"""The Bluesky bridge's network side against a real local PDS: login, posts with tag facets and
reply refs, the firehose filtered by the tag from a cursor."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pds_support import LocalPds

from hashchat.bridges.bluesky import BlueskyAccount, Firehose, TagFilter, record_tags
from hashchat.bridges.errors import LoginRefusedError
from hashchat.domain.ingest import Network


@pytest.fixture
def accounts(pds: LocalPds) -> Iterator[Callable[[str], BlueskyAccount]]:
    """Logs accounts of the PDS in; closes them after the test."""
    opened: list[BlueskyAccount] = []

    def login(handle: str) -> BlueskyAccount:
        logged_in = BlueskyAccount(pds.service, handle, pds.password)
        opened.append(logged_in)
        logged_in.verify()
        return logged_in

    yield login
    for one in opened:
        one.close()


def test_a_wrong_password_is_refused_with_the_pds_reason(pds: LocalPds) -> None:
    with (
        BlueskyAccount(pds.service, "alice.test", "wrong") as wrong,
        pytest.raises(LoginRefusedError, match="Invalid identifier or password"),
    ):
        wrong.verify()
    with BlueskyAccount(pds.service, "alice.test", pds.password) as right:
        assert right.verify() == "alice.test"


def test_questions_are_records_with_tag_facets_and_reply_refs(
    accounts: Callable[[str], BlueskyAccount],
) -> None:
    host = accounts("chathost.test")
    opening = host.post("Welcome to tonight's chat!", "EduChat")
    question = host.post("Q1 What do you teach? #educhat", "EduChat", (opening, opening))
    repo, _, rkey = question.external_id.removeprefix("at://").partition("/app.bsky.feed.post/")
    got = host.client.com.atproto.repo.get_record(
        {"repo": repo, "collection": "app.bsky.feed.post", "rkey": rkey}
    ).value
    assert record_tags(got) == ["educhat"]
    assert got.text == "Q1 What do you teach? #educhat"
    facet = got.facets[0]
    assert got.text.encode()[facet.index.byte_start : facet.index.byte_end] == b"#educhat"
    assert got.reply.root.uri == opening.external_id
    assert got.reply.parent.cid == opening.cid
    welcome = host.client.com.atproto.repo.get_record(
        {"repo": repo, "collection": "app.bsky.feed.post", "rkey": opening.external_id[-13:]}
    ).value
    assert welcome.text.endswith(" #EduChat")
    assert record_tags(welcome) == ["EduChat"]


def test_the_firehose_keeps_tagged_posts_from_a_cursor(
    pds: LocalPds, accounts: Callable[[str], BlueskyAccount]
) -> None:
    alice, bob = accounts("alice.test"), accounts("bob.test")
    handles = {alice.did: "alice.test", bob.did: "bob.test"}
    found: list[Any] = []
    seqs: list[int] = []
    lock = threading.Lock()
    tag_filter = TagFilter("#EDUCHAT", handles.get)  # type: ignore[arg-type]

    def on_frame(frame: Any) -> None:
        item = tag_filter.read(frame)
        with lock:
            found.extend(item.posts)
            if item.seq is not None:
                seqs.append(item.seq)

    first = Firehose(pds.firehose, None, on_frame).start()
    try:
        time.sleep(1)  # the stream is open
        question = bob.post("Q1 here #educhat", "educhat")
        alice.post("A1 first answer", "EduChat", (question, question))
        alice.post("not for us #other", "other")
        _wait(lambda: len(found) >= 2)
    finally:
        first.close()
    assert [p.text for p in found[:2]] == ["Q1 here #educhat", "A1 first answer #EduChat"]
    answer = found[1]
    assert answer.network is Network.BLUESKY
    assert answer.author_handle == "alice.test"
    assert answer.reply_to == question.external_id
    assert answer.url
    assert answer.url.startswith("https://bsky.app/profile/alice.test/post/")
    cursor = seqs[-1]
    bob.post("A1 while away #EduChat", "EduChat")  # nobody is reading
    found.clear()
    again = Firehose(pds.firehose, cursor, on_frame).start()
    try:
        _wait(lambda: len(found) >= 1)
    finally:
        again.close()
    assert [p.text for p in found] == ["A1 while away #EduChat"]


def _wait(condition: Any, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
