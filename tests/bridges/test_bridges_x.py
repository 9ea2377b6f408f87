"""The X bridge's network side with tweepy against a local v2 server (a transport adapter on
tweepy's session routes its fixed base URL there)."""

from __future__ import annotations

import pytest
from x_server import KEYS, LocalX

from hashchat.bridges.errors import LoginRefusedError
from hashchat.bridges.x import XAccount, XReadForbiddenError
from hashchat.domain.ingest import Network


def test_keys_are_verified(x: LocalX) -> None:
    assert XAccount(KEYS, x.session()).verify() == "@ChatHost"
    with pytest.raises(LoginRefusedError, match="Unauthorized"):
        XAccount({**KEYS, "api_key": "wrong"}, x.session()).verify()


def test_posts_thread_and_the_tag_is_read_after_the_cursor(x: LocalX) -> None:
    account = XAccount(KEYS, x.session())
    opening = account.post("Welcome to #EduChat")
    q1 = account.post("Q1 What do you teach? #EduChat", in_reply_to=opening)
    assert x.tweets[-1]["referenced_tweets"] == [{"type": "replied_to", "id": opening}]
    answers = [x.post_as("alice", f"A1 answer {n} #educhat", reply_to=q1) for n in range(150)]
    x.post_as("bob", "other #tag")
    pages = list(account.since("EduChat", q1))
    got = [p for page in pages for p in page]
    assert [len(page) for page in pages] == [100, 50]
    assert sorted(p.external_id for p in got) == sorted(a["id"] for a in answers)
    first = min(got, key=lambda p: int(p.external_id))
    assert first.network is Network.X
    assert first.author_handle == "@alice"
    assert first.reply_to == q1
    assert first.url == f"https://x.com/alice/status/{first.external_id}"
    assert list(account.since("EduChat", answers[-1]["id"])) == [[]]


def test_an_access_level_without_search_is_said_plainly(x: LocalX) -> None:
    x.search_allowed = False
    with pytest.raises(XReadForbiddenError, match="access level does not allow reading"):
        list(XAccount(KEYS, x.session()).since("EduChat", None))
