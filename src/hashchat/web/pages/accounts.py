"""Home, log in, register, log out and settings."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import available_timezones

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from hashchat.actions.accounts import (
    MIN_PASSWORD_LENGTH,
    check_login,
    do_create_session,
    do_logout,
    do_register,
    do_update_profile,
)
from hashchat.actions.errors import ActionError, RateLimitedError
from hashchat.actions.person_networks import networks_of
from hashchat.actions.series import list_series_with_next
from hashchat.web.auth import (
    clear_session_cookie,
    client_address,
    require_csrf,
    session_id_of,
    set_session_cookie,
)
from hashchat.web.pages.common import (
    context_of,
    page,
    safe_next,
    see_other,
    viewer_of,
)

router = APIRouter()
FormText = Annotated[str, Form()]
_ZONES = sorted(available_timezones())


def _with_retry_after(error: ActionError, response: HTMLResponse) -> HTMLResponse:
    """A refused form; a throttled one says when to try again, as the API does."""
    if isinstance(error, RateLimitedError):
        response.headers["Retry-After"] = str(error.whole_seconds)
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """The list of series with their next chat."""
    items = list_series_with_next(context_of(request))
    return page(request, "home.html", "Series", series_list=items)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    """The log-in form."""
    return page(request, "login.html", "Log in", form={}, next_url=safe_next(next), error=None)


@router.post("/login", dependencies=[Depends(require_csrf)], response_model=None)
def login(
    request: Request,
    name: FormText = "",
    password: FormText = "",
    next: FormText = "/",
) -> Response:
    """Check the name and password; on success set the session cookie and go on."""
    ctx = context_of(request)
    try:
        user = check_login(ctx, name, password, client_address(request))
    except ActionError as error:
        return _with_retry_after(
            error,
            page(
                request,
                "login.html",
                "Log in",
                status_code=error.status,
                form={"name": name},
                next_url=safe_next(next),
                error=error.reason,
            ),
        )
    response = see_other(safe_next(next))
    set_session_cookie(request, response, do_create_session(ctx, user.id))
    return response


@router.get("/register", response_class=HTMLResponse)
def register_form(request: Request) -> HTMLResponse:
    """The registration form; the browser's time zone fills a hidden field."""
    return page(
        request,
        "register.html",
        "Register",
        form={},
        error=None,
        min_password_length=MIN_PASSWORD_LENGTH,
    )


@router.post("/register", dependencies=[Depends(require_csrf)], response_model=None)
def register(
    request: Request,
    name: FormText = "",
    password: FormText = "",
    display_name: FormText = "",
    timezone: FormText = "UTC",
) -> Response:
    """Create the account and log it in; errors come back on the form with the input kept."""
    ctx = context_of(request)
    try:
        user = do_register(
            ctx,
            name,
            password,
            display_name or None,
            timezone or "UTC",
            client_ip=client_address(request),
        )
    except ActionError as error:
        return _with_retry_after(
            error,
            page(
                request,
                "register.html",
                "Register",
                status_code=error.status,
                form={"name": name, "display_name": display_name, "timezone": timezone},
                error=error.reason,
                min_password_length=MIN_PASSWORD_LENGTH,
            ),
        )
    response = see_other("/")
    set_session_cookie(request, response, do_create_session(ctx, user.id))
    return response


@router.post("/logout", dependencies=[Depends(require_csrf)])
def logout(request: Request) -> Response:
    """End the session and forget the cookie."""
    session_id = session_id_of(request)
    if session_id:
        do_logout(context_of(request), session_id)
    response = see_other("/")
    clear_session_cookie(response)
    return response


def _settings_page(
    request: Request, form: dict[str, str], error: str | None, saved: bool, status: int = 200
) -> HTMLResponse:
    return settings_page(request, form=form, error=error, saved=saved, status=status)


def settings_page(
    request: Request,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    saved: bool = False,
    status: int = 200,
    network_error: str | None = None,
    network_notice: str | None = None,
    kept: dict[str, str] | None = None,
) -> HTMLResponse:
    """The Settings page: profile, and her own networks (`web.pages.my_networks` posts them)."""
    from hashchat.web.pages.my_networks import FIELDS, LABELS

    viewer = viewer_of(request)
    assert viewer is not None  # the routes send anonymous visitors to log in first
    return page(
        request,
        "settings.html",
        "Settings",
        status_code=status,
        form=form or {"display_name": viewer.display_name, "timezone": viewer.timezone},
        error=error,
        saved=saved,
        zones=_ZONES,
        networks=networks_of(context_of(request), viewer),
        network_fields=FIELDS,
        network_labels=LABELS,
        network_error=network_error,
        network_notice=network_notice,
        kept=kept or {},
    )


@router.get("/settings", response_model=None)
def settings_form(request: Request, saved: bool = False, networks: str = "") -> Response:
    """Display name and time zone of the logged-in person, and her connected networks."""
    from hashchat.web.pages.my_networks import DONE

    viewer = viewer_of(request)
    if viewer is None:
        return see_other("/login?next=/settings")
    return settings_page(request, saved=saved, network_notice=DONE.get(networks))


@router.post("/settings", dependencies=[Depends(require_csrf)], response_model=None)
def save_settings(
    request: Request, display_name: FormText = "", timezone: FormText = ""
) -> Response:
    """Save display name and time zone; a bad zone is named on the form, input kept."""
    viewer = viewer_of(request)
    if viewer is None:
        return see_other("/login?next=/settings")
    try:
        do_update_profile(context_of(request), viewer.id, display_name, timezone)
    except ActionError as error:
        form = {"display_name": display_name, "timezone": timezone}
        return _settings_page(request, form, error.reason, False, error.status)
    return see_other("/settings?saved=true")
