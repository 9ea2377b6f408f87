"""A local X API v2 server for the bridge tests, with the shapes of X's API v2 reference
examples (only ids, texts, names and times changed): `GET /2/users/me`, `POST /2/tweets`,
`GET /2/tweets/search/recent` (`since_id`, `next_token`, `expansions=author_id`), the filtered
stream (`POST /oauth2/token` for the app-only bearer, `GET`/`POST /2/tweets/search/stream/rules`,
`GET /2/tweets/search/stream`: one JSON post a line with `matching_rules` and `includes`,
`\r\n` keep-alives), the documented problem bodies for 401 and 403, and access levels without
search or without the stream on demand. Post ids are snowflakes (their time in milliseconds
shifted by 22 bits), as X's are. tweepy's base URL is fixed, so `session()` gives a requests
session whose transport adapter routes https://api.twitter.com to this server."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import requests
import uvicorn
from requests.adapters import HTTPAdapter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

GOOD_KEY = "local-x-api-key"
# The four keys a host gives for X, the API key being the one the local server knows.
KEYS = {
    "api_key": GOOD_KEY,
    "api_secret": "s",
    "access_token": "t",
    "access_token_secret": "ts",
}
BEARER = "AAAAAAAAAAAAAAAAAAAAALocalXAppOnlyBearerToken"
SNOWFLAKE_EPOCH_MS = 1_288_834_974_657
UNAUTHORIZED = {
    "title": "Unauthorized",
    "type": "about:blank",
    "status": 401,
    "detail": "Unauthorized",
}
NOT_ENROLLED = {
    "client_id": "101010101",
    "required_enrollment": "Appropriate Level of API Access",
    "registration_url": "https://developer.x.com/en/portal/product",
    "title": "Client Forbidden",
    "detail": "This request must be made using an approved developer account that is enrolled "
    "in the requested endpoint.",
    "reason": "client-not-enrolled",
    "type": "https://api.twitter.com/2/problems/client-forbidden",
}


TOO_MANY_CONNECTIONS = {
    "title": "ConnectionException",
    "detail": "This stream is currently at the maximum allowed connection limit.",
    "connection_issue": "TooManyConnections",
    "type": "https://api.twitter.com/2/problems/streaming-connection",
}

# X API v2's answer when it is over capacity (a problem document, as its errors are).
SERVICE_UNAVAILABLE = {
    "title": "Service Unavailable",
    "detail": "Service Unavailable",
    "type": "about:blank",
    "status": 503,
}


class LocalX:
    """The server on its own thread and port."""

    def __init__(self) -> None:
        self.tweets: list[dict[str, Any]] = []
        self.users = {"1": {"id": "1", "name": "Chat Host", "username": "ChatHost"}}
        self.next_id = 0
        self.search_allowed = True
        self.search_budget = 180  # recent search with user keys: 180 requests per 15 minutes
        self.stream_allowed = True  # False: an access level without the filtered stream
        self.stream_full = False  # True: the app's stream connections are all taken (429)
        self.stream_closes_at_once = False  # True: a connection is accepted, then ended at once
        self.search_failing = False  # True: recent search answers 503
        self.keep_alive_seconds = 20.0  # X sends `\r\n` every 20 s
        self.rules: list[dict[str, str]] = []
        self.stream_connections = 0  # accepted so far
        self.searches = 0
        self._streams: list[asyncio.Queue[str | None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._streams_open = threading.Event()  # cleared: new connections wait (a slow network)
        self._streams_open.set()
        self.base_url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def start(cls) -> LocalX:
        server = cls()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        server.base_url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(
            server.app(),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
        server._server = uvicorn.Server(config)
        server._thread = threading.Thread(target=server._server.run, daemon=True)
        server._thread.start()
        deadline = time.monotonic() + 10
        while not server._server.started:
            assert time.monotonic() < deadline, "the local X server did not start"
            time.sleep(0.01)
        return server

    def stop(self) -> None:
        self._streams_open.set()
        self.drop_streams()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def session(self) -> requests.Session:
        """A requests session that sends tweepy's https://api.twitter.com calls here."""
        session = requests.Session()
        session.mount("https://api.twitter.com", _Reroute(self.base_url))
        return session

    def post_as(self, username: str, text: str, reply_to: str | None = None) -> dict[str, Any]:
        """A post by someone else (a user made on first use)."""
        user_id = str(1000 + len(self.users))
        for known in self.users.values():
            if known["username"] == username:
                user_id = known["id"]
        self.users[user_id] = {"id": user_id, "name": username.title(), "username": username}
        return self._add(user_id, text, reply_to)

    def hold_streams(self) -> None:
        """New stream connections wait (as on a network that is down) until `release_streams`."""
        self._streams_open.clear()

    def release_streams(self) -> None:
        self._streams_open.set()

    def drop_streams(self) -> None:
        """End every open stream connection (X's side closing it)."""
        loop = self._loop
        if loop is None:
            return
        for queue in list(self._streams):
            loop.call_soon_threadsafe(queue.put_nowait, None)

    @property
    def open_streams(self) -> int:
        return len(self._streams)

    def _deliver(self, tweet: dict[str, Any]) -> None:
        matching = [
            {"id": r["id"], "tag": r["tag"]}
            for r in self.rules
            if r["value"].casefold() in tweet["text"].casefold()
        ]
        loop = self._loop
        if not matching or loop is None:
            return
        line = json.dumps(
            {
                "data": tweet,
                "includes": {"users": [self.users[tweet["author_id"]]]},
                "matching_rules": matching,
            }
        )
        for queue in list(self._streams):
            loop.call_soon_threadsafe(queue.put_nowait, line)

    def _add(self, user_id: str, text: str, reply_to: str | None) -> dict[str, Any]:
        now_ms = int(time.time() * 1000) - SNOWFLAKE_EPOCH_MS
        self.next_id = max(self.next_id + 1, now_ms << 22)
        tweet: dict[str, Any] = {
            "id": str(self.next_id),
            "text": text,
            "author_id": user_id,
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "conversation_id": str(self.next_id),
            "edit_history_tweet_ids": [str(self.next_id)],
        }
        if reply_to:
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
        self.tweets.append(tweet)
        self._deliver(tweet)
        return tweet

    def app(self) -> Starlette:
        def authorised(request: Request) -> bool:
            return f'oauth_consumer_key="{GOOD_KEY}"' in request.headers.get("authorization", "")

        async def me(request: Request) -> JSONResponse:
            if not authorised(request):
                return JSONResponse(UNAUTHORIZED, 401)
            return JSONResponse({"data": self.users["1"]})

        async def create(request: Request) -> JSONResponse:
            if not authorised(request):
                return JSONResponse(UNAUTHORIZED, 401)
            body = await request.json()
            reply = (body.get("reply") or {}).get("in_reply_to_tweet_id")
            made = self._add("1", body["text"], reply)
            return JSONResponse(
                {
                    "data": {
                        "id": made["id"],
                        "text": made["text"],
                        "edit_history_tweet_ids": [made["id"]],
                    }
                },
                201,
            )

        async def search(request: Request) -> JSONResponse:
            if not authorised(request):
                return JSONResponse(UNAUTHORIZED, 401)
            if not self.search_allowed:
                return JSONResponse(NOT_ENROLLED, 403)
            if self.search_failing:
                self.searches += 1
                return JSONResponse(SERVICE_UNAVAILABLE, 503)
            self.search_budget = max(0, self.search_budget - 1)
            self.searches += 1
            limits = {
                "x-rate-limit-limit": "180",
                "x-rate-limit-remaining": str(self.search_budget),
                "x-rate-limit-reset": str(int(time.time()) + 900),
            }
            query = request.query_params
            tag = query["query"].lstrip("#").casefold()
            since = int(query.get("since_id", "0"))
            found = [
                t
                for t in reversed(self.tweets)
                if int(t["id"]) > since and f"#{tag}" in t["text"].casefold()
            ]
            start = int(query.get("next_token", "0"))
            size = int(query.get("max_results", "10"))
            page = found[start : start + size]
            meta: dict[str, Any] = {"result_count": len(page)}
            if page:
                meta |= {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
            if start + size < len(found):
                meta["next_token"] = str(start + size)
            users = [self.users[t["author_id"]] for t in page]
            body: dict[str, Any] = {"meta": meta}
            if page:
                body["data"] = page
                body["includes"] = {"users": list({u["id"]: u for u in users}.values())}
            return JSONResponse(body, headers=limits)

        def sent() -> str:
            return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")

        def app_only(request: Request) -> JSONResponse | None:
            if request.headers.get("authorization") != f"Bearer {BEARER}":
                return JSONResponse(UNAUTHORIZED, 401)
            if not self.stream_allowed:
                return JSONResponse(NOT_ENROLLED, 403)
            return None

        async def token(request: Request) -> JSONResponse:
            basic = request.headers.get("authorization", "").removeprefix("Basic ")
            key = base64.b64decode(basic or b"").decode().partition(":")[0] if basic else ""
            form = await request.form()
            if key != GOOD_KEY or form.get("grant_type") != "client_credentials":
                return JSONResponse(
                    {
                        "errors": [
                            {
                                "code": 99,
                                "label": "authenticity_token_error",
                                "message": "Unable to verify your credentials",
                            }
                        ]
                    },
                    403 if key == GOOD_KEY else 401,
                )
            return JSONResponse({"token_type": "bearer", "access_token": BEARER})

        async def rules(request: Request) -> JSONResponse:
            refused = app_only(request)
            if refused is not None:
                return refused
            if request.method == "GET":
                body: dict[str, Any] = {"meta": {"sent": sent(), "result_count": len(self.rules)}}
                if self.rules:
                    body["data"] = self.rules
                return JSONResponse(body)
            asked = await request.json()
            if "delete" in asked:
                ids = set(asked["delete"].get("ids", []))
                before = len(self.rules)
                self.rules = [r for r in self.rules if r["id"] not in ids]
                gone = before - len(self.rules)
                summary = {"deleted": gone, "not_deleted": len(ids) - gone}
                return JSONResponse({"meta": {"sent": sent(), "summary": summary}})
            made, errors = [], []
            for rule in asked.get("add", []):
                twin = [r for r in self.rules if r["value"] == rule["value"]]
                if twin:
                    errors.append(
                        {
                            "value": rule["value"],
                            "id": twin[0]["id"],
                            "title": "DuplicateRule",
                            "type": "https://api.twitter.com/2/problems/duplicate-rules",
                        }
                    )
                    continue
                self.next_id += 1
                new = {"value": rule["value"], "tag": rule.get("tag", ""), "id": str(self.next_id)}
                self.rules.append(new)
                made.append(new)
            summary = {
                "created": len(made),
                "not_created": len(errors),
                "valid": len(made),
                "invalid": len(errors),
            }
            body = {"meta": {"sent": sent(), "summary": summary}}
            if made:
                body["data"] = made
            if errors:
                body["errors"] = errors
            return JSONResponse(body, 201 if made else 200)

        async def stream(request: Request) -> Any:
            refused = app_only(request)
            if refused is not None:
                return refused
            if self.stream_full:
                return JSONResponse(TOO_MANY_CONNECTIONS, 429)
            while not self._streams_open.is_set():
                await asyncio.sleep(0.02)
            if self.stream_closes_at_once:
                self.stream_connections += 1
                return StreamingResponse(iter(["\r\n"]), media_type="application/json")
            self._loop = asyncio.get_running_loop()
            queue: asyncio.Queue[str | None] = asyncio.Queue()
            self._streams.append(queue)
            self.stream_connections += 1

            async def lines() -> AsyncIterator[str]:
                try:
                    yield "\r\n"
                    while True:
                        try:
                            line = await asyncio.wait_for(queue.get(), self.keep_alive_seconds)
                        except TimeoutError:
                            yield "\r\n"
                            continue
                        if line is None:
                            return
                        yield line + "\r\n"
                finally:
                    self._streams.remove(queue)

            return StreamingResponse(lines(), media_type="application/json")

        return Starlette(
            routes=[
                Route("/2/users/me", me),
                Route("/2/tweets", create, methods=["POST"]),
                Route("/2/tweets/search/recent", search),
                Route("/oauth2/token", token, methods=["POST"]),
                Route("/2/tweets/search/stream/rules", rules, methods=["GET", "POST"]),
                Route("/2/tweets/search/stream", stream),
            ]
        )


class _Reroute(HTTPAdapter):
    """Sends requests for the real API to the local server instead."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        assert request.url is not None
        request.url = request.url.replace("https://api.twitter.com", self.base_url, 1)
        return super().send(request, *args, **kwargs)
