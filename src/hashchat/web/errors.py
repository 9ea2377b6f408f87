"""Every refusal becomes JSON `{"detail": reason}` with its status; never a traceback.

A database that is away (restarting, unreachable, locked) is a 503 with `Retry-After`: the
request changed nothing, and the same request will work once the database is back.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from hashchat.actions.errors import ActionError, RateLimitedError
from hashchat.web.pages import is_page_route
from hashchat.web.pages.common import refusal
from hashchat.web.security_headers import SECURITY_HEADERS

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = "the database is unavailable; try again"
RETRY_AFTER_SECONDS = 2


def _location(loc: tuple[object, ...] | list[object]) -> str:
    return ".".join(str(part) for part in loc if part != "body") or "request"


async def _action_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ActionError)
    headers: dict[str, str] = {}
    if isinstance(error, RateLimitedError):
        headers["Retry-After"] = str(error.whole_seconds)
    if error.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse({"detail": error.reason}, status_code=error.status, headers=headers)


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    if is_page_route(request.scope.get("route")) and any(
        e.get("loc", ("",))[0] == "path" for e in error.errors()
    ):
        # A page's address that names nothing (an id too big, negative or not a number)
        # is a missing page, as a well-formed id with no row is; the API keeps its 422.
        return refusal(request, 404, "Not found", f"There is no page at {request.url.path}.")
    problems = [f"{_location(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in error.errors()]
    return JSONResponse({"detail": "; ".join(problems) or "invalid request"}, status_code=422)


def is_database_unavailable(error: BaseException) -> bool:
    """True when `error` says the database cannot be reached or used right now (connection
    refused or dropped, server shutting down, pool exhausted, SQLite locked or read-only),
    as opposed to a bug in a statement."""
    if isinstance(error, sa.exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(error, sa.exc.DBAPIError):
        return error.connection_invalidated or isinstance(
            error, sa.exc.OperationalError | sa.exc.InterfaceError
        )
    return False


async def _database_error(request: Request, error: Exception) -> Response:
    if isinstance(error, sa.exc.DataError):
        return _value_refused(request, error)
    if not is_database_unavailable(error):
        return await _unexpected_error(request, error)
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, error)
    return JSONResponse(
        {"detail": DATABASE_UNAVAILABLE},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def _value_refused(request: Request, error: sa.exc.DataError) -> Response:
    """A value the database refuses to hold or compare (PostgreSQL: a NUL in text, a number out
    of range), looked up or stored from the request: the request's fault, nothing was changed.
    Typed text refuses such values earlier with its own reason; this covers every other door (a
    tag or name in a path, a token). The statement's parameters are never logged or shown."""
    reason = str(error.orig).splitlines()[0] if error.orig is not None else "invalid value"
    logger.info(
        "value refused by the database on %s %s: %s", request.method, request.url.path, reason
    )
    message = f"the request holds a value the database cannot take: {reason}"
    if is_page_route(request.scope.get("route")):
        return refusal(request, 422, "Invalid request", message)
    return JSONResponse({"detail": message}, status_code=422)


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    logger.error("unexpected error on %s %s: %r", request.method, request.url.path, error)
    # Sent by Starlette's outermost middleware, past SecurityHeadersMiddleware: add them here.
    return JSONResponse(
        {"detail": "internal error; it has been logged"},
        status_code=500,
        headers=dict(SECURITY_HEADERS),
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map ActionError, request validation, an unavailable database and anything unexpected
    to JSON responses."""
    app.add_exception_handler(ActionError, _action_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(sa.exc.SQLAlchemyError, _database_error)
    app.add_exception_handler(Exception, _unexpected_error)
