"""The Mastodon bridge's network side against the local Mastodon server (documented payloads)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from mastodon_server import TOKEN, LocalMastodon

from hashchat.bridges.errors import LoginRefusedError, NetworkBusyError
from hashchat.bridges.mastodon import MastodonAccount, foreign_post, is_tagged
from hashchat.bridges.text import html_to_text
from hashchat.domain.ingest import Network


def test_verify_names_the_account_and_refuses_a_bad_token(mastodon: LocalMastodon) -> None:
    assert MastodonAccount(mastodon.base_url, TOKEN).verify() == f"@host@{mastodon.domain}"
    with pytest.raises(LoginRefusedError, match="access token is invalid"):
        MastodonAccount(mastodon.base_url, "wrong").verify()


def test_limits_come_from_the_instance(mastodon: LocalMastodon) -> None:
    assert MastodonAccount(mastodon.base_url, TOKEN).character_limit() == (500, 23)


def test_posts_thread_under_the_opening_post(mastodon: LocalMastodon) -> None:
    account = MastodonAccount(mastodon.base_url, TOKEN)
    opening = account.post("Welcome to #EduChat")
    question = account.post("Q1 What do you teach? #EduChat", in_reply_to=opening.external_id)
    stored = {s["id"]: s for s in mastodon.statuses()}
    assert stored[question.external_id]["in_reply_to_id"] == opening.external_id
    assert stored[question.external_id]["tags"] == [
        {"name": "educhat", "url": f"{mastodon.base_url}/tags/EduChat"}
    ]
    assert question.url
    assert question.url.endswith(question.external_id)


def test_catch_up_pages_forward_from_the_cursor_without_gaps(mastodon: LocalMastodon) -> None:
    account = MastodonAccount(mastodon.base_url, TOKEN)
    first = mastodon.post_as("alice", "before #educhat")
    posted = [mastodon.post_as("bob", f"A1 answer {n} #EduChat") for n in range(95)]
    mastodon.post_as("carol", "other #tag")
    pages = list(account.since("#EDUCHAT", first["id"]))
    assert [len(p) for p in pages] == [40, 40, 15]
    assert [s["id"] for p in pages for s in p] == [s["id"] for s in posted]


def test_429_and_5xx_are_busy_not_refusals(mastodon: LocalMastodon) -> None:
    account = MastodonAccount(mastodon.base_url, TOKEN)
    mastodon.fail_next(429)
    with pytest.raises(NetworkBusyError, match="429"):
        account.post("Q1 #educhat")
    mastodon.fail_next(503)
    with pytest.raises(NetworkBusyError, match="503"):
        list(account.since("educhat", None))
    assert account.post("Q1 #educhat").external_id


def test_a_status_becomes_a_foreign_post(mastodon: LocalMastodon) -> None:
    html = (
        '<p>A1 I teach <a href="https://x.example/long/path" rel="nofollow">'
        '<span class="invisible">https://</span><span class="ellipsis">x.example/lo</span>'
        '<span class="invisible">ng/path</span></a> &amp; more<br />line two</p><p>'
        '<a href="/tags/educhat" class="mention hashtag">#<span>EduChat</span></a></p>'
    )
    status = mastodon.post_as("alice", "", html_content=html, in_reply_to_id=None)
    post = foreign_post(status, mastodon.domain)
    assert post.network is Network.MASTODON
    assert post.author_handle == f"@alice@{mastodon.domain}"
    assert post.text == "A1 I teach https://x.example/long/path & more\nline two\n\n#EduChat"
    assert post.url == status["url"]
    assert post.repost_of is None
    boost = foreign_post(mastodon.boost("bob", status["id"]), mastodon.domain)
    assert boost.repost_of == status["id"]
    assert boost.text == post.text
    assert is_tagged(mastodon.boost("carol", status["id"]), "#EDUCHAT")


def test_html_to_text_keeps_paragraphs_and_entities() -> None:
    assert html_to_text("<p>a &lt;b&gt;</p><p>c<br>d</p>") == "a <b>\n\nc\nd"


def test_the_stream_delivers_updates_edits_deletes_and_reports_a_drop(
    mastodon: LocalMastodon,
) -> None:
    account = MastodonAccount(mastodon.base_url, TOKEN)
    seen: list[tuple[str, Any]] = []
    handle = account.follow("EduChat", lambda e, p: seen.append((e, p)))
    try:
        _wait(lambda: bool(mastodon.state.listeners))
        status = mastodon.post_as("alice", "A1 hi #EDUCHAT")
        mastodon.post_as("alice", "elsewhere #other")
        mastodon.edit(status["id"], "A1 hello #educhat")
        mastodon.delete(status["id"])
        _wait(lambda: len(seen) >= 3)
        assert [e for e, _ in seen] == ["update", "status.update", "delete"]
        assert seen[0][1]["id"] == status["id"]
        assert str(seen[2][1]) == status["id"]
        assert handle.is_alive()
        mastodon.drop_streams()
        _wait(lambda: not handle.is_alive())
    finally:
        handle.close()


def _wait(condition: Any, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
