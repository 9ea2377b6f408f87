"""X's weighted length (twitter-text v3): the counting rule behind `measure(text, "x")`.

Code points in the light ranges (Latin, Greek, Cyrillic, most punctuation…) weigh 100, all
others 200, on a scale of 100; every URL weighs 23 × 100 whatever its length, and every emoji
sequence 200 however many code points it holds. The text is NFC-normalised first. These are
the values of twitter-text's `config/v3.json`; a conformance test compares them with it.

twitter-text walks the text one code point at a time; here the whole text is weighed at once
(its length plus one extra unit per heavy code point) and each URL and emoji then corrects
that sum, so a post costs a few regex scans instead of a Python step per character. A text
that is not pure ASCII is scanned once for the code points that are heavy or may start an
emoji: in chat posts those are a few emoji, an ellipsis or a CJK phrase.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from hashchat.domain.text.emoji_sequences import EMOJI, coarse_ranges
from hashchat.domain.text.urls import INVALID_CHARACTERS, UrlSpan, find_urls

SCALE = 100
DEFAULT_WEIGHT = 200
LIGHT_WEIGHT = 100
TRANSFORMED_URL_LENGTH = 23
MAX_WEIGHTED_LENGTH = 280
LIGHT_RANGES: tuple[tuple[int, int], ...] = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))

_URL_WEIGHT = TRANSFORMED_URL_LENGTH * SCALE
_HEAVY_EXTRA = DEFAULT_WEIGHT - LIGHT_WEIGHT


def _negated_class(ranges: Iterable[tuple[int, int]]) -> str:
    """A `[^...]` class of everything outside the inclusive code-point `ranges`."""
    spelled = (f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in ranges)
    return f"[^{''.join(spelled)}]"


def _ranges_without(
    ranges: Iterable[tuple[int, int]], points: Iterable[int]
) -> list[tuple[int, int]]:
    """`ranges` with the given code points cut out of them."""
    pieces = list(ranges)
    for point in points:
        pieces = [
            piece
            for low, high in pieces
            for piece in ((low, min(high, point - 1)), (max(low, point + 1), high))
            if piece[0] <= piece[1]
        ]
    return pieces


_HEAVY = re.compile(_negated_class(LIGHT_RANGES))
# Light code points that start an emoji (©, ®), apart from the ASCII keycap bases (`1⃣`),
# which only the general path handles: they are the only emoji starts among light ones.
_LIGHT_EMOJI_STARTS = tuple(
    first for first in EMOJI.lengths_by_first if not first.isascii() and _HEAVY.match(first) is None
)
# Heavy code points in the BMP that cannot start an emoji (CJK, Hangul, Thai…): after a heavy
# code point or emoji start, a whole phrase of them is taken into the same match.
_PLAIN_HEAVY = _negated_class(
    [
        *LIGHT_RANGES,
        *coarse_ranges(ord(first) for first in EMOJI.lengths_by_first if not first.isascii()),
        (0x10000, 0x10FFFF),
    ]
)
_HEAVY_OR_EMOJI_START = re.compile(
    _negated_class(_ranges_without(LIGHT_RANGES, map(ord, _LIGHT_EMOJI_STARTS)))
    + _PLAIN_HEAVY
    + "*"
)
_KEYCAP = "\u20e3"
_ONE_CODE_POINT = (1,)
_ZWJ = "\u200d"
# A cluster: a heavy code point or emoji start, then every heavy code point, light emoji start
# (©, ®) and zero-width joiner that follows. An emoji sequence holds nothing else (keycaps
# aside: those texts take the general path; a test checks every sequence), so each lies whole
# inside one cluster, and what a cluster weighs does not depend on the text around it.
_CLUSTER = re.compile(
    _negated_class(_ranges_without(LIGHT_RANGES, map(ord, _LIGHT_EMOJI_STARTS)))
    + _negated_class(_ranges_without(LIGHT_RANGES, [*map(ord, _LIGHT_EMOJI_STARTS), ord(_ZWJ)]))
    + "*"
)
# Short clusters (emoji, a sequence and its neighbours) recur from post to post, so their
# weights are kept; long ones (a CJK phrase) are weighed each time. Bounded: cleared when full.
_CLUSTER_CACHE_LENGTH = 16
_CLUSTER_CACHE_SIZE = 4096
_cluster_weights: dict[str, tuple[int, int, tuple[tuple[int, int], ...]]] = {}
# The same clusters for the common case, where only the sum matters: what a cluster adds to the
# weight of its code points counted light (heavy extras and emoji corrections), times 2**32,
# plus its code points beyond the BMP. Packed so that a text's clusters add up in one sum: the
# low 32 bits of the sum count astral code points (fewer than 2**32 in any text), the rest
# (an arithmetic shift, so negative corrections come out right) is the weight delta.
_ASTRAL_BITS = 32
_ASTRAL_MASK = (1 << _ASTRAL_BITS) - 1
# The value of a cluster that only the general path weighs: one holding a keycap (whose base is
# a light ASCII character outside the cluster) or a character X refuses (U+FFFE, U+FEFF, U+FFFF,
# all heavy, so always inside a cluster). Real packs stay far from it (each delta is above -200
# per code point and a text holds fewer than 2**32 code points), so a text's sum falls below
# `_GENERAL_PATH_FLOOR` exactly when one of its clusters is such a cluster.
_GENERAL_PATH = -(1 << 256)
_GENERAL_PATH_FLOOR = _GENERAL_PATH // 2


class _ClusterPacks(dict[str, int]):
    """The packs of recent short clusters; a look-up of any other cluster computes its pack
    (and keeps it when short), so a text's clusters add up in one `sum(map(...))`."""

    def __missing__(self, cluster: str) -> int:
        return _packed_cluster(cluster)


