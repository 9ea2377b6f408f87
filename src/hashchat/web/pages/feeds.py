"""The Atom feed of a series' recaps, written by feedgen (which escapes and formats dates)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]

from hashchat.web.pages.views import SeriesView


@dataclass(frozen=True, slots=True)
class RecapEntry:
    """One chat's recap in the feed: where it is, when it last changed, what it says."""

    chat_id: int
    title: str
    url: str
    updated: datetime
    published: datetime
    summary: str


def recaps_atom(
    series: SeriesView,
    feed_url: str,
    page_url: str,
    entries: Sequence[RecapEntry],
    quiet_since: datetime,
) -> bytes:
    """The Atom document (UTF-8 bytes) of `series` with `entries`, newest first.

    `quiet_since` is the feed's `updated` while it has no entry (Atom requires one).
    """
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(f"#{series.tag} recaps — {series.title}")
    feed.subtitle(series.description or f"Recaps of the #{series.tag} chats")
    feed.link(href=page_url, rel="alternate")
    feed.link(href=feed_url, rel="self")
    feed.generator("hashchat")
    feed.language("en")
    feed.updated(max((entry.updated for entry in entries), default=quiet_since))
    # feedgen writes entries in reverse order of adding them, so add the oldest first.
    for entry in sorted(entries, key=lambda e: e.published):
        item = feed.add_entry()
        item.id(entry.url)
        item.title(entry.title)
        item.link(href=entry.url, rel="alternate")
        item.updated(entry.updated)
        item.published(entry.published)
        item.summary(entry.summary)
        item.author(name=f"#{series.tag}")
    result: bytes = feed.atom_str(pretty=True)
    return result
