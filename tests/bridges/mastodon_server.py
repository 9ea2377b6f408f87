"""A local Mastodon server for the bridge tests: it speaks the documented client API for what
the bridge uses, with the official documentation's example payloads read at run time from
`../shared/data/mastodon/` (only ids, texts, accounts and times changed, never copied here).

- `GET /api/v1/instance`, `GET /api/v2/instance` (the character limit, the URL length),
  `GET /api/v1/accounts/verify_credentials`;
- `POST /api/v1/statuses`, `GET|PUT|DELETE /api/v1/statuses/:id`;
- `GET /api/v1/timelines/tag/:hashtag` with `max_id`, `since_id`, `min_id`, `limit` and the
  `Link` paging header, newest first (oldest first above `min_id`, as Mastodon pages);
- `GET /api/v1/streaming/hashtag?tag=` over server-sent events (`update`, `status.update`,
  `delete`), which is what Mastodon.py's `stream_hashtag` uses;
- the OAuth app registration flow: `POST /api/v1/apps` (a CredentialApplication), `GET
  /oauth/authorize` (the host approves at once: a redirect to `redirect_uri` with `code` and
  `state`, or the code shown for `urn:ietf:wg:oauth:2.0:oob`), `POST /oauth/token` (the
  `authorization_code` grant; the token is `TOKEN`, the host's), refusing a wrong client, code or
  redirect URI with `invalid_grant`/`invalid_client` as Doorkeeper does;
- rate-limit headers on every answer, and on demand 429 or 5xx answers (`fail_next`) and
  dropped streams (`drop_streams`).

Tags are compared case-insensitively; `post_as` writes a status as any account (the other
people of the chat), `boost` reblogs one.
"""

from __future__ import annotations

import asyncio
import copy
import html
import json
import re
import socket
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ci_support import skip_or_fail

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "mastodon"
TOKEN = "local-mastodon-token"
RATE_LIMIT = 300
_TAG = re.compile(r"(?<![\w/])#(\w+)")


def sample(name: str) -> Any:
    """One of the documentation's examples, e.g. `Status--example--073`."""
    path = DATA / f"{name}.json"
    if not path.is_file():
        skip_or_fail(f"the Mastodon API samples are absent: {path} not found")
    return json.loads(path.read_text())


