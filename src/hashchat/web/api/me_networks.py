"""/me/networks: a person connects her own Mastodon or Bluesky account, to cross-post her
answers through it (issue 11); lists and disconnects her accounts. Never a secret echoed."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict

from hashchat.actions import person_networks
from hashchat.store.models import MAX_ROW_ID
from hashchat.web.api.bridges import CONNECT_REFUSALS, _verify
from hashchat.web.api.schemas import Error, refusals
from hashchat.web.auth import Actor
from hashchat.web.deps import Ctx

router = APIRouter(tags=["networks"])

NetworkId = Path(ge=1, le=MAX_ROW_ID, description="the connected account's id")


class NetworkIn(BaseModel):
    """Her account: Mastodon `instance` (e.g. `https://mastodon.social`) and `access_token`
    (from the instance's Preferences → Development, scopes `read write`); Bluesky `service`
    (her PDS; default `https://bsky.social`), `handle`, `app_password`."""

    model_config = ConfigDict(extra="allow")
    network: Literal["mastodon", "bluesky"]


class NetworkOut(BaseModel):
    """A connected account (never a secret)."""

    id: int
    network: str
    account: str
    created_at: datetime


def _out(view: person_networks.NetworkView) -> NetworkOut:
    return NetworkOut(
        id=view.id, network=view.network, account=view.account, created_at=view.created_at
    )


@router.post(
    "/me/networks",
    status_code=201,
    response_model=NetworkOut,
    responses={
        **CONNECT_REFUSALS,
        409: {"model": Error, "description": "an account of that network is already connected"},
    },
)
def connect_network(body: NetworkIn, ctx: Ctx, actor: Actor) -> NetworkOut:
    """Connect your own account: the login is verified on the network first (422 with its
    reason), a second account of the same network is 409, and without HASHCHAT_SECRET_KEY
    nothing is stored (503)."""
    fields = dict(body.model_extra or {})
    view = person_networks.do_connect_network(ctx, actor, body.network, fields, _verify)
    return _out(view)


@router.get("/me/networks", response_model=list[NetworkOut], responses=refusals(401))
def list_networks(ctx: Ctx, actor: Actor) -> list[NetworkOut]:
    """Your connected accounts, oldest first."""
    return [_out(view) for view in person_networks.networks_of(ctx, actor)]


@router.delete("/me/networks/{network_id}", status_code=204, responses=refusals(401, 403, 404))
def remove_network(ctx: Ctx, actor: Actor, network_id: int = NetworkId) -> Response:
    """Disconnect one of your accounts: its secret is deleted, cross-posts still waiting for it
    are cancelled."""
    person_networks.do_remove_network(ctx, actor, network_id)
    return Response(status_code=204)
