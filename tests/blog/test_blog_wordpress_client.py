"""`bridges.wordpress`: the login check, comments read page by page on the real WordPress, and
how the blog's refusals and failures are told apart (a transport that answers like a failing
WordPress: 401, 429 with Retry-After, 500, unreachable)."""

from __future__ import annotations

import httpx
import pytest
from wordpress_support import LocalWordPress

from hashchat.bridges.errors import BridgeError, LoginRefusedError, NetworkBusyError
from hashchat.bridges.wordpress import WordPressSite


def test_the_login_names_the_user_and_the_sites_home(wordpress: LocalWordPress) -> None:
    with WordPressSite(wordpress.url + "/", "admin", wordpress.app_password) as site:
        login = site.verify()
    assert login.login == "admin"
    assert login.user_id == 1
    assert login.home == wordpress.url
    with (
        WordPressSite(wordpress.url, "admin", "nope nope nope nope") as site,
        pytest.raises(LoginRefusedError, match="not currently logged in"),
    ):
        site.verify()


def test_comments_are_read_page_by_page_as_x_wp_total_says(wordpress: LocalWordPress) -> None:
    with WordPressSite(wordpress.url, "admin", wordpress.app_password) as site:
        post = site.publish("client-paging", "Paging", "<p>many comments</p>", comments_open=True)
        login = site.verify()
    with wordpress.api() as client:  # the admin's comments are approved at once
        for number in range(1, 26):
            made = client.post("/comments", json={"post": post.post_id, "content": f"A1 #{number}"})
            made.raise_for_status()
    held = wordpress.comment(post.post_id, "Held Visitor", "A1 held")
    # Pages of 10 (WordPress serves up to 100): three pages, read until X-WP-Total.
    with WordPressSite(wordpress.url, "admin", wordpress.app_password, page_size=10) as site:
        posts = site.approved_comments(post.post_id, post.url, login)
    assert [p.text for p in posts] == [f"A1 #{n}" for n in range(1, 26)]
    assert f"comment-{held}" not in {p.external_id for p in posts}
    assert {p.author_handle for p in posts} == {"admin"}  # her own comments: her login
    assert posts[0].url == f"{post.url}#comment-{posts[0].external_id.removeprefix('comment-')}"


def _site(answer: httpx.Response | Exception) -> WordPressSite:
    def handle(request: httpx.Request) -> httpx.Response:
        if isinstance(answer, Exception):
            raise answer
        return answer

    return WordPressSite(
        "https://blog.example.org", "host", "secret", transport=httpx.MockTransport(handle)
    )


def test_refusals_and_failures_are_told_apart() -> None:
    refused = httpx.Response(
        401, json={"code": "rest_not_logged_in", "message": "You are not currently logged in."}
    )
    with pytest.raises(LoginRefusedError, match="rest_not_logged_in"):
        _site(refused).close_comments(1)
    busy = httpx.Response(429, headers={"Retry-After": "30"}, json={})
    with pytest.raises(NetworkBusyError) as waited:
        _site(busy).close_comments(1)
    assert waited.value.retry_after == 30
    with pytest.raises(NetworkBusyError, match="HTTP 502"):
        _site(httpx.Response(502, text="bad gateway")).close_comments(1)
    with pytest.raises(NetworkBusyError, match="unreachable"):
        _site(httpx.ConnectError("refused")).close_comments(1)
    with pytest.raises(BridgeError, match="rest_post_invalid_id") as missing:
        _site(
            httpx.Response(
                404, json={"code": "rest_post_invalid_id", "message": "Invalid post ID."}
            )
        ).close_comments(1)
    assert not isinstance(missing.value, NetworkBusyError | LoginRefusedError)
    with pytest.raises(LoginRefusedError):
        WordPressSite("ftp://blog.example.org", "host", "secret")
