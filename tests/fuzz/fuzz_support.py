"""The seeded app the fuzzer runs against, and the operations of its OpenAPI document."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import schemathesis
from fastapi import FastAPI

from hashchat.actions.accounts import do_create_token, do_register
from hashchat.actions.chats import do_create_chat, do_next_question, do_start_chat
from hashchat.actions.context import AppContext
from hashchat.actions.posts import do_create_post
from hashchat.actions.series import do_add_member, do_create_series
from hashchat.assembly import build_context
from hashchat.settings import Settings
from hashchat.web.app import create_app

# The endless event stream is left out: its inputs are checked by test_api_events.py and the
# hypothesis test of its resume-point parser.
EXCLUDED_PATHS = ("/api/v1/chats/{chat_id}/events",)


def _document() -> dict[str, Any]:
    document: dict[str, Any] = create_app(Settings(database_url="sqlite://")).openapi()
    return document


def operation_labels() -> list[tuple[str, str]]:
    """(method, path) of every JSON API operation; the document needs no database."""
    return [
        (method.upper(), path)
        for path, methods in _document()["paths"].items()
        if path.startswith("/api/") and path not in EXCLUDED_PATHS
        for method in methods
    ]


def _unconstrained_string(parameter: dict[str, Any]) -> bool:
    schema = parameter.get("schema", {})
    constraints = {"pattern", "maxLength", "minLength", "enum", "format", "const"}
    return schema.get("type") == "string" and not constraints & schema.keys()


def nothing_invalid() -> set[tuple[str, str]]:
    """Operations no request can break the schema of: no body, no query or header
    parameters, and only unconstrained strings in the path (negative generation has
    nothing to make of them)."""
    found: set[tuple[str, str]] = set()
    for path, methods in _document()["paths"].items():
        for method, operation in methods.items():
            parameters = operation.get("parameters", [])
            if (
                "requestBody" not in operation
                and all(p.get("in") == "path" for p in parameters)
                and all(_unconstrained_string(p) for p in parameters)
            ):
                found.add((method.upper(), path))
    return found


@dataclass(frozen=True)
class Seeded:
    """The app and what the fuzzer can aim at."""

    app: FastAPI
    token: str
    tag: str
    chat_id: int
    post_id: int

    def aim(self, case: Any) -> None:
        """Half the time, point path parameters at the seeded resources (random ids and tags
        would almost only ever meet 404s)."""
        chooser = random.Random(repr(case.path_parameters))
        params = case.path_parameters or {}
        for name, real in (
            ("tag", self.tag),
            ("chat_id", self.chat_id),
            ("post_id", self.post_id),
            ("user", "guest"),
        ):
            if name in params and chooser.random() < 0.5:
                params[name] = real


def seed(ctx: AppContext) -> tuple[str, int, int]:
    """An owner (with a token), a participant, a series and a live chat with one answer."""
    owner = do_register(ctx, "owner", "correct horse battery")
    do_register(ctx, "guest", "correct horse battery")
    do_create_series(ctx, owner, "KaizenBiz", "Kaizen", "Europe/London")
    do_add_member(ctx, owner, "KaizenBiz", "guest", "participant")
    questions = [f"Question {n}?" for n in range(1, 4)]
    chat = do_create_chat(ctx, owner, "KaizenBiz", "Habits", ctx.now(), 60, questions)
    do_start_chat(ctx, owner, chat.id)
    do_next_question(ctx, owner, chat.id)
    post = do_create_post(ctx, owner, chat.id, "A1 seeded answer")
    return do_create_token(ctx, "owner"), chat.id, post.id


def seeded_app(settings: Settings) -> tuple[Seeded, AppContext]:
    """The app on a migrated database, seeded."""
    ctx = build_context(settings)
    token, chat_id, post_id = seed(ctx)
    return Seeded(create_app(context=ctx), token, "KaizenBiz", chat_id, post_id), ctx


_SCHEMAS: dict[int, Any] = {}


def schema_of(seeded: Seeded) -> Any:
    """The schemathesis schema of the seeded app (loaded once per app)."""
    key = id(seeded.app)
    if key not in _SCHEMAS:
        _SCHEMAS[key] = schemathesis.openapi.from_asgi("/openapi.json", seeded.app)
    return _SCHEMAS[key]
