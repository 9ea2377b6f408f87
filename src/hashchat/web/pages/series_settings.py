"""A host's series pages: start a series, edit its settings, and its people (co-hosts,
moderators, blocks). Every form posts here and every change is an action; what a reader may
change is the permission matrix's to say (`actions.series.may_in_series`). Removing someone's
role asks first, on a page of its own, so it works without JavaScript."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote
from zoneinfo import available_timezones

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from hashchat.actions.errors import ActionError
from hashchat.actions.moderation import do_unblock_user
from hashchat.actions.permissions import Mutation, Role
from hashchat.actions.series import (
    CHAR_RULES,
    SeriesChanges,
    do_add_member,
    do_create_series,
    do_edit_series,
    do_remove_member,
    get_series,
    may_in_series,
    people_of_series,
)
from hashchat.actions.views import SeriesView
from hashchat.web.auth import require_csrf
from hashchat.web.pages.common import context_of, page, refusal, see_other, viewer_of
from hashchat.web.pages.views import rule_description

router = APIRouter()
CSRF = [Depends(require_csrf)]
FormText = Annotated[str, Form()]
ZONES = sorted(available_timezones())
RULES = {rule: rule_description(rule) for rule in CHAR_RULES}
ROLE_CHOICES = (Role.COHOST, Role.MODERATOR)
DONE = {
    "created": "Your series is ready. Schedule its first chat, or add co-hosts.",
    "saved": "Settings saved.",
    "added": "Role given.",
    "removed": "Role taken away.",
    "unblocked": "Block lifted: the person may post in the series again.",
}


def series_path(tag: str, rest: str = "") -> str:
    """The path of a series page, the tag escaped."""
    return f"/series/{quote(tag, safe='')}{rest}"


def login_first(path: str) -> Response:
    """Anonymous readers log in first and come back here."""
    return see_other(f"/login?next={quote(path, safe='/')}")


def _zones_text(zones: tuple[str, ...] | list[str]) -> str:
    return ", ".join(zones)


def _split_zones(text: str) -> list[str]:
    return [zone.strip() for zone in text.replace("\n", ",").split(",") if zone.strip()]


def _series_form(series: SeriesView) -> dict[str, str]:
    return {
        "tag": series.tag,
        "title": series.title,
        "description": series.description,
        "timezone": series.timezone,
        "char_rule": series.char_rule,
        "char_limit": str(series.char_limit),
        "guide": series.guide,
        "announcement_zones": _zones_text(series.announcement_zones),
    }


def _form_page(
    request: Request,
    template: str,
    title: str,
    form: dict[str, str],
    *,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
    series: SeriesView | None = None,
) -> HTMLResponse:
    return page(
        request,
        template,
        title,
        status_code=status,
        form=form,
        error=error,
        notice=notice,
        series=series,
        zones=ZONES,
        rules=RULES,
    )


def _limit(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        return 0  # refused by the action with its reason (between 1 and the maximum)


@router.get("/series/new", response_class=HTMLResponse, response_model=None)
def new_series_form(request: Request) -> Response:
    """The form that starts a series; the person who sends it becomes its owner."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_first("/series/new")
    form = {
        "tag": "",
        "title": "",
        "description": "",
        "timezone": viewer.timezone,
        "char_rule": "x",
        "char_limit": "280",
        "guide": "",
        "announcement_zones": "",
    }
    return _form_page(request, "series_new.html", "Start a series", form)


@router.post("/series/new", dependencies=CSRF, response_model=None)
def create_series(
    request: Request,
    tag: FormText = "",
    title: FormText = "",
    description: FormText = "",
    timezone: FormText = "",
    char_rule: FormText = "x",
    char_limit: FormText = "280",
    guide: FormText = "",
    announcement_zones: FormText = "",
) -> Response:
    """Create the series; a refusal is named on the form, with everything typed kept."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_first("/series/new")
    form = {
        "tag": tag,
        "title": title,
        "description": description,
        "timezone": timezone,
        "char_rule": char_rule,
        "char_limit": char_limit,
        "guide": guide,
        "announcement_zones": announcement_zones,
    }
    try:
        created = do_create_series(
            context_of(request),
            viewer,
            tag.strip().lstrip("#"),
            title,
            timezone,
            char_rule,
            _limit(char_limit),
            description,
            guide,
            _split_zones(announcement_zones),
        )
    except ActionError as error:
        return _form_page(
            request,
            "series_new.html",
            "Start a series",
            form,
            error=error.reason,
            status=error.status,
        )
    return see_other(series_path(created.tag, "/edit?done=created"))


@router.get("/series/{tag}/edit", response_class=HTMLResponse, response_model=None)
def edit_series_form(request: Request, tag: str, done: str = "") -> Response:
    """The series' settings, for its owners and co-hosts."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, "/edit"))
    ctx = context_of(request)
    try:
        series = get_series(ctx, tag).series
    except ActionError as error:
        return refusal(request, error.status, "No such series", error.reason)
    if Mutation.EDIT_SERIES not in may_in_series(ctx, viewer, tag):
        return refusal(request, 403, "Hosts only", "Only the owners and co-hosts edit a series.")
    return _form_page(
        request,
        "series_edit.html",
        f"Settings of #{series.tag}",
        _series_form(series),
        notice=DONE.get(done),
        series=series,
    )


