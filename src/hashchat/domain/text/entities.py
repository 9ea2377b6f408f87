"""Hashtags, mentions, URLs and cashtags with their positions, by twitter-text's rules.

The patterns follow twitter-text's Ruby extractor (`regex.rb`, `extractor.rb`), which x.com,
the conformance suite in `extract.yml` and most tweet-chat tools agree on. Indices are code
points of the given text (Python string positions); `start` is the position of the sign
(`#`, `@`, `$`) or of the URL's first character, `end` is exclusive. Hashtag, mention and
cashtag texts carry no sign. Where two entities overlap the one that starts first wins, so
`http://example.com/#top` is a URL and not a hashtag.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import regex

from hashchat.domain.frozen_values import mutable_twin
from hashchat.domain.text.urls import (
    DIRECTIONAL_MARKS,
    LATIN_ACCENTS,
    UNICODE_SPACES,
    UrlSpan,
    find_urls,
)

HASHTAG = "hashtag"
MENTION = "mention"
URL = "url"
CASHTAG = "cashtag"

# twitter-text's hashtag alphabet: letters, marks and decimal digits of every script, plus
# the joiners and iteration marks that live inside words of some of them.
_HASHTAG_SPECIALS = (
    "_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e"
    "\u301c\u309b\u309c\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7"
)
_HASHTAG_LETTER = r"\p{L}\p{M}"
_HASHTAG_CHAR = f"[{_HASHTAG_LETTER}\\p{{Nd}}{_HASHTAG_SPECIALS}]"
# twitter-text consumes the character before the sign (start of text, a variation
# selector, or anything but `&` and the alphabet); scanning from each sign instead, the
# caller also requires that this character was not consumed by the previous match.
_HASHTAG = regex.compile(
    f"(?:^|(?<=[\\ufe0e\\ufe0f])|(?<=[^&{_HASHTAG_LETTER}\\p{{Nd}}{_HASHTAG_SPECIALS}]))"
    f"[#＃](?![\\ufe0f\\u20e3])({_HASHTAG_CHAR}*[{_HASHTAG_LETTER}]{_HASHTAG_CHAR}*)"
)
_REJECTED_AFTER_HASHTAG = ("#", "＃", "://")
# Most hashtags are ASCII between ASCII neighbours; for those the standard `re` engine finds
# the same span as the pattern above, at a third of the cost of the `regex` engine.
_ASCII_BEFORE_HASHTAG = frozenset(
    character
    for character in map(chr, range(128))
    if character != "&" and not (character.isalnum() or character == "_")
)
_ASCII_END_OF_HASHTAG = r"[\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]"  # ASCII, not [0-9A-Za-z_]
# Letters and marks (`\p{L}`, `\p{M}`: hashtag letters for the rule above) of the scripts hashtags
# are most often written in beyond ASCII: Latin with its accents and combining marks, Cyrillic,
# Arabic, Devanagari, kana, CJK ideographs, Hangul. A test checks every one against `regex`.
_COMMON_HASHTAG_LETTERS = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0300-\u036f\u0400-\u0481\u0483-\u052f"
    "\u0620-\u065f\u066e-\u06d3\u06d5-\u06dc\u06df-\u06e8\u06ea-\u06ef\u06fa-\u06fc\u06ff"
    "\u0900-\u0963\u0971-\u097f\u3041-\u3096\u3099-\u309a\u309d-\u309f\u30a1-\u30fa"
    "\u30fc-\u30ff\u4e00-\u9fff\uac00-\ud7a3"
)
# At a sign: the character before it in `_ASCII_BEFORE_HASHTAG` or none (a lookbehind after the
# sign), a name of ASCII letters, digits and `_` and of those letters (at least one letter), then
# an ASCII character that ends it and does not reject it (`#`, `://`), or the end. The rule above
# finds the same span there (every character of the name is a hashtag character, the one after
# it is not); whatever this does not match, the `regex` pattern decides.
_COMMON_HASHTAG = re.compile(
    "#(?<![^{}]#)".format("".join(map(re.escape, sorted(_ASCII_BEFORE_HASHTAG))))
    + f"([0-9_]*[a-zA-Z{_COMMON_HASHTAG_LETTERS}][a-zA-Z0-9_{_COMMON_HASHTAG_LETTERS}]*)"
    + f"(?={_ASCII_END_OF_HASHTAG}|\\Z)(?!#|://)"
)
# In a pure ASCII text the whole rule fits one `re` scan (half the text of chat posts): the
# lookbehind sits after the sign so that the scan jumps from one `#` to the next.
_HASHTAGS_IN_ASCII = re.compile(r"#(?<![&0-9A-Za-z_]#)([0-9_]*[a-zA-Z][a-zA-Z0-9_]*)")

# Preceding text (at most 4 characters: `xRT:`), at sign, screen name, optional list slug.
# Letters are spelled in both cases: `re` runs IGNORECASE patterns about twice as slowly.
_MENTION = re.compile(
    r"(?:[^a-zA-Z0-9_!#$%&*@＠]|^|(?:^|[^a-zA-Z0-9_+~.-])[rR][tT]:?)"
    r"([@＠])([a-zA-Z0-9_]{1,20})(/[a-zA-Z][a-zA-Z0-9_\-]{0,24})?"
)
# The name after a sign, then what rules the mention out: a list slug (`@user/list` names a
# list) or a continuation of `_AFTER_MENTION_REJECTS` (`@user@host`, `@http://`), caught by an
# empty group; `lastindex` is 1 when neither follows.
_MENTION_AT = re.compile(
    r"[@＠](?<![a-zA-Z0-9_!#$%&*@＠][@＠])([a-zA-Z0-9_]{1,20})(/[a-zA-Z][a-zA-Z0-9_\-]{0,24})?"
    f"(?:()(?=[@＠{LATIN_ACCENTS}]|://))?"
)
_NOT_BEFORE_MENTION = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_!#$%&*@＠"
)
_MENTION_LOOKBEHIND = 4
_MENTION_REACH = 1 + 20 + 26
_AFTER_MENTION_REJECTS = re.compile(f"[@＠{LATIN_ACCENTS}]|://")

_ASCII_PUNCTUATION = r"!\"#$%&'()*+,\-./:;<=>?@\[\]^_`{|}~"
_CASHTAG = re.compile(
    f"(?:^|[{UNICODE_SPACES}{DIRECTIONAL_MARKS}])(\\$)([a-zA-Z]{{1,6}}(?:[._][a-zA-Z]{{1,2}})?)"
    f"(?=$|[ \\t\\n\\x0b\\x0c\\r{_ASCII_PUNCTUATION}])"
)


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity: its kind, its text (without `#`/`@`/`$`) and its code-point span."""

    kind: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Entities:
    """The entities of one text, each kind in order of appearance."""

    hashtags: tuple[Entity, ...]
    mentions: tuple[Entity, ...]
    urls: tuple[Entity, ...]
    cashtags: tuple[Entity, ...]


