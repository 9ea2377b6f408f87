"""Find every emoji in a text: single code points and whole sequences (ZWJ, skin tone, keycap…).

The sequences come from the `emoji` package's `EMOJI_DATA` (Unicode's emoji-test list, kept
current by its maintainers), every qualification status included, because twitter-text counts
an unqualified `1⃣` or `©` as one emoji too. A regex alternation of ~5,000 sequences costs
tens of microseconds per text whatever the engine, so we find candidate positions with one
character class and then try the known lengths of sequences that start with that character,
longest first, against a set: leftmost-longest, like twitter-text's own pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import emoji

# Code points this close together share one range of the candidate class: a class of a few
# wide ranges scans ~10x faster than the exact one of ~100 ranges, and the few extra
# candidates it lets through are rejected by one dict look-up.
_CANDIDATE_GAP = 256
_KEYCAP = "\u20e3"
_SINGLE = (1,)  # most emoji are one code point that starts no longer sequence


def coarse_ranges(code_points: Iterable[int]) -> list[tuple[int, int]]:
    """A few inclusive ranges that cover every given code point (and some more), in order."""
    ranges: list[list[int]] = []
    for point in sorted(set(code_points)):
        if ranges and point - ranges[-1][1] <= _CANDIDATE_GAP:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    return [(low, high) for low, high in ranges]


def _coarse_character_class(code_points: Iterable[int]) -> str:
    """A `[...]` class of a few ranges that covers every given code point (and some more)."""
    ranges = coarse_ranges(code_points)
    if not ranges:
        return "(?!)"  # matches nothing
    parts = (
        re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}"
        for low, high in ranges
    )
    return f"[{''.join(parts)}]"


class EmojiFinder:
    """Leftmost-longest search for a fixed set of emoji sequences."""

    __slots__ = ("_candidate", "_candidate_with_keycaps", "lengths_by_first", "sequences")

    def __init__(self, sequences: Iterable[str]) -> None:
        self.sequences = frozenset(sequence for sequence in sequences if sequence)
        lengths: dict[str, set[int]] = {}
        for sequence in self.sequences:
            lengths.setdefault(sequence[0], set()).add(len(sequence))
        # For each first code point, the lengths of the sequences it starts, longest first.
        # Read by callers that scan a text themselves (x_weight); never mutated.
        self.lengths_by_first = {
            first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()
        }
        # A keycap base (`1`, `#`, `*`) is an emoji only before U+20E3, so plain digits —
        # frequent in `A1:` answer tags — are candidates only in the rare text holding one.
        if any(_KEYCAP not in sequence for sequence in self.sequences if sequence[0].isascii()):
            raise ValueError("an emoji sequence starts with an ASCII character but is no keycap")
        ascii_starts = sorted(first for first in self.lengths_by_first if first.isascii())
        other_starts = (ord(first) for first in self.lengths_by_first if not first.isascii())
        self._candidate = re.compile(_coarse_character_class(other_starts))
        keycap_bases = re.escape("".join(ascii_starts))
        self._candidate_with_keycaps = re.compile(
            f"[{keycap_bases}](?=\\ufe0f?{_KEYCAP})|{self._candidate.pattern}"
        )

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Return (start, end) code-point spans of the emoji in `text`, in order."""
        found: list[tuple[int, int]] = []
        if text.isascii():
            return found
        pattern = self._candidate_with_keycaps if _KEYCAP in text else self._candidate
        sequences = self.sequences
        lengths_by_first = self.lengths_by_first
        covered_until = 0
        for candidate in pattern.finditer(text):
            start = candidate.start()
            lengths = lengths_by_first.get(text[start])
            if start < covered_until or lengths is None:
                continue  # inside the previous emoji, or a false alarm of the coarse class
            if lengths == _SINGLE:
                covered_until = start + 1
                found.append((start, covered_until))
                continue
            for length in lengths:
                if text[start : start + length] in sequences:
                    covered_until = start + length
                    found.append((start, covered_until))
                    break
        return found


EMOJI = EmojiFinder(emoji.EMOJI_DATA)
