"""Every refusal becomes JSON `{"detail": reason}` with its status; never a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from hashchat.actions.errors import ActionError, RateLimitedError

logger = logging.getLogger(__name__)


def _location(loc: tuple[object, ...] | list[object]) -> str:
    return ".".join(str(part) for part in loc if part != "body") or "request"


async def _action_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ActionError)
    headers: dict[str, str] = {}
    if isinstance(error, RateLimitedError):
        headers["Retry-After"] = str(max(1, round(error.retry_after)))
    if error.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse({"detail": error.reason}, status_code=error.status, headers=headers)


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = [f"{_location(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in error.errors()]
    return JSONResponse({"detail": "; ".join(problems) or "invalid request"}, status_code=422)


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    logger.error("unexpected error on %s %s: %r", request.method, request.url.path, error)
    return JSONResponse({"detail": "internal error; it has been logged"}, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Map ActionError, request validation and anything unexpected to JSON responses."""
    app.add_exception_handler(ActionError, _action_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
