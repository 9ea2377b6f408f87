"""The networks a bridge can connect to, in one place: how each checks a login. Adding a
network means one module and one line here."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from hashchat.bridges.bluesky import BlueskyAccount
from hashchat.bridges.errors import BridgeError, LoginRefusedError
from hashchat.bridges.mastodon import MastodonAccount


def _bluesky(values: Mapping[str, str]) -> str:
    with BlueskyAccount(values["service"], values["handle"], values["app_password"]) as account:
        return account.verify()


def _mastodon(values: Mapping[str, str]) -> str:
    return MastodonAccount(values["instance"], values["access_token"]).verify()


def _x(values: Mapping[str, str]) -> str:
    from hashchat.bridges.x import XAccount

    return XAccount(values).verify()


VERIFIERS: Mapping[str, Callable[[Mapping[str, str]], str]] = {
    "bluesky": _bluesky,
    "mastodon": _mastodon,
    "x": _x,
}


def verify_login(network: str, values: Mapping[str, str]) -> str:
    """Log in to `network` with `values`; the account's handle. `LoginRefusedError` with the
    network's reason when it refuses (or cannot be reached: nothing is stored unverified)."""
    try:
        return VERIFIERS[network](values)
    except LoginRefusedError:
        raise
    except BridgeError as error:
        raise LoginRefusedError(f"could not verify the login: {error.reason}") from None
