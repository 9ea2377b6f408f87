"""How pages name the networks a chat runs on, and the rule its compose counter uses."""

from __future__ import annotations

from collections.abc import Sequence

NETWORK_NAMES = {"x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky", "hashchat": "the room"}


def network_name(network: str) -> str:
    """A network's name as people write it (`bluesky` → Bluesky)."""
    return NETWORK_NAMES.get(network.lower(), network)


def strictest_rule_words(rule: str, networks: Sequence[str]) -> str | None:
    """Which rule a bridged chat's counter uses, in words ("Bluesky's rule, the strictest of
    the room, Bluesky and Mastodon"); None when the chat runs in the room only."""
    if not networks:
        return None
    names = ["the room", *(network_name(n) for n in networks)]
    listed = ", ".join(names[:-1]) + " and " + names[-1]
    return f"{network_name(rule)}'s rule, the strictest of {listed}"
