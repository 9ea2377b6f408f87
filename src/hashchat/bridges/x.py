"""The X bridge's network side, with `tweepy` (API v2, user context with the host's four keys):
verify the keys, post (a reply when threaded), read the hashtag's recent posts after a stored
post id (`since_id`, paged with `next_token`), and follow the hashtag live on the filtered
stream (`XStream`, app-only token from the same API key and secret) where the access level has
it, all turned into `ForeignPost`s. An access level without search is said plainly
(`XReadForbiddenError`); one without the stream (`XStreamForbiddenError`) reads by search.

`session` is the HTTP session tweepy sends through; tweepy's base URL is fixed, so tests mount a
transport adapter on it that routes to a local server speaking the v2 shapes.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

import requests
import tweepy

from hashchat.bridges.errors import BridgeError, LoginRefusedError, NetworkBusyError
from hashchat.domain.ingest import ForeignPost, Network

SOURCE = "x.com"
FIELDS = ["created_at", "author_id", "conversation_id", "referenced_tweets"]


class XReadForbiddenError(LoginRefusedError):
    """The keys work but their access level does not allow reading (recent search)."""


def _translate(error: Exception) -> Exception:
    if isinstance(error, tweepy.Unauthorized):
        return LoginRefusedError(f"X refused the keys: {error}")
    if isinstance(error, tweepy.Forbidden):
        return LoginRefusedError(f"X forbids this with these keys: {error}")
    if isinstance(error, tweepy.TooManyRequests | tweepy.TwitterServerError):
        return NetworkBusyError(f"X is busy: {error}")
    if isinstance(error, tweepy.TweepyException | requests.RequestException):
        return NetworkBusyError(f"X could not be reached: {error}")
    return error


class _BudgetClient(tweepy.Client):  # type: ignore[misc]
    """tweepy's client noting the `x-rate-limit-remaining` of every answer (429s included)."""

    rate_limit_remaining: int | None = None

    def request(self, *args: Any, **kwargs: Any) -> Any:
        try:
            response = super().request(*args, **kwargs)
        except tweepy.HTTPException as error:
            self._note(error.response)
            raise
        self._note(response)
        return response

    def _note(self, response: Any) -> None:
        value = getattr(response, "headers", {}).get("x-rate-limit-remaining")
        if value is not None and str(value).isdigit():
            self.rate_limit_remaining = int(value)


class XAccount:
    """An X account with the host's four keys (OAuth 1.0a user context)."""

    def __init__(self, keys: Mapping[str, str], session: requests.Session | None = None) -> None:
        self.client = _BudgetClient(
            consumer_key=keys["api_key"],
            consumer_secret=keys["api_secret"],
            access_token=keys["access_token"],
            access_token_secret=keys["access_token_secret"],
        )
        if session is not None:
            self.client.session = session

    @property
    def rate_limit_remaining(self) -> int | None:
        """Requests left, as X's last `x-rate-limit-remaining` said (None: never)."""
        return self.client.rate_limit_remaining

    def verify(self) -> str:
        """The account's `@handle`; `LoginRefusedError` with X's reason when refused."""
        try:
            me = self.client.get_me(user_auth=True)
        except Exception as error:
            raise _translate(error) from None
        return f"@{me.data.username}"

    def post(self, text: str, in_reply_to: str | None = None) -> str:
        """Publish a post (a reply to `in_reply_to`); its id."""
        try:
            made = self.client.create_tweet(
                text=text, in_reply_to_tweet_id=in_reply_to, user_auth=True
            )
        except Exception as error:
            raise _translate(error) from None
        return str(made.data["id"])

    def since(self, tag: str, since_id: str | None) -> Iterator[list[ForeignPost]]:
        """The hashtag's recent posts newer than `since_id`, page by page (newest page first,
        as X serves them; each page's posts oldest first)."""
        token: str | None = None
        since_id = searchable_since(since_id, time.time())
        while True:
            try:
                page = self.client.search_recent_tweets(
                    f"#{tag.lstrip('#')}",
                    since_id=since_id,
                    next_token=token,
                    max_results=100,
                    tweet_fields=FIELDS,
                    expansions=["author_id"],
                    user_fields=["username", "name"],
                    user_auth=True,
                )
            except tweepy.Forbidden as error:
                raise XReadForbiddenError(
                    f"these keys' access level does not allow reading posts by hashtag: {error}"
                ) from None
            except Exception as error:
                raise _translate(error) from None
            users = {str(u.id): u for u in (page.includes or {}).get("users", [])}
            posts = [foreign_post(t, users) for t in page.data or []]
            yield sorted(posts, key=lambda p: int(p.external_id))
            token = (page.meta or {}).get("next_token")
            if not token:
                return