_cluster_packs = _ClusterPacks()
_pack_of = _cluster_packs.__getitem__

# A run is a URL or an emoji weighed as one piece: (start, end, weight) in code points.
_Run = tuple[int, int, int]


# What `weigh` finds: weighted length, whether X would refuse a character, the UTF-16 index
# of the last code unit that fits, and the UTF-16 length (a plain tuple: built per post).
WeightedText = tuple[int, bool, int, int]


def utf16_length(text: str) -> int:
    """Number of UTF-16 code units of `text` (a lone surrogate counts as one)."""
    if text.isascii():
        return len(text)
    try:
        # "utf-16" has a fast path in CPython that "utf-16-le" lacks; minus its 2-byte BOM.
        return len(text.encode("utf-16")) // 2 - 1
    except UnicodeEncodeError:  # a lone surrogate, which only "surrogatepass" encodes
        return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _heavy_count(text: str) -> int:
    return 0 if text.isascii() else len(_HEAVY.findall(text))


def _plain_weight(text: str) -> int:
    """Weight of `text` counted code point by code point (no URL or emoji discount)."""
    return len(text) * LIGHT_WEIGHT + _heavy_count(text) * _HEAVY_EXTRA


# What each known emoji sequence weighs as one piece minus what its code points would weigh.
_EMOJI_CORRECTION = {
    sequence: DEFAULT_WEIGHT - _plain_weight(sequence) for sequence in EMOJI.sequences
}


def _first_invalid_character(text: str) -> int | None:
    """Index of the first character X rejects (U+FFFE, U+FEFF, U+FFFF), or None."""
    # Substring searches run faster than one regex over non-ASCII text.
    if "\ufffe" not in text and "\ufeff" not in text and "\uffff" not in text:
        return None
    return min(index for index in map(text.find, INVALID_CHARACTERS) if index >= 0)


def _runs(urls: Sequence[UrlSpan], emoji: list[tuple[int, int]]) -> list[_Run]:
    """URLs and emoji in the order twitter-text's loop meets them: the first to start wins."""
    runs = [(url.start, url.end, _URL_WEIGHT) for url in urls]
    if emoji:
        runs += [(start, end, DEFAULT_WEIGHT) for start, end in emoji]
        # At the same start a URL wins, as twitter-text checks URLs first.
        runs.sort(key=lambda run: (run[0], run[2] != _URL_WEIGHT))
    kept: list[_Run] = []
    for run in runs:
        if not kept or run[0] >= kept[-1][1]:
            kept.append(run)
    return kept


def _heavy_astral_and_emoji(normalized: str) -> tuple[int, int, list[tuple[int, int]]]:
    """Heavy code points, code points beyond the BMP, and emoji spans, in one scan.

    The same as `len(_HEAVY.findall(text))`, `utf16_length(text) - len(text)` and
    `EMOJI.spans(text)` for a text without keycaps, at half their cost: a regex scan of a
    non-ASCII text costs about as much as the Python work for a handful of matches. Only
    the first code point of a match may start an emoji or lie beyond the BMP.
    """
    lengths_by_first = EMOJI.lengths_by_first
    sequences = EMOJI.sequences
    heavy = astral = covered_until = 0
    emoji: list[tuple[int, int]] = []
    for match in _HEAVY_OR_EMOJI_START.finditer(normalized):
        start, end = match.span()
        heavy += end - start
        character = normalized[start]
        if character > "\uffff":
            astral += 1
        if start < covered_until:
            continue  # inside the emoji before it
        lengths = lengths_by_first.get(character)
        if lengths is None:
            continue
        if lengths == _ONE_CODE_POINT:
            covered_until = start + 1
            emoji.append((start, covered_until))
            continue
        for length in lengths:  # longest first, as EmojiFinder.spans does
            if normalized[start : start + length] in sequences:
                covered_until = start + length
                emoji.append((start, covered_until))
                break
    heavy -= sum(map(normalized.count, _LIGHT_EMOJI_STARTS))  # light, though matched
    return heavy, astral, emoji