_EntityDraft = mutable_twin(Entity)
_EntitiesDraft = mutable_twin(Entities)


def _entity(kind: str, text: str, start: int, end: int) -> Entity:
    """`Entity(kind, text, start, end)` at a third of the cost (see `frozen_values`)."""
    draft = _EntityDraft()
    draft.kind = kind
    draft.text = text
    draft.start = start
    draft.end = end
    draft.__class__ = Entity
    entity: Entity = draft
    return entity


def _entities(
    hashtags: tuple[Entity, ...],
    mentions: tuple[Entity, ...],
    urls: tuple[Entity, ...],
    cashtags: tuple[Entity, ...],
) -> Entities:
    """`Entities(hashtags, mentions, urls, cashtags)` at a third of the cost."""
    draft = _EntitiesDraft()
    draft.hashtags = hashtags
    draft.mentions = mentions
    draft.urls = urls
    draft.cashtags = cashtags
    draft.__class__ = Entities
    entities: Entities = draft
    return entities


def extract_entities(text: str, *, urls: Sequence[UrlSpan] | None = None) -> Entities:
    """Return the hashtags, mentions, URLs and cashtags of `text`; never raises on any str.

    `urls`, when given, must be `find_urls(text)`: a caller that needs the URLs too finds
    them once (see `analysis.analyze_post`).
    """
    # Each scan is skipped when its sign is absent: most chat posts carry one hashtag and
    # maybe a mention, so this keeps the common case to a few substring checks.
    if text.isascii():
        hashtags = _ascii_hashtags(text) if "#" in text else ()
        mentions = _mentions(text, False) if "@" in text else ()
    else:
        wide = "＃" in text
        hashtags = _hashtags(text, wide) if wide or "#" in text else ()
        wide = "＠" in text
        mentions = _mentions(text, wide) if wide or "@" in text else ()
    cashtags = _cashtags(text) if "$" in text else ()
    found_urls = find_urls(text) if urls is None else urls
    url_entities: tuple[Entity, ...] = ()
    if found_urls:
        url_entities = tuple([_entity(URL, url, start, end) for url, start, end, _ in found_urls])
        if hashtags or mentions or cashtags:
            # Only a URL can overlap another entity (`example.com/#top`): the others each
            # start with a sign that none of them may hold. The usual `link #chat` overlaps
            # nothing.
            for _, url_start, url_end, _ in found_urls:
                for others in (hashtags, mentions, cashtags):
                    for other in others:
                        if url_start < other.end and other.start < url_end:
                            return _without_overlaps(
                                [*url_entities, *hashtags, *mentions, *cashtags]
                            )
    # `_entities(...)`, without the call: this runs once per post.
    draft = _EntitiesDraft()
    draft.hashtags = hashtags
    draft.mentions = mentions
    draft.urls = url_entities
    draft.cashtags = cashtags
    draft.__class__ = Entities
    entities: Entities = draft
    return entities


