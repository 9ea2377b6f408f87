"""The Jinja2 environment of the pages: autoescape always on, and the time filters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"


def iso_utc(instant: datetime) -> str:
    """`instant` as ISO 8601 in UTC with a `Z`, for `<time datetime>` and feeds."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_utc_exact(instant: datetime) -> str:
    """`instant` in UTC with its fraction of a second, as the event stream writes it: the
    room orders posts by it (`data-created`), so the page and the stream must agree."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def in_zone(instant: datetime, zone_name: str, style: str = "long") -> str:
    """`instant` as wall time in `zone_name`: `Fri 7 Mar 2025, 17:00 GMT`, or `17:00` (short).

    A stored instant so near the end of the calendar that the zone's wall time is past year
    9999 (old rows from before the date window) is shown in UTC instead of failing the page.
    """
    try:
        local = instant.astimezone(_zone(zone_name))
    except OverflowError:
        local, zone_name = instant.astimezone(UTC), "UTC"
    if style == "short":
        return local.strftime("%H:%M")
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname() or zone_name}"


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,  # every template, including .xml ones: user text is never trusted
    )
    environment.filters["iso_utc"] = iso_utc
    environment.filters["iso_utc_exact"] = iso_utc_exact
    environment.filters["in_zone"] = in_zone
    return environment


templates = Jinja2Templates(env=_environment())


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """Render template `name` with `context` (which must hold `viewer` and `csrf_token`)."""
    return templates.TemplateResponse(request, name, context, status_code=status_code)