def _heavy_astral_and_emoji_by_cluster(
    normalized: str,
) -> tuple[int, int, list[tuple[int, int]]]:
    """`_heavy_astral_and_emoji`, cluster by cluster, each short cluster weighed once per
    process: emoji-rich posts (skin tones, ZWJ sequences) cost a look-up per cluster instead
    of a Python step per code point and candidate length (bench/README.md, text throughput)."""
    heavy = astral = 0
    emoji: list[tuple[int, int]] = []
    weights = _cluster_weights
    for match in _CLUSTER.finditer(normalized):
        cluster = match.group()
        found = weights.get(cluster)
        if found is None:
            # A light code point after it, so no candidate length reads past the cluster.
            cluster_heavy, cluster_astral, spans = _heavy_astral_and_emoji(cluster + " ")
            found = (cluster_heavy, cluster_astral, tuple(spans))
            if len(cluster) <= _CLUSTER_CACHE_LENGTH:
                if len(weights) >= _CLUSTER_CACHE_SIZE:
                    weights.clear()
                weights[cluster] = found
        heavy += found[0]
        astral += found[1]
        if found[2]:
            offset = match.start()
            emoji.extend([(offset + start, offset + end) for start, end in found[2]])
    return heavy, astral, emoji


def _packed_cluster(cluster: str) -> int:
    """A cluster's weight delta and astral count, packed (see `_cluster_packs`), or
    `_GENERAL_PATH` when it holds a keycap or a character X refuses; kept when short."""
    if _KEYCAP in cluster or _first_invalid_character(cluster) is not None:
        packed = _GENERAL_PATH
    else:
        heavy, astral, spans = _heavy_astral_and_emoji(cluster + " ")
        delta = heavy * _HEAVY_EXTRA + sum(
            _EMOJI_CORRECTION[cluster[start:end]] for start, end in spans
        )
        packed = (delta << _ASTRAL_BITS) + astral
    if len(cluster) <= _CLUSTER_CACHE_LENGTH:
        if len(_cluster_packs) >= _CLUSTER_CACHE_SIZE:
            _cluster_packs.clear()
        _cluster_packs[cluster] = packed
    return packed