def _iso(moment: datetime) -> str:
    """Mastodon's time format: UTC with milliseconds."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class _State:
    host: str = ""
    statuses: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 110_000_000_000_000_000
    failures: list[int] = field(default_factory=list)
    remaining: int = RATE_LIMIT
    listeners: list[asyncio.Queue[tuple[str, str] | None]] = field(default_factory=list)
    loop: asyncio.AbstractEventLoop | None = None
    requests: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    apps: dict[str, dict[str, Any]] = field(default_factory=dict)  # client_id -> app
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> client, redirect


class LocalMastodon:
    """The server, run by uvicorn on its own thread and port; `base_url` is its address."""

    def __init__(self) -> None:
        self.state = _State()
        self._status = sample("Status--example--073")
        self._instance_v1 = sample("instance--v1--086")
        self._instance_v2 = sample("instance--v2--074")
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""
        self.domain = ""
        self.own_account = self.account("host")
        self.tokens: dict[str, str] = {}  # another person's access token -> her username

    # -- running ---------------------------------------------------------------------------

    @classmethod
    def start(cls) -> LocalMastodon:
        """Start on a free port of 127.0.0.1; returns once it answers."""
        server = cls()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        server.base_url = f"http://127.0.0.1:{port}"
        server.domain = f"127.0.0.1:{port}"
        server.own_account = server.account("host")
        config = uvicorn.Config(server.app(), host="127.0.0.1", port=port, log_level="warning")
        server._server = uvicorn.Server(config)
        server._thread = threading.Thread(target=server._server.run, daemon=True)
        server._thread.start()
        deadline = time.monotonic() + 10
        while not server._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the local Mastodon server did not start")
            time.sleep(0.01)
        return server

    def stop(self) -> None:
        """End the streams and stop the server."""
        self.drop_streams()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    # -- what tests do ---------------------------------------------------------------------

    def account(self, username: str) -> dict[str, Any]:
        """An account shaped like the documentation's, named `username` on this server."""
        account = copy.deepcopy(self._status["account"])
        number = 1000 + sum(map(ord, username))
        account.update(
            id=str(number),
            username=username,
            acct=username,
            display_name=username.title(),
            url=f"{self.base_url}/@{username}",
        )
        return account

    def token_for(self, username: str) -> str:
        """An access token of `username`'s own (a participant's, not the host's `TOKEN`)."""
        token = f"local-token-of-{username}"
        self.tokens[token] = username
        return token

    def _account_of(self, request: Request) -> dict[str, Any]:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        username = self.tokens.get(token)
        return self.account(username) if username else self.own_account

    def post_as(
        self,
        username: str,
        text: str,
        *,
        in_reply_to_id: str | None = None,
        created_at: datetime | None = None,
        html_content: str | None = None,
    ) -> dict[str, Any]:
        """Publish a status as `username` (plain text made HTML as Mastodon does); streamed."""
        return self._create(
            self.account(username), text, in_reply_to_id, created_at, html_content=html_content
        )

    def boost(self, username: str, status_id: str) -> dict[str, Any]:
        """Reblog a status as `username`: a new status whose `reblog` is the original."""
        with self.state.lock:
            original = self.state.statuses[int(status_id)]
        return self._create(self.account(username), "", None, None, reblog=original)

    def edit(self, status_id: str, text: str) -> dict[str, Any]:
        """Edit a status (as its author); streamed as `status.update`."""
        with self.state.lock:
            status = self.state.statuses[int(status_id)]
            status["content"] = _html(text)
            status["tags"] = _tags(text, self.base_url)
            status["edited_at"] = _iso(datetime.now(UTC))
            payload = json.dumps(status)
        self._broadcast("status.update", payload, status)
        return status

    def delete(self, status_id: str) -> dict[str, Any]:
        """Delete a status; streamed as `delete` with its id."""
        with self.state.lock:
            status = self.state.statuses.pop(int(status_id))
        self._broadcast("delete", str(status_id), status)
        return status

    def fail_next(self, status: int, times: int = 1) -> None:
        """Answer the next `times` API requests (the instance description aside) with `status`
        (429 or 5xx)."""
        with self.state.lock:
            self.state.failures.extend([status] * times)

    def drop_streams(self) -> None:
        """Cut every open stream, as a restarting server or a lost connection does."""
        loop = self.state.loop
        if loop is None:
            return
        for queue in list(self.state.listeners):
            loop.call_soon_threadsafe(queue.put_nowait, None)

    def statuses(self) -> list[dict[str, Any]]:
        """Every status on the server, oldest first."""
        with self.state.lock:
            return [self.state.statuses[key] for key in sorted(self.state.statuses)]

    # -- internals -------------------------------------------------------------------------

    def _create(
        self,
        account: dict[str, Any],
        text: str,
        in_reply_to_id: str | None,
        created_at: datetime | None,
        *,
        reblog: dict[str, Any] | None = None,
        html_content: str | None = None,
    ) -> dict[str, Any]:
        with self.state.lock:
            self.state.next_id += 1
            status_id = self.state.next_id
            status = copy.deepcopy(self._status)
            parent = self.state.statuses.get(int(in_reply_to_id)) if in_reply_to_id else None
            status.update(
                id=str(status_id),
                created_at=_iso(created_at or datetime.now(UTC)),
                in_reply_to_id=in_reply_to_id,
                in_reply_to_account_id=parent["account"]["id"] if parent else None,
                uri=f"{self.base_url}/users/{account['username']}/statuses/{status_id}",
                url=f"{self.base_url}/@{account['username']}/{status_id}",
                content=html_content if html_content is not None else _html(text),
                account=account,
                reblog=reblog,
                tags=[] if reblog else _tags(text, self.base_url),
                card=None,
                replies_count=0,
                reblogs_count=0,
                favourites_count=0,
                edited_at=None,
            )
            if html_content is not None:
                plain = re.sub("<[^>]+>", "", re.sub("</p>|<br ?/?>", " ", html_content))
                status["tags"] = _tags(html.unescape(plain), self.base_url)
            self.state.statuses[status_id] = status
            payload = json.dumps(status)
        self._broadcast("update", payload, status)
        return status

    def _broadcast(self, event: str, data: str, status: dict[str, Any]) -> None:
        loop = self.state.loop
        if loop is None:
            return
        tags = {tag["name"].casefold() for tag in (status.get("reblog") or status)["tags"]}
        for queue in list(self.state.listeners):
            wanted = getattr(queue, "tag", "")
            if event == "delete" or wanted in tags:
                loop.call_soon_threadsafe(queue.put_nowait, (event, data))

    def _headers(self) -> dict[str, str]:
        reset = datetime.fromtimestamp(time.time() + 300, UTC)
        return {
            "X-RateLimit-Limit": str(RATE_LIMIT),
            "X-RateLimit-Remaining": str(self.state.remaining),
            "X-RateLimit-Reset": _iso(reset),
        }

    def _refusal(self, request: Request, *, public: bool = False) -> Response | None:
        self.state.requests.append(f"{request.method} {request.url.path}")
        if self.state.loop is None:
            self.state.loop = asyncio.get_running_loop()
        if public:  # the instance's description: clients read it on their own, never refused
            return None
        with self.state.lock:
            failure = self.state.failures.pop(0) if self.state.failures else None
            self.state.remaining = max(0, self.state.remaining - 1)
        if failure is not None:
            headers = self._headers()
            if failure == 429:
                headers["X-RateLimit-Remaining"] = "0"
                return JSONResponse({"error": "Too many requests"}, 429, headers)
            return JSONResponse({"error": "Service unavailable"}, failure, headers)
        auth = request.headers.get("authorization", "")
        if auth != f"Bearer {TOKEN}" and auth.removeprefix("Bearer ") not in self.tokens:
            return JSONResponse(sample("statuses--create--011"), 401, self._headers())
        return None

    def _json(self, body: Any, status: int = 200, **headers: str) -> JSONResponse:
        return JSONResponse(body, status, {**self._headers(), **headers})

    def app(self) -> Starlette:
        """The ASGI app."""

        async def instance_v1(request: Request) -> Response:
            self._refusal(request, public=True)
            body = copy.deepcopy(self._instance_v1)
            body["uri"] = self.domain
            body.setdefault("urls", {})["streaming_api"] = self.base_url.replace("http", "ws")
            return self._json(body)

        async def instance_v2(request: Request) -> Response:
            self._refusal(request, public=True)
            body = copy.deepcopy(self._instance_v2)
            body["domain"] = self.domain
            body["configuration"]["urls"]["streaming"] = self.base_url.replace("http", "ws")
            return self._json(body)

        async def verify_credentials(request: Request) -> Response:
            return self._refusal(request) or self._json(self._account_of(request))

        async def create_status(request: Request) -> Response:
            refused = self._refusal(request)
            if refused:
                return refused
            form = await _form(request)
            text = str(form.get("status", ""))
            if not text.strip():
                return self._json({"error": "Validation failed: Text can't be blank"}, 422)
            limit = self._instance_v2["configuration"]["statuses"]["max_characters"]
            if len(text) > limit:
                return self._json({"error": "Validation failed: Text is too long"}, 422)
            reply = form.get("in_reply_to_id")
            author = self._account_of(request)
            status = self._create(author, text, str(reply) if reply else None, None)
            return self._json(status)

        async def one_status(request: Request) -> Response:
            refused = self._refusal(request)
            if refused:
                return refused
            status_id = request.path_params["id"]
            with self.state.lock:
                found = self.state.statuses.get(int(status_id)) if status_id.isdigit() else None
            if found is None:
                return self._json(sample("timelines--tag--002"), 404)
            if request.method == "GET":
                return self._json(found)
            if request.method == "DELETE":
                return self._json(self.delete(status_id))
            form = await _form(request)
            return self._json(self.edit(status_id, str(form.get("status", ""))))

        async def tag_timeline(request: Request) -> Response:
            refused = self._refusal(request)
            if refused:
                return refused
            wanted = request.path_params["hashtag"].casefold()
            query = request.query_params
            limit = min(int(query.get("limit", "20")), 40)
            with self.state.lock:
                found = [
                    s
                    for key, s in sorted(self.state.statuses.items())
                    if wanted in {t["name"].casefold() for t in (s.get("reblog") or s)["tags"]}
                ]
            ids = [int(s["id"]) for s in found]
            if "max_id" in query:
                found = [s for s, i in zip(found, ids, strict=True) if i < int(query["max_id"])]
                ids = [int(s["id"]) for s in found]
            if "since_id" in query:
                found = [s for s, i in zip(found, ids, strict=True) if i > int(query["since_id"])]
            if "min_id" in query:  # the page just above min_id, oldest first, shown newest first
                found = [s for s in found if int(s["id"]) > int(query["min_id"])][:limit]
            else:
                found = found[-limit:]
            page = list(reversed(found))
            headers: dict[str, str] = {}
            if page:
                path = f"{self.base_url}/api/v1/timelines/tag/{request.path_params['hashtag']}"
                headers["Link"] = (
                    f'<{path}?limit={limit}&max_id={page[-1]["id"]}>; rel="next", '
                    f'<{path}?limit={limit}&min_id={page[0]["id"]}>; rel="prev"'
                )
            return self._json(page, **headers)

        async def create_app(request: Request) -> Response:
            self._refusal(request, public=True)
            form = await _form(request)
            name, redirect = str(form.get("client_name", "")), form.get("redirect_uris", "")
            redirects = [redirect] if isinstance(redirect, str) else list(redirect)
            redirects = [r for uri in redirects for r in str(uri).split()]
            if not name or not redirects:
                return self._json({"error": "Validation failed: Name can't be blank"}, 422)
            with self.state.lock:
                number = len(self.state.apps) + 1
                app = {
                    "id": str(number),
                    "name": name,
                    "website": form.get("website") or None,
                    "scopes": str(form.get("scopes", "read")).split(),
                    "redirect_uri": "\n".join(redirects),
                    "redirect_uris": redirects,
                    "client_id": f"local-client-{number}",
                    "client_secret": f"local-secret-{number}",
                    "client_secret_expires_at": 0,
                    "vapid_key": f"local-vapid-key-{number}",
                }
                self.state.apps[app["client_id"]] = app
            return self._json(app)

        async def authorize(request: Request) -> Response:
            self._refusal(request, public=True)
            query = request.query_params
            app = self.state.apps.get(query.get("client_id", ""))
            redirect = query.get("redirect_uri", "")
            if app is None or redirect not in app["redirect_uris"]:
                body = "The redirect uri included is not valid."
                return Response(body, 400, media_type="text/plain")
            code = f"code-{len(self.state.codes) + 1}"
            self.state.codes[code] = (app["client_id"], redirect)
            if redirect == "urn:ietf:wg:oauth:2.0:oob":
                return Response(f"Authorization code: {code}", 200, media_type="text/plain")
            joiner = "&" if "?" in redirect else "?"
            target = (
                f"{redirect}{joiner}{urlencode({'code': code, 'state': query.get('state', '')})}"
            )
            return Response(status_code=302, headers={"Location": target})

        async def token(request: Request) -> Response:
            self._refusal(request, public=True)
            form = await _form(request)
            app = self.state.apps.get(str(form.get("client_id", "")))
            if app is None or form.get("client_secret") != app["client_secret"]:
                return self._json(
                    {
                        "error": "invalid_client",
                        "error_description": "Client authentication failed due to unknown "
                        "client, no client authentication included, or unsupported "
                        "authentication method.",
                    },
                    401,
                )
            issued = self.state.codes.pop(str(form.get("code", "")), None)
            if (
                form.get("grant_type") != "authorization_code"
                or issued is None
                or issued != (app["client_id"], form.get("redirect_uri"))
            ):
                return self._json(
                    {
                        "error": "invalid_grant",
                        "error_description": "The provided authorization grant is invalid, "
                        "expired, revoked, does not match the redirection URI used in the "
                        "authorization request, or was issued to another client.",
                    },
                    400,
                )
            return self._json(
                {
                    "access_token": TOKEN,
                    "token_type": "Bearer",
                    "scope": str(form.get("scope", "read")),
                    "created_at": int(time.time()),
                }
            )

        async def stream_hashtag(request: Request) -> Response:
            refused = self._refusal(request)
            if refused:
                return refused
            queue: asyncio.Queue[tuple[str, str] | None] = asyncio.Queue()
            queue.tag = request.query_params.get("tag", "").casefold()  # type: ignore[attr-defined]
            self.state.listeners.append(queue)

            async def events() -> AsyncIterator[bytes]:
                try:
                    yield b":)\n\n"
                    while True:
                        try:
                            item = await asyncio.wait_for(queue.get(), 5)
                        except TimeoutError:
                            yield b":thump\n\n"
                            continue
                        if item is None:
                            return
                        event, data = item
                        yield f"event: {event}\ndata: {data}\n\n".encode()
                finally:
                    if queue in self.state.listeners:
                        self.state.listeners.remove(queue)

            return StreamingResponse(events(), media_type="text/event-stream")

        return Starlette(
            routes=[
                Route("/api/v1/instance", instance_v1),
                Route("/api/v1/instance/", instance_v1),
                Route("/api/v2/instance", instance_v2),
                Route("/api/v1/accounts/verify_credentials", verify_credentials),
                Route("/api/v1/statuses", create_status, methods=["POST"]),
                Route("/api/v1/statuses/{id}", one_status, methods=["GET", "PUT", "DELETE"]),
                Route("/api/v1/timelines/tag/{hashtag}", tag_timeline),
                Route("/api/v1/streaming/hashtag", stream_hashtag),
                Route("/api/v1/apps", create_app, methods=["POST"]),
                Route("/oauth/authorize", authorize),
                Route("/oauth/token", token, methods=["POST"]),
            ]
        )


async def _form(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.json()
        return dict(body) if isinstance(body, dict) else {}
    return dict(await request.form())


def _html(text: str) -> str:
    """Plain text as Mastodon renders it: paragraphs, and each hashtag as a tag link."""
    escaped = html.escape(text)
    linked = _TAG.sub(
        lambda m: (
            f'<a href="/tags/{m.group(1).lower()}" class="mention hashtag" rel="tag">'
            f"#<span>{m.group(1)}</span></a>"
        ),
        escaped,
    )
    return "".join(f"<p>{part}</p>" for part in linked.split("\n\n")).replace("\n", "<br />")


def _tags(text: str, base_url: str) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    for name in _TAG.findall(text):
        seen.setdefault(name.lower(), {"name": name.lower(), "url": f"{base_url}/tags/{name}"})
    return list(seen.values())
