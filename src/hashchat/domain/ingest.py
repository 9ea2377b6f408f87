"""Posts from elsewhere, as every importer and bridge hands them to the ingest door.

A `ForeignPost` is what a file format (`formats/`) or a network bridge (`bridges/`) read, before
anything of ours decided about it: no local account, no attribution, no chat. The ingest action
(`actions/ingest.py`) files it into a chat by the same domain rules as a typed post.

Identity is `(network, source, external_id)`: `source` names the site or instance that issued the
id (`x.com`, `mastodon.social`, a Bluesky PDS or `bsky.social`, a blog's URL, a hashchat server's
URL), because comment and status ids are unique per site only. Ingesting the same identity again
updates the post (an edit, a deletion, a moderation state), never adds a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Network(StrEnum):
    """Where a post was written."""

    HASHCHAT = "hashchat"
    X = "x"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    WORDPRESS = "wordpress"


@dataclass(frozen=True, slots=True)
class ForeignPost:
    """One post (or repost, or blog comment) read from another network or an archive.

    `created_at` is timezone-aware. `reply_to` is the external id of the parent in the same
    network and source (it may arrive later, or never). `repost_of` marks a repost/boost of that
    external id: kept as such, never counted as participation. `deleted` says the source deleted
    it (the stored post is hidden, never removed). `question` is an explicit question choice
    carried by our own export (None: the domain rules attribute it). `hidden` and `spotlight`
    carry moderation state from our own export only; other sources leave them False.
    """

    network: Network
    source: str
    external_id: str
    author_handle: str
    display_name: str
    text: str
    created_at: datetime
    url: str | None = None
    reply_to: str | None = None
    repost_of: str | None = None
    edited_at: datetime | None = None
    deleted: bool = False
    question: int | None = None
    hidden: bool = False
    spotlight: bool = False
