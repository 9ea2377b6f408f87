"""The networks a bridge can connect to, in one place: how each checks a login. Adding a
network means one module and one line here."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from hashchat.bridges.errors import BridgeError, LoginRefusedError

# Each network's SDK is imported when first used: `atproto` alone takes seconds to import, and
# the web app imports this module at start-up.


def _bluesky(values: Mapping[str, str]) -> str:
    from hashchat.bridges.bluesky import BlueskyAccount

    with BlueskyAccount(values["service"], values["handle"], values["app_password"]) as account:
        return account.verify()


def _mastodon(values: Mapping[str, str]) -> str:
    from hashchat.bridges.mastodon import MastodonAccount

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
