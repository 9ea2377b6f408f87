"""A series' networks page (issue 11): its hosts connect Bluesky, Mastodon and X accounts, see
each bridge's health and disconnect one. Forms post here; every change is an action; secrets are
never written back into a page (a refused form comes back with its secret fields empty)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from hashchat.actions import bridges
from hashchat.actions.bridges import LoginRejectedError
from hashchat.actions.errors import ActionError
from hashchat.actions.series import get_series
from hashchat.bridges.errors import LoginRefusedError
from hashchat.bridges.registry import verify_login
from hashchat.web.api.bridges import BridgeId
from hashchat.web.auth import require_csrf
from hashchat.web.pages.common import context_of, page, refusal, see_other, viewer_of
from hashchat.web.pages.series_settings import login_first, series_path

router = APIRouter()
CSRF = [Depends(require_csrf)]
FormText = Annotated[str, Form()]
DONE = {"connected": "Connected.", "removed": "Disconnected: its credentials are wiped."}
# The form's fields per network, in order: (name, label, is secret).
FIELDS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "bluesky": (
        ("handle", "Handle (you.bsky.social)", False),
        ("app_password", "App password", True),
        ("service", "Your PDS (leave empty for bsky.social)", False),
        ("firehose", "Firehose to watch (leave empty for the public relay)", False),
    ),
    "mastodon": (
        ("instance", "Instance address (https://mastodon.social)", False),
        ("access_token", "Access token (Preferences → Development)", True),
    ),
    "x": (
        ("api_key", "API key", True),
        ("api_secret", "API secret", True),
        ("access_token", "Access token", True),
        ("access_token_secret", "Access token secret", True),
    ),
}
LABELS = {"bluesky": "Bluesky", "mastodon": "Mastodon", "x": "X"}


def _verify(network: str, values: object) -> str:
    assert isinstance(values, dict)
    try:
        return verify_login(network, values)
    except LoginRefusedError as error:
        raise LoginRejectedError(error.reason) from None


def _page(
    request: Request,
    tag: str,
    *,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
    kept: dict[str, str] | None = None,
) -> Response:
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, "/bridges"))
    ctx = context_of(request)
    try:
        listed = bridges.bridges_of_series(ctx, viewer, tag)
        series = get_series(ctx, tag).series
    except ActionError as error_:
        return refusal(request, error_.status, "Networks of the series", error_.reason)
    return page(
        request,
        "bridges.html",
        f"Networks of #{series.tag}",
        status_code=status,
        series=series,
        bridges=listed,
        fields=FIELDS,
        labels=LABELS,
        kept=kept or {},
        error=error,
        notice=notice,
    )


@router.get("/series/{tag}/bridges", response_class=HTMLResponse, response_model=None)
def bridges_page(request: Request, tag: str, done: str = "") -> Response:
    """The series' connected networks with their health, and forms to connect more."""
    return _page(request, tag, notice=DONE.get(done))


@router.post("/series/{tag}/bridges", dependencies=CSRF, response_model=None)
async def connect(request: Request, tag: str, network: FormText = "") -> Response:
    """Connect an account: the login is checked on the network before anything is stored."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, "/bridges"))
    form = await request.form()
    names = [name for name, _, _ in FIELDS.get(network, ())]
    values = {name: str(form.get(f"{network}-{name}", "")) for name in names}
    try:
        bridges.do_connect_bridge(context_of(request), viewer, tag, network, values, _verify)
    except ActionError as error:
        public = {n for n, _, secret in FIELDS.get(network, ()) if not secret}
        kept = {f"{network}-{k}": v for k, v in values.items() if k in public}
        return _page(request, tag, error=error.reason, status=error.status, kept=kept)
    return see_other(series_path(tag, "/bridges?done=connected"))


@router.post("/series/{tag}/bridges/{bridge_id}/remove", dependencies=CSRF, response_model=None)
def disconnect(request: Request, tag: str, bridge_id: int = BridgeId) -> Response:
    """Disconnect a bridge (its secrets wiped, its filed posts kept)."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, "/bridges"))
    try:
        bridges.do_remove_bridge(context_of(request), viewer, tag, bridge_id)
    except ActionError as error:
        return _page(request, tag, error=error.reason, status=error.status)
    return see_other(series_path(tag, "/bridges?done=removed"))
