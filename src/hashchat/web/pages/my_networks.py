"""A person's own networks on her Settings page (issue 11): connect her Mastodon or Bluesky
account to cross-post her answers, and disconnect it. Forms post here and go back to
`/settings`; a refused form is shown there with its reason (secret fields never written back)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from hashchat.actions import person_networks
from hashchat.actions.errors import ActionError
from hashchat.web.api.me_networks import NetworkId
from hashchat.web.auth import require_csrf
from hashchat.web.pages.accounts import settings_page
from hashchat.web.pages.bridges import _verify
from hashchat.web.pages.common import context_of, see_other, viewer_of

router = APIRouter()
CSRF = [Depends(require_csrf)]
FormText = Annotated[str, Form()]
LABELS = {"mastodon": "Mastodon", "bluesky": "Bluesky"}
# The form's fields per network, in order: (name, label, is secret).
FIELDS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "mastodon": (
        ("instance", "Your instance (https://mastodon.social)", False),
        ("access_token", "Access token (Preferences → Development, scopes read write)", True),
    ),
    "bluesky": (
        ("handle", "Handle (you.bsky.social)", False),
        ("app_password", "App password (Settings → App passwords)", True),
        ("service", "Your PDS (leave empty for bsky.social)", False),
    ),
}
DONE = {"connected": "Connected.", "removed": "Disconnected: its credentials are deleted."}


@router.post("/settings/networks", dependencies=CSRF, response_model=None)
async def connect(request: Request, network: FormText = "") -> Response:
    """Connect her account: the login is checked on the network before anything is stored."""
    viewer = viewer_of(request)
    if viewer is None:
        return see_other("/login?next=/settings")
    form = await request.form()
    names = [name for name, _, _ in FIELDS.get(network, ())]
    values = {name: str(form.get(f"mine-{network}-{name}", "")) for name in names}
    try:
        person_networks.do_connect_network(context_of(request), viewer, network, values, _verify)
    except ActionError as error:
        public = {n for n, _, secret in FIELDS.get(network, ()) if not secret}
        kept = {f"mine-{network}-{k}": v for k, v in values.items() if k in public}
        return settings_page(request, network_error=error.reason, status=error.status, kept=kept)
    return see_other("/settings?networks=connected")


@router.post("/settings/networks/{network_id}/remove", dependencies=CSRF, response_model=None)
def disconnect(request: Request, network_id: int = NetworkId) -> Response:
    """Disconnect one of her accounts (its secret deleted)."""
    viewer = viewer_of(request)
    if viewer is None:
        return see_other("/login?next=/settings")
    try:
        person_networks.do_remove_network(context_of(request), viewer, network_id)
    except ActionError as error:
        return settings_page(request, network_error=error.reason, status=error.status)
    return see_other("/settings?networks=removed")
