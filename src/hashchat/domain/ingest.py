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
    `reply_to_network` and `reply_to_source` name the parent's network and source when they are
    not this post's (a bridged room: a Mastodon reply to a question posted on X; our own
    export). `by_host` is the host mark our own export carries (None: a handle linked to a
    host of the series decides).
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
    reply_to_network: Network | None = None
    reply_to_source: str | None = None
    by_host: bool | None = None

    def parent_identity(self) -> tuple[str, str, str] | None:
        """(network, source, external id) of the post this one replies to, if any."""
        if self.reply_to is None:
            return None
        network = self.reply_to_network or self.network
        return (network.value, self.reply_to_source or self.source, self.reply_to)


@dataclass(frozen=True, slots=True)
class ForeignQuestion:
    """A question of a chat read from an export: its number, text and when it was asked."""

    number: int
    text: str
    asked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ForeignChat:
    """A chat as our own export describes it (the header line of `formats.chat_jsonl`), enough
    to recreate it on another server: its series' tag, title, plan, times, state, questions.
    `source` and `external_id` say which server and chat it came from."""

    series_tag: str
    title: str
    starts_at: datetime
    duration_minutes: int
    state: str
    questions: tuple[ForeignQuestion, ...] = ()
    started_at: datetime | None = None
    ended_at: datetime | None = None
    closed_at: datetime | None = None
    comments_close_at: datetime | None = None
    cadence: str | None = None
    source: str | None = None
    external_id: str | None = None
    topic: str = ""