def _sign_positions(text: str, wide_signs: bool, sign: str, wide_sign: str) -> list[int]:
    """Positions of `sign` or, when `wide_signs`, its full-width twin, in order (str.find is
    C-fast)."""
    positions = []
    for candidate in (sign, wide_sign) if wide_signs else (sign,):
        position = text.find(candidate)
        while position >= 0:
            positions.append(position)
            position = text.find(candidate, position + 1)
    if wide_signs:
        positions.sort()
    return positions


def _ascii_hashtags(text: str) -> tuple[Entity, ...]:
    """The hashtags of a pure ASCII text, in one scan."""
    found: list[Entity] = []
    for match in _HASHTAGS_IN_ASCII.finditer(text):
        start, end = match.span()
        if not text.startswith(_REJECTED_AFTER_HASHTAG, end):
            found.append(_entity(HASHTAG, text[start + 1 : end], start, end))
    return tuple(found)


def _hashtags(text: str, wide_signs: bool) -> tuple[Entity, ...]:
    """The hashtags of any text, one sign at a time (`wide_signs`: it holds a `＃`)."""
    found: list[Entity] = []
    previous_end = 0
    for position in _sign_positions(text, wide_signs, "#", "＃"):
        if position and position <= previous_end:
            continue  # right after the previous hashtag, whose match took the character before
        # A hashtag of common letters between ASCII neighbours: `re` finds what the `regex`
        # pattern finds (and rules out what follows it), at a third of its cost.
        tag = _COMMON_HASHTAG.match(text, position)
        if tag is not None:
            previous_end = tag.end()
            # `_entity(...)` written out: this is the commonest entity of all
            entity = _EntityDraft()
            entity.kind = HASHTAG
            entity.text = tag.group(1)
            entity.start = position
            entity.end = previous_end
            entity.__class__ = Entity
            found.append(entity)
            continue
        general = _HASHTAG.match(text, position)
        if general is None:
            continue
        previous_end = general.end()
        if not text.startswith(_REJECTED_AFTER_HASHTAG, previous_end):
            found.append(_entity(HASHTAG, general.group(1), position, previous_end))
    return tuple(found)


def _mentions(text: str, wide_signs: bool) -> tuple[Entity, ...]:
    """The mentions of a text, one sign at a time (`wide_signs`: it holds a `＠`)."""
    found: list[Entity] = []
    previous_end = 0
    for position in _sign_positions(text, wide_signs, "@", "＠"):
        if position < previous_end:
            continue
        if position == 0 or position > previous_end:
            # One plain character before the sign (the lookbehind of `_MENTION_AT`): only the
            # name itself remains to match, and what follows it, in the same match.
            named = _MENTION_AT.match(text, position)
            if named is not None:
                previous_end = named.end()
                if named.lastindex == 1:
                    # `_entity(...)` written out, as for hashtags
                    entity = _EntityDraft()
                    entity.kind = MENTION
                    entity.text = named.group(1)
                    entity.start = position
                    entity.end = previous_end
                    entity.__class__ = Entity
                    found.append(entity)
                continue
            if position == 0 or text[position - 1] not in _NOT_BEFORE_MENTION:
                continue  # a plain character before the sign, and no name after it
        # The pattern may start up to four characters before the sign (`xRT:@`); searching
        # that short window replaces a scan of the whole text.
        window_start = max(previous_end, position - _MENTION_LOOKBEHIND)
        match = _MENTION.search(text, window_start, position + _MENTION_REACH)
        if match is None or match.start(1) != position:
            continue
        previous_end = match.end()
        # `@user/list` names a list, not a person; `@user@host` and `@http://` are neither.
        if match.group(3) is None and _AFTER_MENTION_REJECTS.match(text, previous_end) is None:
            found.append(_entity(MENTION, match.group(2), position, previous_end))
    return tuple(found)


def _cashtags(text: str) -> tuple[Entity, ...]:
    return tuple(
        _entity(CASHTAG, match.group(2), match.start(1), match.end())
        for match in _CASHTAG.finditer(text)
    )


def _without_overlaps(entities: list[Entity]) -> Entities:
    """Keep, in order of position, each entity that does not overlap the one kept before."""
    kept: dict[str, list[Entity]] = {HASHTAG: [], MENTION: [], URL: [], CASHTAG: []}
    previous_end = -1
    for entity in sorted(entities, key=lambda entity: entity.start):
        if entity.start >= previous_end:
            kept[entity.kind].append(entity)
            previous_end = entity.end
    return _entities(
        tuple(kept[HASHTAG]), tuple(kept[MENTION]), tuple(kept[URL]), tuple(kept[CASHTAG])
    )
