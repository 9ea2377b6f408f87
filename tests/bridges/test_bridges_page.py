"""The series' networks page: hosts connect (login checked on the local Mastodon server), see
health, disconnect; secrets never come back into the page; others are refused."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from mastodon_server import TOKEN, LocalMastodon

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web" / "pages"))
from pages_support import World, build_world, client_for, csrf_of

KEY = "a-long-random-test-key-0123456789"


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("HASHCHAT_SECRET_KEY", KEY)
    yield from build_world(tmp_path)


def test_connect_see_health_and_disconnect(world: World, mastodon: LocalMastodon) -> None:
    host = client_for(world, "kaizencoach")
    page = host.get("/series/KaizenBiz/bridges")
    assert page.status_code == 200
    assert "No network is connected" in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "network": "mastodon",
        "mastodon-instance": mastodon.base_url,
        "mastodon-access_token": "wrong-token",
    }
    refused = host.post("/series/KaizenBiz/bridges", data=form)
    assert refused.status_code == 422
    assert "The access token is invalid" in refused.text
    assert "wrong-token" not in refused.text  # a secret is never written back
    assert mastodon.base_url in refused.text  # the address is kept
    done = host.post(
        "/series/KaizenBiz/bridges",
        data={**form, "mastodon-access_token": TOKEN},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = host.get(done.headers["location"])
    assert f"@host@{mastodon.domain}" in page.text
    assert "connecting" in page.text
    assert TOKEN not in page.text
    remove = page.text.split('/bridges/1/remove"', 1)[1]
    gone = host.post(
        "/series/KaizenBiz/bridges/1/remove",
        data={"csrf_token": csrf_of(remove)},
        follow_redirects=False,
    )
    assert gone.status_code == 303
    assert "No network is connected" in host.get("/series/KaizenBiz/bridges").text


def test_only_hosts_see_the_page(world: World) -> None:
    assert client_for(world, "reader").get("/series/KaizenBiz/bridges").status_code == 403
    assert client_for(world, "leanlaura").get("/series/KaizenBiz/bridges").status_code == 200
    anonymous = client_for(world).get("/series/KaizenBiz/bridges", follow_redirects=False)
    assert anonymous.status_code == 303


def test_console_and_room_show_the_networks_and_the_strictest_rule(
    world: World, mastodon: LocalMastodon
) -> None:
    from hashchat.actions import bridges
    from hashchat.actions.chats import do_start_chat
    from hashchat.actions.series import SeriesChanges, do_edit_series
    from hashchat.bridges.registry import verify_login

    ctx = world.ctx
    do_start_chat(ctx, world.host, world.chat_id)
    host = client_for(world, "kaizencoach")
    console = host.get(f"/chats/{world.chat_id}/host")
    assert 'id="chat-networks"' not in console.text  # the room only
    assert "0 / 280" in console.text

    fields = {"instance": mastodon.base_url, "access_token": TOKEN}
    on_mastodon = bridges.do_connect_bridge(
        ctx, world.host, "KaizenBiz", "mastodon", fields, verify_login
    )
    opening = "https://mastodon.example/@host/110000000000000001"
    bridges.record_bridge_post(ctx, on_mastodon.id, world.chat_id, "opening", 0, "1", opening)
    bridges.record_health(
        ctx, on_mastodon.id, connected=False, error="Mastodon answered 503", backoff_seconds=8
    )
    bridges.record_rate_limit(ctx, on_mastodon.id, 287)
    console = host.get(f"/chats/{world.chat_id}/host")
    networks = console.text.split('id="chat-networks"', 1)[1].split("</section>", 1)[0]
    assert f'<a href="{opening}"' in networks
    assert f"@host@{mastodon.domain}" in networks
    assert "backing off, not connected, retrying in 8 s" in networks
    assert "Mastodon answered 503" in networks
    assert ">287<" in networks
    assert "X&#39;s rule, the strictest of the room and Mastodon (280)" in networks

    # A Bluesky bridge (its login check is the network's, passed in) and a series rule laxer
    # than both: Bluesky's 300 graphemes is now the strictest, in the room and the console.
    bridges.do_connect_bridge(
        ctx,
        world.host,
        "KaizenBiz",
        "bluesky",
        {"handle": "chathost.test", "app_password": "p"},
        lambda network, values: "chathost.test",
    )
    do_edit_series(
        ctx, world.host, "KaizenBiz", SeriesChanges(char_rule="mastodon", char_limit=500)
    )
    console = host.get(f"/chats/{world.chat_id}/host")
    assert (
        "Bluesky&#39;s rule, the strictest of the room, Mastodon and Bluesky (300)" in console.text
    )
    assert "not posted yet" in console.text  # no opening post on Bluesky yet
    config = json.loads(console.text.split('id="host-config">', 1)[1].split("</script>", 1)[0])
    assert (config["char_rule"], config["char_limit"]) == ("bluesky", 300)
    room = client_for(world, "reader").get(f"/chats/{world.chat_id}")
    assert "Bluesky&#39;s rule, the strictest of the room, Mastodon and Bluesky" in room.text
    config = json.loads(room.text.split('id="room-config">', 1)[1].split("</script>", 1)[0])
    assert (config["char_rule"], config["char_limit"]) == ("bluesky", 300)
    assert '<span id="compose-counter" class="counter">0 / 300</span>' in room.text


def test_the_recap_page_counts_people_per_network_and_links_the_originals(world: World) -> None:
    from datetime import timedelta

    from hashchat.actions.chats import do_start_chat
    from hashchat.actions.ingest import do_ingest_posts
    from hashchat.domain.ingest import ForeignPost, Network

    ctx = world.ctx
    do_start_chat(ctx, world.host, world.chat_id)
    at = ctx.now() + timedelta(minutes=1)
    posts = [
        ForeignPost(
            Network.MASTODON,
            "mastodon.example",
            str(n),
            f"@{who}@mastodon.example",
            who,
            f"A1 answer {n} #KaizenBiz",
            at,
            url=f"https://mastodon.example/@{who}/{n}",
        )
        for n, who in enumerate(["ana", "ben", "ana"], start=1)
    ]
    do_ingest_posts(ctx, "test", world.chat_id, posts)
    page = client_for(world, "reader").get(f"/chats/{world.chat_id}/recap")
    assert page.status_code == 200
    assert "mastodon: 3 posts by 2 people" in page.text
    assert (
        '<a href="https://mastodon.example/@ben/2" rel="nofollow noopener noreferrer">' in page.text
    )
    markdown = client_for(world, "reader").get(f"/api/v1/chats/{world.chat_id}/recap?format=md")
    assert "| mastodon | 3 | 2 |" in markdown.text
    assert "[original](<https://mastodon.example/@ben/2>)" in markdown.text


def test_the_console_blocks_and_unblocks_a_network_handle(world: World) -> None:
    from datetime import timedelta

    from hashchat.actions.chats import do_start_chat
    from hashchat.actions.ingest import do_ingest_posts
    from hashchat.actions.network_blocks import network_blocks_of_series
    from hashchat.domain.ingest import ForeignPost, Network

    ctx = world.ctx
    do_start_chat(ctx, world.host, world.chat_id)
    spam = ForeignPost(
        Network.MASTODON,
        "mastodon.example",
        "1",
        "@Spam@mastodon.example",
        "Spam",
        "buy now #KaizenBiz",
        ctx.now() + timedelta(minutes=1),
    )
    do_ingest_posts(ctx, "test", world.chat_id, [spam])
    host = client_for(world, "kaizencoach")
    console = host.get(f"/chats/{world.chat_id}/host")
    assert "Block @Spam@mastodon.example on mastodon…" in console.text
    form = {"csrf_token": csrf_of(console.text), "network": "mastodon"}
    form["handle"] = "@Spam@mastodon.example"
    asked = host.post(f"/chats/{world.chat_id}/host/block-handle", data=form)
    assert "Stop every post of @Spam@mastodon.example on Mastodon entering" in asked.text
    assert network_blocks_of_series(ctx, world.host, "KaizenBiz") == []  # not before yes
    done = host.post(
        f"/chats/{world.chat_id}/host/block-handle",
        data={**form, "confirm": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    console = host.get(done.headers["location"])
    assert "Handle blocked" in console.text
    assert "Unblock @spam@mastodon.example on mastodon" in console.text
    assert "Block @Spam@mastodon.example on mastodon…" not in console.text
    assert [b.handle for b in network_blocks_of_series(ctx, world.host, "KaizenBiz")] == [
        "@spam@mastodon.example"
    ]
    form = {"csrf_token": csrf_of(console.text), "network": "mastodon"}
    form["handle"] = "@spam@mastodon.example"
    undone = host.post(
        f"/chats/{world.chat_id}/host/unblock-handle", data=form, follow_redirects=True
    )
    assert "Block lifted" in undone.text
    assert network_blocks_of_series(ctx, world.host, "KaizenBiz") == []
    reader = client_for(world, "reader")
    form["csrf_token"] = csrf_of(reader.get(f"/chats/{world.chat_id}").text)
    refused = reader.post(
        f"/chats/{world.chat_id}/host/block-handle", data={**form, "confirm": "yes"}
    )
    assert refused.status_code == 403
    assert network_blocks_of_series(ctx, world.host, "KaizenBiz") == []


def test_connect_mastodon_by_signing_in_on_the_instance(
    world: World, mastodon: LocalMastodon
) -> None:
    from urllib.parse import parse_qs, urlsplit

    import httpx

    from hashchat.actions import bridges

    host = client_for(world, "kaizencoach")
    page = host.get("/series/KaizenBiz/bridges")
    assert "Sign in on Mastodon" in page.text
    form = {"csrf_token": csrf_of(page.text), "instance": mastodon.base_url}
    sent = host.post(
        "/series/KaizenBiz/bridges/mastodon/sign-in", data=form, follow_redirects=False
    )
    assert sent.status_code == 303
    authorize = sent.headers["location"]
    assert authorize.startswith(f"{mastodon.base_url}/oauth/authorize?")
    (app,) = mastodon.state.apps.values()  # registered with our callback, read and write
    assert app["name"] == "hashchat"
    assert app["scopes"] == ["read", "write"]
    assert app["redirect_uris"] == [
        "http://127.0.0.1:8000/series/KaizenBiz/bridges/mastodon/signed-in"
    ]
    assert app["client_secret"] not in authorize  # only sealed into the state

    approved = httpx.get(authorize)  # the host signs in there and approves
    assert approved.status_code == 302
    back = urlsplit(approved.headers["location"])
    query = parse_qs(back.query)
    assert set(query) == {"code", "state"}

    # Someone else cannot finish her sign-in, and a forged state is refused.
    laura = client_for(world, "leanlaura")
    assert laura.get(f"{back.path}?{back.query}").status_code == 400
    forged = host.get(f"{back.path}?code={query['code'][0]}&state=forged")
    assert forged.status_code == 400
    assert "did not start here" in forged.text

    done = host.get(f"{back.path}?{back.query}", follow_redirects=False)
    assert done.status_code == 303
    listed = bridges.bridges_of_series(world.ctx, world.host, "KaizenBiz")
    assert [(b.network, b.account) for b in listed] == [("mastodon", f"@host@{mastodon.domain}")]
    shown = host.get(done.headers["location"]).text
    assert "Connected." in shown
    assert TOKEN not in shown

    again = host.get(f"{back.path}?{back.query}")  # a code works once
    assert again.status_code == 422
    assert "invalid_grant" in again.text
    refused = host.get(f"{back.path}?error=access_denied&state={query['state'][0]}")
    assert refused.status_code == 422
    assert "access_denied" in refused.text
