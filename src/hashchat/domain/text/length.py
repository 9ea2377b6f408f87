"""How long a text is on each network, against which limit, and which part of it fits.

- `x`: twitter-text v3 weighted length (see `x_weight`): CJK and emoji count 2, URLs 23.
- `mastodon`: grapheme clusters; every `http(s)://` URL counts 23 and a remote mention
  `@user@domain` counts as `@user`, as Mastodon's own StatusLengthValidator does.
- `bluesky`: grapheme clusters, nothing discounted, **and** at most 3,000 UTF-8 bytes, as the
  `app.bsky.feed.post` record allows (`maxGraphemes` 300, `maxLength` 3000): a text of 300
  graphemes that holds more bytes (stacked marks, long emoji sequences) does not fit.
- `plain`: grapheme clusters, nothing discounted.

Stacked combining marks (a grapheme count of 1 for a thousand code points) are refused at input
by `marks.stacked_marks_refusal`, not here: measuring never refuses a text for its content.

`measure(text, network, limit=140)` keeps the network's counting rule and swaps the limit,
for series that choose their own. Ranges are inclusive UTF-16 code-unit indices, as in
twitter-text, so that a browser's `String.slice` can highlight the overflow directly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import regex

from hashchat.domain.frozen_values import mutable_twin
from hashchat.domain.text.urls import UrlSpan, find_urls
from hashchat.domain.text.x_weight import utf16_length, weigh

_LIMITS = {
    "x": 280,
    "mastodon": 500,
    "bluesky": 300,
    # The room of a series that is not tied to one network: Mastodon's generous limit, so a
    # late participant's long comment (`A1 … A3 … A4 …`) fits.
    "plain": 500,
}
NETWORK_LIMITS: Mapping[str, int] = MappingProxyType(_LIMITS)

MASTODON_URL_LENGTH = 23
# Bluesky's byte limit of a post's text; it stays when a series sets its own grapheme limit.
BLUESKY_MAX_BYTES = 3000
_GRAPHEME = regex.compile(r"\X")
# Mastodon's MENTION_RE, restricted to the remote form whose domain does not count.
_REMOTE_MENTION = re.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)@\w+(?:[.-]+\w+)*", re.IGNORECASE
)


class UnknownNetworkError(ValueError):
    """Raised for a network name that has no counting rule; the message lists the known ones."""

    def __init__(self, network: str) -> None:
        known = ", ".join(NETWORK_LIMITS)
        super().__init__(f"unknown network {network!r}; known networks: {known}")
        self.network = network


@dataclass(frozen=True, slots=True)
class Measurement:
    """The length of one text on one network, its limit, and what fits (UTF-16 ranges)."""

    network: str
    length: int
    limit: int
    valid: bool
    permillage: int
    valid_range_start: int
    valid_range_end: int
    display_range_start: int
    display_range_end: int


_MeasurementDraft = mutable_twin(Measurement)


def measure(
    text: str,
    network: str = "x",
    limit: int | None = None,
    *,
    urls: Sequence[UrlSpan] | None = None,
) -> Measurement:
    """Measure `text` by `network`'s counting rule against `limit` (default: the network's).

    Raises UnknownNetworkError for an unknown network and ValueError for a limit below 1;
    any text, even empty or holding lone surrogates, is measured without raising. `urls`,
    when given, must be `find_urls(text)` (the x rule then does not look for them again;
    see `analysis.analyze_post`); the other rules ignore it.
    """
    default_limit = _LIMITS.get(network)
    if default_limit is None:
        raise UnknownNetworkError(network)
    chosen_limit = default_limit if limit is None else limit
    if chosen_limit < 1:
        raise ValueError(f"limit must be a positive number of characters, got {chosen_limit}")
    if network == "x":
        length, has_invalid_characters, valid_range_end, units = weigh(
            text, chosen_limit, urls=urls
        )
        allowed_characters = not has_invalid_characters
    else:
        pieces: list[_Piece] = _mastodon_pieces(text) if network == "mastodon" else [(text, None)]
        length, valid_range_end = _grapheme_length(pieces, chosen_limit)
        allowed_characters = True
        units = utf16_length(text)
        if network == "bluesky" and utf8_length(text) > BLUESKY_MAX_BYTES:
            allowed_characters = False
            valid_range_end = min(valid_range_end, _last_unit_within_bytes(text))
    # `Measurement(...)` from a draft: a third of the cost on the hottest path of the module.
    draft = _MeasurementDraft()
    draft.network = network
    draft.length = length
    draft.limit = chosen_limit
    draft.valid = allowed_characters and 0 < length <= chosen_limit
    draft.permillage = length * 1000 // chosen_limit
    draft.valid_range_start = 0
    draft.valid_range_end = valid_range_end
    draft.display_range_start = 0
    draft.display_range_end = units - 1 if units else 0
    draft.__class__ = Measurement
    result: Measurement = draft
    return result


# A piece of text and, for a URL or remote mention, the fixed count it stands for.
_Piece = tuple[str, int | None]


def _mastodon_pieces(text: str) -> list[_Piece]:
    """Split `text` into plain runs and the entities Mastodon counts differently."""
    entities: list[tuple[int, int, int]] = [
        (url.start, url.end, MASTODON_URL_LENGTH) for url in find_urls(text, require_protocol=True)
    ]
    if "@" in text:
        entities += [
            (match.start(), match.end(), 1 + len(match.group(1)))
            for match in _REMOTE_MENTION.finditer(text)
        ]
        entities.sort()
    pieces: list[_Piece] = []
    position = 0
    for start, end, count in entities:
        if start < position:
            continue  # overlaps the entity before it, which wins as in Mastodon
        pieces += [(text[position:start], None), (text[start:end], count)]
        position = end
    pieces.append((text[position:], None))
    return pieces


def utf8_length(text: str) -> int:
    """Bytes of `text` in UTF-8 (a lone surrogate counts its three bytes; nothing raises)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def over_byte_limit(text: str, network: str) -> int | None:
    """The UTF-8 size of `text` when it is over `network`'s byte limit (Bluesky's), else None."""
    if network != "bluesky":
        return None
    size = utf8_length(text)
    return size if size > BLUESKY_MAX_BYTES else None


def _last_unit_within_bytes(text: str) -> int:
    """The UTF-16 index of the last code unit of the graphemes that fit in BLUESKY_MAX_BYTES."""
    size = 0
    fitting_units = 0
    for grapheme in _GRAPHEME.findall(text):
        size += utf8_length(grapheme)
        if size > BLUESKY_MAX_BYTES:
            break
        fitting_units += utf16_length(grapheme)
    return max(fitting_units - 1, 0)


def _graphemes(text: str) -> int:
    if text.isascii():
        return len(text) - text.count("\r\n")
    return len(_GRAPHEME.findall(text))


def _grapheme_length(pieces: list[_Piece], limit: int) -> tuple[int, int]:
    """Total count of `pieces`, and the UTF-16 index of the last code unit that fits."""
    length = sum(_graphemes(piece) if count is None else count for piece, count in pieces)
    text = "".join(piece for piece, _ in pieces)
    if length <= limit:
        return length, max(utf16_length(text) - 1, 0)
    counted = 0
    fitting_units = 0
    for piece, count in pieces:
        units = [piece] if count is not None else _GRAPHEME.findall(piece)
        for unit in units:
            counted += 1 if count is None else count
            if counted > limit:
                return length, max(fitting_units - 1, 0)
            fitting_units += utf16_length(unit)
    return length, max(fitting_units - 1, 0)
