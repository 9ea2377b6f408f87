"""/series/{tag}/bridges: connect a network account (Bluesky, Mastodon, X) to a series, read
each bridge's health, disconnect; /series/{tag}/network-blocks: block a network handle."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from hashchat.actions import bridges, network_blocks
from hashchat.actions.bridges import LoginRejectedError
from hashchat.bridges.errors import LoginRefusedError
from hashchat.bridges.registry import verify_login
from hashchat.store.models import MAX_ROW_ID
from hashchat.web.api.schemas import CHANGE_REFUSALS, Error, refusals
from hashchat.web.auth import Actor
from hashchat.web.deps import Ctx

router = APIRouter(tags=["bridges"])

BridgeId = Path(ge=1, le=MAX_ROW_ID, description="the bridge's id")
CONNECT_REFUSALS = {
    **CHANGE_REFUSALS,
    422: {"model": Error, "description": "bad fields, or the network refused the login"},
    503: {
        "model": Error,
        "description": "HASHCHAT_SECRET_KEY is not set (or the database is away)",
    },
}


class BridgeIn(BaseModel):
    """A network and its credentials: Bluesky `service` (her PDS; default bsky.social),
    `handle`, `app_password`, `firehose` (a relay's subscribeRepos base; default the public
    relay); Mastodon `instance`, `access_token`; X `api_key`, `api_secret`, `access_token`,
    `access_token_secret`."""

    model_config = ConfigDict(extra="allow")
    network: Literal["bluesky", "mastodon", "x"]


class BridgeOut(BaseModel):
    """A bridge (never a secret)."""

    id: int
    network: str
    account: str
    status: str


class BridgeHealthOut(BridgeOut):
    """A bridge's health: `status` one of connecting, ok, backing_off, failed;
    `rate_limit_remaining`: requests left as the network's rate-limit headers last said (null
    until one did)."""

    connected: bool
    lag_seconds: float | None
    last_event_at: datetime | None
    last_error: str | None
    backoff_seconds: float
    rate_limit_remaining: int | None = None


class NetworkBlockIn(BaseModel):
    """A handle on a network: `@spam@instance`, `spam.bsky.social`, `@spam`."""

    network: Literal["bluesky", "mastodon", "x"]
    handle: str = Field(min_length=1, max_length=300)


class NetworkBlockOut(BaseModel):
    """The blocked handle as stored (compared case-insensitively)."""

    network: str
    handle: str


def _verify(network: str, values: dict[str, str] | object) -> str:
    assert isinstance(values, dict)
    try:
        return verify_login(network, values)
    except LoginRefusedError as error:
        raise LoginRejectedError(error.reason) from None


@router.post(
    "/series/{tag}/bridges", status_code=201, response_model=BridgeOut, responses=CONNECT_REFUSALS
)
def connect_bridge(tag: str, body: BridgeIn, ctx: Ctx, actor: Actor) -> BridgeOut:
    """Connect a network account (owners and cohosts): the login is verified on the network
    first (422 with its reason), a second bridge for the same network and account is 409,
    and without HASHCHAT_SECRET_KEY nothing is stored (503). The answer never holds a secret."""
    fields = dict(body.model_extra or {})
    view = bridges.do_connect_bridge(ctx, actor, tag, body.network, fields, _verify)
    return BridgeOut(id=view.id, network=view.network, account=view.account, status=view.status)


@router.get(
    "/series/{tag}/bridges",
    response_model=list[BridgeHealthOut],
    responses=refusals(401, 403, 404),
)
def list_bridges(tag: str, ctx: Ctx, actor: Actor) -> list[BridgeHealthOut]:
    """Each bridge of the series with its health (owners and cohosts)."""
    return [
        BridgeHealthOut(
            id=v.id,
            network=v.network,
            account=v.account,
            status=v.status,
            connected=v.connected,
            lag_seconds=v.lag_seconds,
            last_event_at=v.last_event_at,
            last_error=v.last_error,
            backoff_seconds=v.backoff_seconds,
            rate_limit_remaining=v.rate_limit_remaining,
        )
        for v in bridges.bridges_of_series(ctx, actor, tag)
    ]


@router.delete(
    "/series/{tag}/bridges/{bridge_id}",
    status_code=204,
    response_class=Response,
    responses=CHANGE_REFUSALS,
)
def remove_bridge(tag: str, ctx: Ctx, actor: Actor, bridge_id: int = BridgeId) -> Response:
    """Disconnect: the credentials are wiped; every post already filed stays."""
    bridges.do_remove_bridge(ctx, actor, tag, bridge_id)
    return Response(status_code=204)


@router.post(
    "/series/{tag}/network-blocks", response_model=NetworkBlockOut, responses=CHANGE_REFUSALS
)
def block_handle(tag: str, body: NetworkBlockIn, ctx: Ctx, actor: Actor) -> NetworkBlockOut:
    """Block a network handle from the series (moderators and hosts): its posts stop
    entering any chat of it. Idempotent."""
    handle = network_blocks.do_block_handle(ctx, actor, tag, body.network, body.handle)
    return NetworkBlockOut(network=body.network, handle=handle)


@router.get(
    "/series/{tag}/network-blocks",
    response_model=list[NetworkBlockOut],
    responses=refusals(401, 403, 404),
)
def list_network_blocks(tag: str, ctx: Ctx, actor: Actor) -> list[NetworkBlockOut]:
    """The series' blocked network handles (moderators and hosts)."""
    return [
        NetworkBlockOut(network=b.network, handle=b.handle)
        for b in network_blocks.network_blocks_of_series(ctx, actor, tag)
    ]


@router.delete(
    "/series/{tag}/network-blocks/{network}/{handle}",
    status_code=204,
    response_class=Response,
    responses=CHANGE_REFUSALS,
)
def unblock_handle(
    tag: str, network: Literal["bluesky", "mastodon", "x"], handle: str, ctx: Ctx, actor: Actor
) -> Response:
    """Lift a network handle's block (moderators and hosts); its new posts enter again."""
    network_blocks.do_unblock_handle(ctx, actor, tag, network, handle)
    return Response(status_code=204)
