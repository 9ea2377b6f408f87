"""Series tags: the form we keep, the key we look them up by, and the skeleton of look-alikes.

- `normal_tag`: NFKC, so full-width `ＫaizenBiz` and ligatures become the letters they show.
- `tag_key`: the normal tag case-folded: `KaizenBiz`, `kaizenbiz` and `KAIZENBIZ` are one
  series (case folding, not lowercasing, so `STRASSE` and `straße` are one too).
- `tag_skeleton`: the Unicode TR39 skeleton of the tag, case-blind: two tags with one skeleton
  look alike (`KaizenBız` with a dotless i, `KaizenВiz` with a Cyrillic Ve, `KaizenBiz` in
  mathematical bold). The confusable pairs come from Unicode's confusables.txt as shipped by
  the `confusable_homoglyphs` package.

That package keeps each pair in both directions and has no skeleton function, so the map from
a character to its prototype is rebuilt here from the TR39 rule that a prototype is never a
source: a source has exactly one partner (its prototype); a character with several partners is
a prototype. A pair where both have one partner maps both to the smaller, which keeps the
equivalence that TR39 defines (the skeleton strings may differ from ICU's; equality does not).
"""

from __future__ import annotations

import unicodedata
from functools import cache
from string import ascii_lowercase, ascii_uppercase

from confusable_homoglyphs import utils as confusable_data  # type: ignore[import-untyped]


def normal_tag(tag: str) -> str:
    """The tag as we keep it: without '#' and surrounding spaces, in NFKC."""
    return unicodedata.normalize("NFKC", tag.strip().lstrip("#").strip())


def tag_key(tag: str) -> str:
    """The look-up key: the normal tag case-folded."""
    return normal_tag(tag).casefold()


@cache
def _prototypes() -> dict[str, str]:
    pairs: dict[str, list[dict[str, str]]] = confusable_data.load("confusables.json")
    partners = {char: [entry["c"] for entry in entries] for char, entries in pairs.items()}
    prototypes: dict[str, str] = {}
    for char, others in partners.items():
        if len(char) != 1 or len(others) != 1:
            continue  # a sequence or a character with several partners is a prototype
        other = others[0]
        if len(other) == 1 and len(partners.get(other, ())) == 1 and other > char:
            continue  # an isolated pair: the smaller one stands for both
        prototypes[char] = other
    return prototypes


def skeleton(text: str) -> str:
    """TR39's skeleton(X): NFD, each character by its prototype, NFD again."""
    prototypes = _prototypes()
    mapped = "".join(prototypes.get(c, c) for c in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", mapped)


@cache
def _lower_lookalikes() -> dict[str, str]:
    # A lower-case Latin letter that looks like another upper-case one (l and I): case-blind
    # tags must meet on it before upper-casing makes it a letter of its own (L).
    return {
        lower: upper
        for lower in ascii_lowercase
        for upper in ascii_uppercase
        if upper.lower() != lower and skeleton(upper) == skeleton(lower)
    }


def _as_upper_lookalike(text: str) -> str:
    lookalikes = _lower_lookalikes()
    return "".join(lookalikes.get(c, c) for c in text)


def tag_skeleton(tag: str) -> str:
    """The key under which look-alike tags collide.

    Tags are case-blind, and look-alikes hide in either case (Cyrillic В is Latin B only in
    upper case, Greek ν is v only in lower case), so the skeleton is taken of the typed form,
    then of its upper case; a lower-case l counts as the I it looks like, before each
    upper-casing (TR39 maps I to l, which upper-cases to L).
    """
    typed = skeleton(_as_upper_lookalike(normal_tag(tag)))
    return skeleton(_as_upper_lookalike(typed).upper())
