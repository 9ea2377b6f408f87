"""A post's length and its entities from one pass: what a client shows next to a post.

`measure(text, "x")` and `extract_entities(text)` each need the URLs of the text (on X a URL
weighs 23 whatever its length; a URL is an entity too), and finding them is the costliest
step of either. `analyze_post` finds them once and hands them to both; its result is always
equal to calling the two functions one after the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from hashchat.domain.frozen_values import mutable_twin
from hashchat.domain.text.entities import Entities, extract_entities
from hashchat.domain.text.length import Measurement, measure
from hashchat.domain.text.urls import find_urls


@dataclass(frozen=True, slots=True)
class PostAnalysis:
    """A post's measurement on one network and its hashtags, mentions, URLs and cashtags."""

    measurement: Measurement
    entities: Entities


_PostAnalysisDraft = mutable_twin(PostAnalysis)


def analyze_post(text: str, network: str = "x", limit: int | None = None) -> PostAnalysis:
    """`measure(text, network, limit)` and `extract_entities(text)`, finding the URLs once.

    Raises as `measure` does: UnknownNetworkError for an unknown network, ValueError for a
    limit below 1. Only the x rule shares the URLs: Mastodon's counts only those with a
    protocol, and Bluesky's and the plain rule count none.
    """
    urls = find_urls(text)
    measurement = measure(text, network, limit, urls=urls)
    entities = extract_entities(text, urls=urls)
    # `PostAnalysis(...)` from a draft, as `measure` builds its result (frozen_values).
    draft = _PostAnalysisDraft()
    draft.measurement = measurement
    draft.entities = entities
    draft.__class__ = PostAnalysis
    analysis: PostAnalysis = draft
    return analysis
