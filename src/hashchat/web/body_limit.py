"""Request body limits: a body over its limit is refused with 413 before the app reads it.

Every request gets `Settings.max_body_bytes` (64 KiB: the JSON API and the forms), except the
upload routes (UPLOAD_PREFIX, UPLOAD_ROUTE), which get `Settings.max_upload_bytes` (they stream
to disk).
A declared `Content-Length` over the limit is answered at once, without calling the app; a
chunked body is counted as the app reads it and cut off at the limit (Starlette's
RequestBodyLimitResponder, which FastAPI turns into a 413). deploy/nginx-hashchat.conf.template
sets the same limits per location (`client_max_body_size`), so a front nginx refuses first.
"""

from __future__ import annotations

import re

from starlette.datastructures import Headers
from starlette.middleware.body_limit import RequestBodyLimitResponder
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from hashchat.settings import UPLOAD_PREFIX, UPLOAD_ROUTE_PATTERN

# Routes under this prefix take uploads (archives): their own, larger limit; and an archive
# import (issue 10: POST /api/v1/series/{tag}/imports, web.api.imports). One home: settings.
UPLOAD_ROUTE = re.compile(UPLOAD_ROUTE_PATTERN)


def declared_length(scope: Scope) -> int | None:
    """The request's `Content-Length`, or None when absent or not a number (chunked)."""
    value = Headers(scope=scope).get("content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


class BodyLimitMiddleware:
    """Pure ASGI: 413 for a body over its route's limit, before the body is read."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    def limit_for(self, path: str) -> int:
        """The limit of a request to `path`."""
        if path.startswith(UPLOAD_PREFIX) or UPLOAD_ROUTE.match(path):
            return self.max_upload_bytes
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = declared_length(scope)
        if declared is not None and declared > limit:
            refusal = JSONResponse(
                {"detail": f"the request body is over the limit of {limit} bytes"},
                status_code=413,
                # The unread body is left on the connection: the server must close it.
                headers={"Connection": "close"},
            )
            await refusal(scope, receive, send)
            return
        await RequestBodyLimitResponder(self.app, limit)(scope, receive, send)