def foreign_post(tweet: Any, users: Mapping[str, Any]) -> ForeignPost:
    """A v2 post as the ingest door takes it (a retweet is a repost)."""
    author = users.get(str(tweet.author_id))
    handle = f"@{author.username}" if author is not None else str(tweet.author_id)
    replied = retweeted = None
    for ref in tweet.referenced_tweets or ():
        if ref.type == "replied_to":
            replied = str(ref.id)
        elif ref.type == "retweeted":
            retweeted = str(ref.id)
    created = tweet.created_at
    if not isinstance(created, datetime):
        created = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    return ForeignPost(
        network=Network.X,
        source=SOURCE,
        external_id=str(tweet.id),
        author_handle=handle,
        display_name=author.name if author is not None else handle,
        text=str(tweet.text),
        created_at=created,
        url=f"https://x.com/{handle.lstrip('@')}/status/{tweet.id}",
        reply_to=replied,
        repost_of=retweeted,
    )


# -- the filtered stream --------------------------------------------------------------------

API = "https://api.twitter.com"
STREAM_PATH = "/2/tweets/search/stream"
RULE_TAG = "hashchat"  # our rules' tag: other rules of the same app are left alone
STALL_SECONDS = 30.0  # X sends a keep-alive every 20 s: nothing for this long is a stall
STABLE_SECONDS = 10.0  # a connection up this long was established: its drop is retried at once
SEARCH_WINDOW_SECONDS = 7 * 24 * 3600 - 600  # recent search: the last 7 days (400 before that)
SNOWFLAKE_EPOCH_MS = 1_288_834_974_657


class XStreamForbiddenError(BridgeError):
    """The keys' access level has no filtered stream (X's `client-not-enrolled` and kin): the
    bridge reads by recent search instead."""


def searchable_since(since_id: str | None, now: float) -> str | None:
    """`since_id` moved up to what recent search still takes: it answers 400 for an id older
    than its 7 days, which a weekly chat's newest filed post soon is (the posts before that
    cannot be searched anyway)."""
    if since_id is None or not since_id.isdigit():
        return since_id
    floor_ms = int((now - SEARCH_WINDOW_SECONDS) * 1000) - SNOWFLAKE_EPOCH_MS
    floor = floor_ms << 22
    return str(max(int(since_id), floor))


def snowflake_before(post_id: str | None, seconds: float) -> str | None:
    """The smallest post id X could have given `seconds` before `post_id` was made (X's ids
    start with their time in milliseconds); None when there is no such id."""
    if post_id is None or not post_id.isdigit():
        return None
    made_ms = (int(post_id) >> 22) - int(seconds * 1000)
    return str(made_ms << 22) if made_ms > 0 else None


def _problem(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}"
    words = [str(body[k]) for k in ("title", "reason", "connection_issue", "detail") if body.get(k)]
    return ": ".join(words) or f"HTTP {response.status_code}"


