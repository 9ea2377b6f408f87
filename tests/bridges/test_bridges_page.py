"""The series' networks page: hosts connect (login checked on the local Mastodon server), see
health, disconnect; secrets never come back into the page; others are refused."""

from __future__ import annotations

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
