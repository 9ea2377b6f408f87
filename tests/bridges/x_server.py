"""A local X API v2 server for the bridge tests, with the shapes of X's API v2 reference
examples (only ids, texts, names and times changed): `GET /2/users/me`, `POST /2/tweets`,
`GET /2/tweets/search/recent` (`since_id`, `next_token`, `expansions=author_id`), the
documented problem bodies for 401 and 403, and an access level without search on demand.
tweepy's base URL is fixed, so `session()` gives a requests session whose transport adapter
routes https://api.twitter.com to this server."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime
from typing import Any

import requests
import uvicorn
from requests.adapters import HTTPAdapter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

GOOD_KEY = "local-x-api-key"
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


class LocalX:
    """The server on its own thread and port."""

    def __init__(self) -> None:
        self.tweets: list[dict[str, Any]] = []
        self.users = {"1": {"id": "1", "name": "Chat Host", "username": "ChatHost"}}
        self.next_id = 1_500_000_000_000_000_000
        self.search_allowed = True
        self.search_budget = 180  # recent search with user keys: 180 requests per 15 minutes
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
        config = uvicorn.Config(server.app(), host="127.0.0.1", port=port, log_level="warning")
        server._server = uvicorn.Server(config)
        server._thread = threading.Thread(target=server._server.run, daemon=True)
        server._thread.start()
        deadline = time.monotonic() + 10
        while not server._server.started:
            assert time.monotonic() < deadline, "the local X server did not start"
            time.sleep(0.01)
        return server

    def stop(self) -> None:
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

    def _add(self, user_id: str, text: str, reply_to: str | None) -> dict[str, Any]:
        self.next_id += 1
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
            self.search_budget = max(0, self.search_budget - 1)
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

        return Starlette(
            routes=[
                Route("/2/users/me", me),
                Route("/2/tweets", create, methods=["POST"]),
                Route("/2/tweets/search/recent", search),
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