def _weigh_when_it_fits(
    text: str, normalized: str, urls: Sequence[UrlSpan], limit: int
) -> WeightedText | None:
    """`weigh` for a non-ASCII text when it fits under `limit` and holds no keycap, no
    character X refuses and no URL that is not ASCII; None otherwise (the general path then
    decides).

    An ASCII URL holds no cluster and none reaches into it, so every URL and every emoji
    counts whole: the weight is a sum, and the emoji's spans (needed to settle overlaps or to
    find where an overflowing text stops fitting) are not built. Each cluster's part of the
    sum is one dict look-up (most clusters recur) instead of a span built and looked up per
    emoji.
    """
    if len(normalized) > _ASTRAL_MASK:
        return None
    total = sum(map(_pack_of, _CLUSTER.findall(normalized)))
    if total < _GENERAL_PATH_FLOOR:
        return None
    weighted = len(normalized) * LIGHT_WEIGHT + (total >> _ASTRAL_BITS)
    for url, _, _, _ in urls:
        if not url.isascii():
            return None
        weighted += _URL_WEIGHT - len(url) * LIGHT_WEIGHT
    if weighted > limit * SCALE:
        return None
    units = len(text) + (total & _ASTRAL_MASK) if normalized is text else utf16_length(text)
    return (weighted // SCALE, False, units - 1, units)


def weigh(
    text: str, limit: int = MAX_WEIGHTED_LENGTH, *, urls: Sequence[UrlSpan] | None = None
) -> WeightedText:
    """Weigh `text` as X does and find the end of the part that fits under `limit`.

    `urls`, when given, must be `find_urls(text)`: a caller that needs the URLs too finds
    them once (see `analysis.analyze_post`).
    """
    if not text:
        return (0, False, 0, 0)
    if text.isascii():
        # No emoji, no heavy or invalid characters, nothing for NFC to change: only URLs.
        normalized = text
        if urls is None:
            urls = find_urls(text) if "." in text else []
        emoji: list[tuple[int, int]] = []
        weighted = len(text) * LIGHT_WEIGHT
        invalid = None
        units = len(text)
    else:
        normalized = unicodedata.normalize("NFC", text)
        # NFC returns the text itself when it is already normalised, as chat posts are.
        if urls is None or normalized != text:
            urls = find_urls(normalized)
        fitting = _weigh_when_it_fits(text, normalized, urls, limit)
        if fitting is not None:
            return fitting
        invalid = _first_invalid_character(normalized)
        if _KEYCAP in normalized:
            emoji = EMOJI.spans(normalized)
            heavy = len(_HEAVY.findall(normalized))
            units = utf16_length(text)
        else:
            heavy, astral, emoji = _heavy_astral_and_emoji_by_cluster(normalized)
            units = len(text) + astral if normalized is text else utf16_length(text)
        weighted = len(normalized) * LIGHT_WEIGHT + heavy * _HEAVY_EXTRA
    runs: list[_Run] | None = None
    if urls and emoji:
        runs = _runs(urls, emoji)  # rare: drop what overlaps, then weigh the rest
        for start, end, weight in runs:
            piece = normalized[start:end]
            if weight == _URL_WEIGHT:
                weighted += weight - _plain_weight(piece)
            else:
                weighted += _EMOJI_CORRECTION[piece]
    else:
        for url in urls:
            weighted += _URL_WEIGHT - _plain_weight(url.text)
        for start, end in emoji:
            weighted += _EMOJI_CORRECTION[normalized[start:end]]
    if invalid is None and weighted <= limit * SCALE:
        # Everything fits: the valid range is the whole text, no need to walk it.
        return (weighted // SCALE, False, units - 1, units)
    stop = len(normalized) if invalid is None else invalid
    last_valid = _last_fitting_index(normalized, runs or _runs(urls, emoji), limit * SCALE, stop)
    normalization_offset = 0 if normalized is text else units - utf16_length(normalized)
    valid_range_end = utf16_length(normalized[: last_valid + 1]) - 1 + normalization_offset
    return (weighted // SCALE, invalid is not None, valid_range_end, units)


def _last_fitting_index(normalized: str, runs: list[_Run], budget: int, stop: int) -> int:
    """Index of the last code point that fits in `budget` and comes before `stop`.

    Like twitter-text's loop (which answers index 0 when nothing fits), but a whole stretch
    of plain text between two URLs or emoji is weighed at once.
    """
    last_valid = 0
    position = 0
    end_of_text = len(normalized)
    for run_start, run_end, run_weight in [*runs, (end_of_text, end_of_text, 0)]:
        plain_end = min(run_start, stop)
        if position < plain_end:
            # Every code point weighs at least LIGHT_WEIGHT: past `reach` nothing can fit, so
            # a long stretch (a late comment's hundreds of characters) is cut before any scan.
            reach = position + budget // LIGHT_WEIGHT + 1
            plain = normalized[position : min(plain_end, reach)]
            too_long = plain_end > reach
            weight = 0 if too_long else _plain_weight(plain)
            if too_long or weight > budget:
                fitting = _fitting_prefix_length(plain, budget)
                return position + fitting - 1 if fitting else last_valid
            budget -= weight
            last_valid = plain_end - 1
            position = plain_end
        if plain_end >= stop or run_start == end_of_text or run_weight > budget:
            return last_valid
        budget -= run_weight
        last_valid = run_end - 1
        position = run_end
    return last_valid


def _fitting_prefix_length(plain: str, budget: int) -> int:
    """How many leading code points of `plain` (no URL, no emoji) fit in `budget`."""
    units = budget // LIGHT_WEIGHT
    if plain.isascii():
        return min(len(plain), units)
    heavy_units = DEFAULT_WEIGHT // LIGHT_WEIGHT
    fitting = 0
    # Between two heavy characters every character is light: hop from one to the next.
    for heavy in _HEAVY.finditer(plain):
        light_run = heavy.start() - fitting
        if light_run >= units:
            return fitting + units
        units -= light_run
        fitting = heavy.start()
        if units < heavy_units:
            return fitting
        units -= heavy_units
        fitting += 1
    return min(len(plain), fitting + units)