@router.post("/series/{tag}/edit", dependencies=CSRF, response_model=None)
def save_series(
    request: Request,
    tag: str,
    title: FormText = "",
    description: FormText = "",
    timezone: FormText = "",
    char_rule: FormText = "x",
    char_limit: FormText = "280",
    guide: FormText = "",
    announcement_zones: FormText = "",
) -> Response:
    """Save the settings: all of them or, when one is refused, none (the form keeps them)."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, "/edit"))
    ctx = context_of(request)
    changes = SeriesChanges(
        title=title,
        description=description,
        timezone=timezone,
        char_rule=char_rule,
        char_limit=_limit(char_limit),
        guide=guide,
        announcement_zones=_split_zones(announcement_zones),
    )
    try:
        saved = do_edit_series(ctx, viewer, tag, changes)
    except ActionError as error:
        try:
            series = get_series(ctx, tag).series
        except ActionError:
            return refusal(request, error.status, "No such series", error.reason)
        form = {
            **_series_form(series),
            "title": title,
            "description": description,
            "timezone": timezone,
            "char_rule": char_rule,
            "char_limit": char_limit,
            "guide": guide,
            "announcement_zones": announcement_zones,
        }
        return _form_page(
            request,
            "series_edit.html",
            f"Settings of #{series.tag}",
            form,
            error=error.reason,
            status=error.status,
            series=series,
        )
    return see_other(series_path(saved.tag, "/edit?done=saved"))


def _people_page(
    request: Request,
    tag: str,
    *,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
    form_user: str = "",
) -> Response:
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, "/people"))
    try:
        people = people_of_series(context_of(request), viewer, tag)
    except ActionError as error_:
        return refusal(request, error_.status, "People of the series", error_.reason)
    return page(
        request,
        "series_people.html",
        f"People of #{people.series.tag}",
        status_code=status,
        series=people.series,
        members=people.members,
        blocked=people.blocked,
        may_add_members=any(people.may_give(role) for role in ROLE_CHOICES),
        may_unblock=Mutation.UNBLOCK_USER in people.may,
        removable={m.name for m in people.members if people.may_remove(m)},
        role_choices=[role.value for role in ROLE_CHOICES if people.may_give(role)],
        form_user=form_user,
        error=error,
        notice=notice,
    )


@router.get("/series/{tag}/people", response_class=HTMLResponse, response_model=None)
def people_page(request: Request, tag: str, done: str = "") -> Response:
    """Members by role and blocked people, for the series' staff; hosts add and remove roles."""
    return _people_page(request, tag, notice=DONE.get(done))


@router.post("/series/{tag}/people", dependencies=CSRF, response_model=None)
def add_person(
    request: Request, tag: str, user: FormText = "", role: FormText = "cohost"
) -> Response:
    """Give a person, by her handle, a role (co-host or moderator)."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, "/people"))
    try:
        do_add_member(context_of(request), viewer, tag, user, role)
    except ActionError as error:
        return _people_page(request, tag, error=error.reason, status=error.status, form_user=user)
    return see_other(series_path(tag, "/people?done=added"))


@router.get("/series/{tag}/people/{user}/remove", response_class=HTMLResponse, response_model=None)
def confirm_remove(request: Request, tag: str, user: str) -> Response:
    """Ask before taking a person's role away."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, f"/people/{quote(user, safe='')}/remove"))
    try:
        people = people_of_series(context_of(request), viewer, tag)
    except ActionError as error:
        return refusal(request, error.status, "People of the series", error.reason)
    member = next((m for m in people.members if m.name == user.strip().lower()), None)
    if member is None:
        return refusal(
            request, 404, "No such member", f"{user} has no role in #{people.series.tag}."
        )
    return page(
        request,
        "confirm.html",
        f"Remove {member.name}?",
        question=f"Take the {member.role} role in #{people.series.tag} away from "
        f"{member.display_name or member.name} (@{member.name})?",
        consequence="They keep their account and may still post in the chats; "
        "you can give the role back later.",
        action=series_path(people.series.tag, f"/people/{quote(member.name, safe='')}/remove"),
        confirm_label=f"Remove {member.name}",
        cancel=series_path(people.series.tag, "/people"),
    )


@router.post("/series/{tag}/people/{user}/remove", dependencies=CSRF, response_model=None)
def remove_person(request: Request, tag: str, user: str, confirm: FormText = "") -> Response:
    """Take the role away once confirmed (a post without the confirmation asks again)."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, "/people"))
    if confirm != "yes":
        return confirm_remove(request, tag, user)  # not confirmed: the question again
    try:
        do_remove_member(context_of(request), viewer, tag, user)
    except ActionError as error:
        return _people_page(request, tag, error=error.reason, status=error.status)
    return see_other(series_path(tag, "/people?done=removed"))


@router.post("/series/{tag}/blocks/{user}/unblock", dependencies=CSRF, response_model=None)
def unblock_person(request: Request, tag: str, user: str) -> Response:
    """Lift a block (it can be put back from the host console)."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_first(series_path(tag, "/people"))
    try:
        do_unblock_user(context_of(request), viewer, tag, user)
    except ActionError as error:
        return _people_page(request, tag, error=error.reason, status=error.status)
    return see_other(series_path(tag, "/people?done=unblocked"))
