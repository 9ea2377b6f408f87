"""The Atom feed of a series' recaps, written by feedgen (which escapes and formats dates)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]

from hashchat.domain.recap import Figures
from hashchat.domain.text.controls import xml_text
from hashchat.formats.recap_common import figures_sentence
from hashchat.web.pages.views import SeriesView


def recap_summary(figures: Figures) -> str:
    """A recap's figures in one sentence (`formats.recap_common.figures_sentence`); the feed
    reads them from `actions.recap.recap_summaries`, computed once per change of the chat."""
    return figures_sentence(figures)


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
    # XML 1.0 cannot carry most C0 controls at all (lxml refuses them): every text we did not
    # write ourselves goes through xml_text, which replaces them with U+FFFD.
    feed = FeedGenerator()
    feed.id(xml_text(feed_url))
    feed.title(xml_text(f"#{series.tag} recaps — {series.title}"))
    feed.subtitle(xml_text(series.description or f"Recaps of the #{series.tag} chats"))
    feed.link(href=xml_text(page_url), rel="alternate")
    feed.link(href=xml_text(feed_url), rel="self")
    feed.generator("hashchat")
    feed.language("en")
    feed.updated(max((entry.updated for entry in entries), default=quiet_since))
    # feedgen writes entries in reverse order of adding them, so add the oldest first.
    for entry in sorted(entries, key=lambda e: e.published):
        item = feed.add_entry()
        item.id(xml_text(entry.url))
        item.title(xml_text(entry.title))
        item.link(href=xml_text(entry.url), rel="alternate")
        item.updated(entry.updated)
        item.published(entry.published)
        item.summary(xml_text(entry.summary))
        item.author(name=xml_text(f"#{series.tag}"))
    result: bytes = feed.atom_str(pretty=True)
    return result
