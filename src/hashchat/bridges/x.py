"""The X bridge's network side, with `tweepy` (API v2, user context with the host's four keys):
verify the keys, post (a reply when threaded), and read the hashtag's recent posts after a
stored post id (`since_id`, paged with `next_token`), turned into `ForeignPost`s. An access
level without search is said plainly (`XReadForbiddenError`); the bridge's health shows it.

`session` is the HTTP session tweepy sends through; tweepy's base URL is fixed, so tests mount a
transport adapter on it that routes to a local server speaking the v2 shapes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

import requests
import tweepy

from hashchat.bridges.errors import LoginRefusedError, NetworkBusyError
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