class XStream:
    """X's filtered stream for one hashtag (API v2, app-only bearer token made from the API key
    and secret): our rule is added if the app lacks it, then `GET /2/tweets/search/stream` is
    read on a thread, one JSON post a line, `\\r\\n` keep-alives between. Each post matching our
    rule goes to `on_posts`; every successful (re)connection calls `on_connect` (the bridge
    catches up by recent search then). Reconnects back off as X documents: network errors
    linearly from 0 by 250 ms up to 16 s, HTTP errors exponentially from 5 s up to 320 s, 429
    from 60 s. An access level without the stream (403 at the token, the rules or the stream)
    ends it with `XStreamForbiddenError` in `error`.

    tweepy's `StreamingClient` handles the rules; its reading loop is not used: it retries a
    403 forever, cannot be interrupted in its sleeps, and puts the bearer on the session."""

    def __init__(
        self,
        account: XAccount,
        tag: str,
        on_posts: Callable[[list[ForeignPost]], None],
        on_connect: Callable[[], None],
    ) -> None:
        self.account = account
        self.value = f"#{tag.lstrip('#')}"
        self.on_posts = on_posts
        self.on_connect = on_connect
        self.session = account.client.session
        self.rule_id: str | None = None
        self.connected = False
        self.connections = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._response: requests.Response | None = None
        self._thread: threading.Thread | None = None
        self._token: str | None = None

    def open(self) -> XStream:
        """Make sure our rule is on the app's stream, then read it on a thread.
        `XStreamForbiddenError` when the access level has no stream."""
        self._token = self._bearer()
        rules = tweepy.StreamingClient(self._token)
        rules.session = self.session
        try:
            have = rules.get_rules().data or []
            mine = [r for r in have if r.value.casefold() == self.value.casefold()]
            if not mine:
                made = rules.add_rules(tweepy.StreamRule(self.value, tag=RULE_TAG))
                mine = list(made.data or [])
                if not mine:  # added meanwhile by another process: X said DuplicateRule
                    have = rules.get_rules().data or []
                    mine = [r for r in have if r.value.casefold() == self.value.casefold()]
        except tweepy.Forbidden as error:
            raise XStreamForbiddenError(
                "X's filtered stream is not open to these keys' access level: "
                + _problem(error.response)
            ) from None
        except Exception as error:
            raise _translate(error) from None
        if not mine:
            raise NetworkBusyError(f"X did not keep the stream rule {self.value}")
        self.rule_id = str(mine[0].id)
        self._thread = threading.Thread(target=self._run, daemon=True, name="x-stream")
        self._thread.start()
        return self

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def close(self) -> None:
        self._stop.set()
        self.drop()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def drop(self) -> None:
        """Cut the current connection (as a network failure would; it reconnects unless
        closed): its socket is shut, which wakes the reader at once."""
        response = self._response
        if response is None:
            return
        connection = getattr(response.raw, "connection", None)
        sock = getattr(connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        response.close()

    def _bearer(self) -> str:
        client = self.account.client
        try:
            answer = self.session.post(
                f"{API}/oauth2/token",
                auth=(client.consumer_key, client.consumer_secret),
                data={"grant_type": "client_credentials"},
                timeout=30,
            )
        except requests.RequestException as error:
            raise NetworkBusyError(f"X could not be reached: {error}") from None
        if answer.status_code == 403:
            raise XStreamForbiddenError(
                f"X gives these keys no app-only token (needed by the stream): {_problem(answer)}"
            )
        if answer.status_code in (401, 400):
            raise LoginRefusedError(f"X refused the API key and secret: {_problem(answer)}")
        if answer.status_code != 200:
            raise NetworkBusyError(f"X is busy: {_problem(answer)}")
        return str(answer.json()["access_token"])

    def _run(self) -> None:
        network_wait = 0.0
        http_wait = 5.0
        params = {
            "tweet.fields": ",".join(FIELDS),
            "expansions": "author_id",
            "user.fields": "username,name",
        }
        headers = {"Authorization": f"Bearer {self._token}"}
        while not self._stop.is_set():
            wait = 0.0
            try:
                response = self.session.get(
                    f"{API}{STREAM_PATH}",
                    params=params,
                    headers=headers,
                    stream=True,
                    timeout=(10, STALL_SECONDS),
                )
            except requests.RequestException:
                wait = network_wait
                network_wait = min(16.0, network_wait + 0.25)
            else:
                with response:
                    if response.status_code == 200:
                        http_wait = 5.0
                        opened = time.monotonic()
                        self._read(response)
                        if time.monotonic() - opened >= STABLE_SECONDS:
                            network_wait = 0.0  # an established connection dropped: at once
                        # One that ends as soon as it opens is retried as a network error
                        # (0.25 s more each time, up to 16 s), never in a tight loop.
                        wait = network_wait
                        network_wait = min(16.0, network_wait + 0.25)
                    elif response.status_code in (401, 403):
                        self.error = XStreamForbiddenError(
                            "X's filtered stream is not open to these keys' access level: "
                            + _problem(response)
                        )
                        return
                    else:
                        floor = 60.0 if response.status_code == 429 else 5.0
                        wait = max(http_wait, floor)
                        http_wait = min(320.0, wait * 2)
                        self.error = NetworkBusyError(f"X's stream: {_problem(response)}")
            self._stop.wait(wait)

    def _line(self, line: bytes) -> bool:
        """Hand on one line's post if it matches our rule; False: X ends the connection."""
        item = json.loads(line)
        if "data" not in item:  # an operational disconnect and its kin
            if item.get("errors"):
                self.error = NetworkBusyError(f"X's stream: {item['errors'][0]}")
                return False
            return True
        if self.rule_id not in {str(r.get("id")) for r in item.get("matching_rules", [])}:
            return True  # another rule of the same app
        users = {str(u["id"]): tweepy.User(u) for u in item.get("includes", {}).get("users", [])}
        self.on_posts([foreign_post(tweepy.Tweet(item["data"]), users)])
        return True

    def _read(self, response: requests.Response) -> None:
        self._response = response
        self.connected = True
        self.connections += 1
        self.error = None
        try:
            if self._stop.is_set():
                return
            self.on_connect()
            pending = b""
            # Read as the data arrives (whatever the chunk size), one post a line.
            for chunk in response.iter_content(chunk_size=None):
                *lines, pending = (pending + chunk).split(b"\n")
                for line in lines:
                    if self._stop.is_set():
                        return
                    if line.strip() and not self._line(line):
                        return
        except (requests.RequestException, ValueError, AttributeError, OSError) as error:
            if not self._stop.is_set():
                self.error = NetworkBusyError(f"X's stream dropped: {type(error).__name__}")
        finally:
            self.connected = False
            self._response = None
