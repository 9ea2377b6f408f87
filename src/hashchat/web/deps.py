"""Reaching the application's context from a request."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends
from starlette.requests import HTTPConnection

from hashchat.actions.context import AppContext


def app_context(request: HTTPConnection) -> AppContext:
    """The AppContext that `create_app` stored on the app (a FastAPI dependency, too)."""
    return cast(AppContext, request.app.state.ctx)


# A route parameter `ctx: Ctx` receives the application's context.
Ctx = Annotated[AppContext, Depends(app_context)]
