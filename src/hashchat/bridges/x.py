"""The X bridge's network side, with `tweepy` (API v2): verify the four keys (user context).
Posting and reading by the hashtag are not built yet (see docs/releases/next.md)."""

from __future__ import annotations

from collections.abc import Mapping

import tweepy

from hashchat.bridges.errors import LoginRefusedError, NetworkBusyError


class XAccount:
    """An X account with the host's four keys (OAuth 1.0a user context)."""

    def __init__(self, keys: Mapping[str, str]) -> None:
        self.client = tweepy.Client(
            consumer_key=keys["api_key"],
            consumer_secret=keys["api_secret"],
            access_token=keys["access_token"],
            access_token_secret=keys["access_token_secret"],
        )

    def verify(self) -> str:
        """The account's `@handle`; `LoginRefusedError` with X's reason when refused."""
        try:
            me = self.client.get_me(user_auth=True)
        except (tweepy.Unauthorized, tweepy.Forbidden) as error:
            raise LoginRefusedError(f"X refused the keys: {error}") from None
        except (tweepy.TooManyRequests, tweepy.TwitterServerError) as error:
            raise NetworkBusyError(f"X is busy: {error}") from None
        except tweepy.TweepyException as error:
            raise NetworkBusyError(f"X could not be reached: {error}") from None
        return f"@{me.data.username}"
