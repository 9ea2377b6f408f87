"""Her own networks on the Settings page (issue 11): connect (login checked on the local
Mastodon server), the secret never written back, disconnect; CSRF required."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from mastodon_server import LocalMastodon

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web" / "pages"))
from pages_support import World, build_world, client_for, csrf_of

KEY = "a-long-random-test-key-0123456789"


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("HASHCHAT_SECRET_KEY", KEY)
    yield from build_world(tmp_path)


def test_she_connects_and_disconnects_her_mastodon_account(
    world: World, mastodon: LocalMastodon
) -> None:
    reader = client_for(world, "reader")
    page = reader.get("/settings")
    assert page.status_code == 200
    assert "No network connected" in page.text
    assert "Connect your Mastodon account" in page.text
    assert "Connect your Bluesky account" in page.text
    token = mastodon.token_for("reader")
    form = {
        "csrf_token": csrf_of(page.text),
        "network": "mastodon",
        "mine-mastodon-instance": mastodon.base_url,
        "mine-mastodon-access_token": "wrong-token",
    }
    refused = reader.post("/settings/networks", data=form)
    assert refused.status_code == 422
    assert "The access token is invalid" in refused.text
    assert "wrong-token" not in refused.text  # a secret is never written back
    assert mastodon.base_url in refused.text  # the address is kept
    forged = reader.post(
        "/settings/networks",
        data={**form, "csrf_token": "forged", "mine-mastodon-access_token": token},
    )
    assert forged.status_code == 403
    done = reader.post(
        "/settings/networks",
        data={**form, "mine-mastodon-access_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = reader.get(done.headers["location"])
    assert "Connected." in page.text
    assert f"Mastodon: @reader@{mastodon.domain}" in page.text
    assert token not in page.text
    assert "Connect your Mastodon account" not in page.text  # one account per network

    others = client_for(world, "leanlaura").get("/settings")
    assert "@reader@" not in others.text  # hers alone
    remove = page.text.split('/settings/networks/1/remove"', 1)[1]
    gone = reader.post(
        "/settings/networks/1/remove",
        data={"csrf_token": csrf_of(remove)},
        follow_redirects=False,
    )
    assert gone.status_code == 303
    assert "No network connected" in reader.get("/settings").text


def test_the_room_form_without_javascript_cross_posts_too(
    world: World, mastodon: LocalMastodon
) -> None:
    from hashchat.actions.chats import do_start_chat
    from hashchat.actions.person_networks import cross_posts_of
    from hashchat.actions.posts import list_posts

    do_start_chat(world.ctx, world.host, world.chat_id)
    reader = client_for(world, "reader")
    room = reader.get(f"/chats/{world.chat_id}")
    assert "Also post to" not in room.text  # she has connected nothing
    reader.post(
        "/settings/networks",
        data={
            "csrf_token": csrf_of(reader.get("/settings").text),
            "network": "mastodon",
            "mine-mastodon-instance": mastodon.base_url,
            "mine-mastodon-access_token": mastodon.token_for("reader"),
        },
    )
    room = reader.get(f"/chats/{world.chat_id}")
    assert f"Also post to Mastodon as @reader@{mastodon.domain}" in room.text
    sent = reader.post(
        f"/chats/{world.chat_id}/posts",
        data={
            "csrf_token": csrf_of(room.text.split('id="compose"', 1)[1]),
            "text": "A1 small wins",
            "cross_post": "mastodon",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    mine = [p for p in list_posts(world.ctx, world.chat_id) if p.author == "reader"]
    assert [p.text for p in mine] == ["A1 small wins"]
    assert [c.network for c in cross_posts_of(world.ctx, mine[0].id)] == ["mastodon"]
    refused = reader.post(
        f"/chats/{world.chat_id}/posts",
        data={
            "csrf_token": csrf_of(room.text.split('id="compose"', 1)[1]),
            "text": "A1 again",
            "cross_post": "bluesky",
        },
    )
    assert refused.status_code == 422
    assert "have not connected a bluesky account" in refused.text
