"""HTML pages of hashchat (home and accounts, series, room, host console, recap)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute

from hashchat.web.pages import (
    accounts,
    blog,
    bridges,
    host,
    host_prepare,
    insights,
    my_networks,
    recap,
    room,
    series,
    series_schedule,
    series_settings,
)

_MODULES = (
    accounts,
    my_networks,
    series_settings,
    series_schedule,
    series,
    room,
    host,
    host_prepare,
    recap,
    insights,
    bridges,
    blog,
)
router = APIRouter(include_in_schema=False)
for module in _MODULES:
    router.include_router(module.router)

PAGE_ROUTES: tuple[APIRoute, ...] = tuple(
    route for module in _MODULES for route in module.router.routes if isinstance(route, APIRoute)
)
_PAGE_ENDPOINTS = frozenset(route.endpoint for route in PAGE_ROUTES)


def is_page_route(route: object) -> bool:
    """True when `route` (a request's `scope["route"]`) is a page: its refusals are HTML pages,
    not the API's JSON."""
    return getattr(route, "endpoint", None) in _PAGE_ENDPOINTS
