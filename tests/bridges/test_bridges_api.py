"""POST/GET/DELETE /api/v1/series/{tag}/bridges and network blocks, through the real app, with
logins verified on the local Mastodon server and the local PDS."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from bridge_support import Api
from mastodon_server import TOKEN, LocalMastodon
from pds_support import LocalPds

from hashchat.actions.context import AppContext
from hashchat.store.models import BridgeRow

pytestmark = pytest.mark.anyio


@pytest.fixture
def ctx(keyless_ctx: AppContext) -> AppContext:
    """These tests set the secret key themselves (`secret_key`), or test its absence."""
    return keyless_ctx


async def test_connect_list_and_remove_a_mastodon_bridge(
    api: Api, ctx: AppContext, mastodon: LocalMastodon, secret_key: str
) -> None:
    owner = api.person("owner")
    await api.series(owner, "EduChat")
    body = {"network": "mastodon", "instance": mastodon.base_url, "access_token": TOKEN}
    response = await api.call(owner, "POST", "/series/EduChat/bridges", json=body)
    assert response.status_code == 201, response.text
    made = response.json()
    assert made == {
        "id": made["id"],
        "network": "mastodon",
        "account": f"@host@{mastodon.domain}",
        "status": "connecting",
    }
    assert TOKEN not in response.text
    with ctx.store.read() as session:
        stored = session.scalars(sa.select(BridgeRow)).one()
        assert TOKEN not in stored.secret
        assert TOKEN not in stored.settings
    again = await api.call(owner, "POST", "/series/EduChat/bridges", json=body)
    assert again.status_code == 409
    listed = await api.ok(owner, "GET", "/series/EduChat/bridges")
    assert listed == [
        {
            "id": made["id"],
            "network": "mastodon",
            "account": f"@host@{mastodon.domain}",
            "status": "connecting",
            "connected": False,
            "lag_seconds": None,
            "last_event_at": None,
            "last_error": None,
            "backoff_seconds": 0.0,
            "rate_limit_remaining": None,  # no answer from the network since the login check
        }
    ]
    gone = await api.call(owner, "DELETE", f"/series/EduChat/bridges/{made['id']}")
    assert gone.status_code == 204
    assert await api.ok(owner, "GET", "/series/EduChat/bridges") == []
    with ctx.store.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(BridgeRow)) == 0


async def test_a_refused_login_is_422_with_the_network_reason(
    api: Api, mastodon: LocalMastodon, pds: LocalPds, secret_key: str
) -> None:
    owner = api.person("owner")
    await api.series(owner, "EduChat")
    bad = {"network": "mastodon", "instance": mastodon.base_url, "access_token": "nope"}
    response = await api.call(owner, "POST", "/series/EduChat/bridges", json=bad)
    assert response.status_code == 422
    assert "The access token is invalid" in response.json()["detail"]
    assert "nope" not in response.text
    wrong = {
        "network": "bluesky",
        "service": pds.service,
        "handle": "alice.test",
        "app_password": "wrong-password",
    }
    response = await api.call(owner, "POST", "/series/EduChat/bridges", json=wrong)
    assert response.status_code == 422
    assert "Invalid identifier or password" in response.json()["detail"]
    right = {**wrong, "app_password": pds.password, "firehose": pds.firehose}
    response = await api.call(owner, "POST", "/series/EduChat/bridges", json=right)
    assert response.status_code == 201, response.text
    assert response.json()["account"] == "alice.test"
    missing = {"network": "mastodon", "instance": mastodon.base_url}
    response = await api.call(owner, "POST", "/series/EduChat/bridges", json=missing)
    assert response.status_code == 422
    assert response.json()["detail"] == "mastodon needs access_token"


async def test_401_and_403_come_before_503_and_503_names_the_variable(
    api: Api, mastodon: LocalMastodon, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HASHCHAT_SECRET_KEY", raising=False)
    owner, stranger, moderator = api.person("owner"), api.person("stranger"), api.person("mod")
    await api.series(owner, "EduChat")
    await api.ok(
        owner, "POST", "/series/EduChat/members", json={"user": "mod", "role": "moderator"}
    )
    body = {"network": "mastodon", "instance": mastodon.base_url, "access_token": TOKEN}
    assert (await api.call(None, "POST", "/series/EduChat/bridges", json=body)).status_code == 401
    for who in (stranger, moderator):
        response = await api.call(who, "POST", "/series/EduChat/bridges", json=body)
        assert response.status_code == 403
        assert (await api.call(who, "GET", "/series/EduChat/bridges")).status_code == 403
    response = await api.call(owner, "POST", "/series/EduChat/bridges", json=body)
    assert response.status_code == 503
    assert "HASHCHAT_SECRET_KEY" in response.json()["detail"]
    assert mastodon.state.requests == []  # nothing was sent to the network


async def test_blocking_a_network_handle(api: Api) -> None:
    owner, stranger = api.person("owner"), api.person("stranger")
    await api.series(owner, "EduChat")
    body = {"network": "mastodon", "handle": "@Spam@Instance.example"}
    assert (
        await api.call(stranger, "POST", "/series/EduChat/network-blocks", json=body)
    ).status_code == 403
    made = await api.ok(owner, "POST", "/series/EduChat/network-blocks", json=body)
    assert made == {"network": "mastodon", "handle": "@spam@instance.example"}
    assert await api.ok(owner, "POST", "/series/EduChat/network-blocks", json=body) == made
    bluesky = {"network": "bluesky", "handle": "@Spam.bsky.social"}
    assert (await api.ok(owner, "POST", "/series/EduChat/network-blocks", json=bluesky)) == {
        "network": "bluesky",
        "handle": "spam.bsky.social",  # as Bluesky names authors: no @
    }
    listed = await api.ok(owner, "GET", "/series/EduChat/network-blocks")
    assert listed == [{"network": "bluesky", "handle": "spam.bsky.social"}, made]
    assert (await api.call(stranger, "GET", "/series/EduChat/network-blocks")).status_code == 403
    path = "/series/EduChat/network-blocks/mastodon/@SPAM@instance.example"
    assert (await api.call(stranger, "DELETE", path)).status_code == 403
    assert (await api.call(owner, "DELETE", path)).status_code == 204
    assert await api.ok(owner, "GET", "/series/EduChat/network-blocks") == listed[:1]
