"""A series' networks page (issue 11): its hosts connect Bluesky, Mastodon and X accounts, see
each bridge's health and disconnect one. Forms post here; every change is an action; secrets are
never written back into a page (a refused form comes back with its secret fields empty)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from hashchat.actions import bridges
from hashchat.actions.bridges import LoginRejectedError
from hashchat.actions.errors import ActionError
from hashchat.actions.series import get_series
from hashchat.bridges.credentials import (
    Credentials,
    SecretKeyMissingError,
    check_key,
    seal,
    unseal,
)
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
SIGN_IN_MINUTES = 15  # how long a Mastodon sign-in started here may take
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


# -- Mastodon: sign in on the instance (OAuth app registration) instead of pasting a token ----


@router.post("/series/{tag}/bridges/mastodon/sign-in", dependencies=CSRF, response_model=None)
def mastodon_sign_in(request: Request, tag: str, instance: FormText = "") -> Response:
    """Register hashchat on the host's instance (`POST /api/v1/apps`) and send her to its
    sign-in page; she comes back to `mastodon_signed_in` with a code."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, "/bridges"))
    ctx = context_of(request)
    kept = {"sign-in-instance": instance}
    try:
        bridges.bridges_of_series(ctx, viewer, tag)  # owners and cohosts only
        check_key()
    except ActionError as error:
        return _page(request, tag, error=error.reason, status=error.status)
    except SecretKeyMissingError as error:
        return _page(request, tag, error=str(error), status=503, kept=kept)
    if not instance.strip() or len(instance) > 500 or not instance.isprintable():
        return _page(request, tag, error="Give your instance's address.", status=422, kept=kept)
    from hashchat.bridges import mastodon  # Mastodon.py, loaded when first used

    callback = (
        f"{ctx.settings.base_url.rstrip('/')}{series_path(tag, '/bridges/mastodon/signed-in')}"
    )
    try:
        app = mastodon.register_app(instance.strip(), callback)
    except LoginRefusedError as error:
        return _page(request, tag, error=error.reason, status=422, kept=kept)
    expires = ctx.now() + timedelta(minutes=SIGN_IN_MINUTES)
    state = seal(
        Credentials(
            {
                "instance": app.instance,
                "client_id": app.client_id,
                "client_secret": app.client_secret,
                "redirect_uri": app.redirect_uri,
                "tag": tag,
                "user": str(viewer.id),
                "expires": expires.isoformat(),
            }
        )
    )
    return see_other(mastodon.authorize_url(app, state))


@router.get("/series/{tag}/bridges/mastodon/signed-in", response_model=None)
def mastodon_signed_in(
    request: Request, tag: str, code: str = "", state: str = "", error: str = ""
) -> Response:
    """Back from the instance: the code becomes an access token (`POST /oauth/token`) and the
    account is connected like a pasted token (its login checked first)."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, "/bridges"))
    ctx = context_of(request)
    try:
        started = unseal(state) if len(state) < 4_000 else None
    except (SecretKeyMissingError, ValueError):
        started = None
    if (
        started is None
        or started.get("tag") != tag
        or started.get("user") != str(viewer.id)
        or datetime.fromisoformat(started.get("expires", "1970-01-01T00:00:00+00:00")) < ctx.now()
    ):
        reason = "This sign-in did not start here, or took too long: sign in again."
        return _page(request, tag, error=reason, status=400)
    if error or not code:
        reason = f"Mastodon did not give access ({error or 'no code'}): nothing was connected."
        return _page(request, tag, error=reason, status=422)
    from hashchat.bridges import mastodon

    app = mastodon.OAuthApp(
        started["instance"], started["client_id"], started["client_secret"], started["redirect_uri"]
    )
    try:
        token = mastodon.exchange_code(app, code)
        values = {"instance": app.instance, "access_token": token}
        bridges.do_connect_bridge(ctx, viewer, tag, "mastodon", values, _verify)
    except LoginRefusedError as refused:
        return _page(request, tag, error=refused.reason, status=422)
    except ActionError as refused_:
        return _page(request, tag, error=refused_.reason, status=refused_.status)
    return see_other(series_path(tag, "/bridges?done=connected"))
