"""URL detection with twitter-text's rules (its Ruby/Java/JS extractors, re-expressed here).

A URL is an optional `http(s)://`, a domain whose last label is a real top-level domain (see
`tlds`), an optional port, path and query, and it must not follow a letter, digit, `@`, `#`
or `$`. Without a protocol only the ASCII (and Latin-accented) part of the domain counts, as
on X. Every candidate must also survive IDNA encoding (labels of 1–63 characters) and stay
under 4,096 characters, which is what keeps `randomurl…s.com` (a 64-character label) prose.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import regex

from hashchat.domain.text.tlds import TOP_LEVEL_DOMAINS
from hashchat.domain.text.trie_pattern import either_case, trie_pattern

MAX_URL_LENGTH = 4096
MAX_TCO_SLUG_LENGTH = 40
_DEFAULT_PROTOCOL_LENGTH = len("https://")

UNICODE_SPACES = "\t\n\x0b\x0c\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
DIRECTIONAL_MARKS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
INVALID_CHARACTERS = "\ufffe\ufeff\uffff"
PUNCTUATION = r"!\"#$%&'()*+,\-./:;<=>?@\[\]^_`{|}~"
_CONTROL = "\x00-\x1f\x7f"
# twitter-text's JS extractor (the one x.com runs) spells these two classes out this way.
_CYRILLIC = "\u0400-\u04ff"
_EN_DASH = "\u2013"
LATIN_ACCENTS = (
    "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    "\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)

_DOMAIN_CHAR = f"[^{DIRECTIONAL_MARKS}{PUNCTUATION}{UNICODE_SPACES}{_CONTROL}{INVALID_CHARACTERS}]"
# A label starts and ends with a domain character, with `-` (and `_` in subdomains) inside:
# twitter-text writes it `(?:c(?:[_-]|c)*)?c\.`; the same language as `c(?:[_-]*c)*\.` lets
# the repetition be possessive (a dot can never continue a label), which saves backtracking.
_SUBDOMAIN = f"(?:{_DOMAIN_CHAR}(?:[_-]*+{_DOMAIN_CHAR})*+\\.)"
_DOMAIN_NAME = f"(?:{_DOMAIN_CHAR}(?:-*+{_DOMAIN_CHAR})*+\\.)"
# No pattern here uses IGNORECASE (see `either_case`): letters are spelled in both cases.
_TLD = f"{trie_pattern(TOP_LEVEL_DOMAINS, ignore_case=True)}(?=[^0-9a-zA-Z@+-]|$)"
_PUNYCODE = r"(?:[xX][nN]--[0-9a-zA-Z]+)"
_DOMAIN = f"(?:{_SUBDOMAIN}*{_DOMAIN_NAME}(?:{_TLD}|{_PUNYCODE}))"
_ASCII_DOMAIN = f"(?:[a-zA-Z0-9\\-_{LATIN_ACCENTS}]+\\.)+(?:{_TLD}|{_PUNYCODE})"
# twitter-text also lists the directional marks here, which the negated class already admits.
_PRECEDING = f"(?:[^a-zA-Z0-9@＠$#＃{INVALID_CHARACTERS}]|^)"
_PATH_CHAR = f"[a-zA-Z{_CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-{_EN_DASH}_~&|@{LATIN_ACCENTS}]"
_BALANCED_PARENS = f"\\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\\({_PATH_CHAR}+\\){_PATH_CHAR}*))\\)"
_PATH_END = f"(?:[a-zA-Z{_CYRILLIC}0-9=_#/+\\-{LATIN_ACCENTS}]|{_BALANCED_PARENS})"
_PATH = f"(?:(?:{_PATH_CHAR}*(?:{_BALANCED_PARENS}{_PATH_CHAR}*)*{_PATH_END})|(?:{_PATH_CHAR}+/))"
_QUERY_CHAR = r"[a-zA-Z0-9!?*'();:&=+$/%#\[\]\-_.,~|@]"
_QUERY_END = r"[a-zA-Z0-9_&=#/\-]"
_QUERY = f"(?:\\?{_QUERY_CHAR}*{_QUERY_END})"
_HTTP = "".join(either_case(letter) for letter in "http")

# The standard `re` engine runs these patterns about three times faster than `regex`.
_URL = re.compile(
    f"(?P<before>{_PRECEDING})"
    f"(?P<url>(?P<protocol>{_HTTP}[sS]?://)?(?P<domain>{_DOMAIN})(?::[0-9]+)?"
    f"(?P<path>/{_PATH}*)?{_QUERY}?)"
)
# A dot that may end a URL's domain (a top-level domain or punycode follows it), and the rest
# of its word: the match ends where the word does. One search with a literal first character,
# so a text with no such dot costs one C-speed scan. Every top-level domain starts with a letter
# (a test checks it): the lookahead keeps a sentence's `. ` or a number's `.5` away from the
# TLD trie, whose root tries every first letter in turn.
_DOMAIN_DOT = re.compile(f"\\.(?=[^\\W\\d_])(?:{_TLD}|[xX][nN]--)[^{UNICODE_SPACES}]*")
_SPACE = re.compile(f"[{UNICODE_SPACES}]")
# `re` cannot search backwards; `regex` can, to find where the word around a dot begins.
_LAST_SPACE = regex.compile(f"[{UNICODE_SPACES}]", regex.REVERSE)
_ASCII_DOMAIN_RE = re.compile(_ASCII_DOMAIN)
_TCO_URL = re.compile(f"{_HTTP}[sS]?://[tT]\\.[cC][oO]/([a-zA-Z0-9]+){_QUERY}?")
_INVALID_BEFORE_BARE_DOMAIN = re.compile(r"[-_./]$")


class UrlSpan(NamedTuple):
    """A URL as written, with its code-point span in the text and whether it had a protocol."""

    text: str
    start: int
    end: int
    has_protocol: bool


# The URLs of a window (a word and the space before it) depend on the window's text alone (see
# `_relative_urls_in_window`), and links recur from post to post (the host's blog, the chat's
# page), so each short window's URLs are kept, relative to the window: (text, start, end,
# has_protocol).
# Bounded per process, cleared when full, one table per value of `require_protocol`.
_WINDOW_CACHE_LENGTH = 128
_WINDOW_CACHE_SIZE = 4096
_WindowUrls = tuple[tuple[str, int, int, bool], ...]
_window_urls: tuple[dict[str, _WindowUrls], dict[str, _WindowUrls]] = ({}, {})


def _idna_length(domain: str) -> int | None:
    """Length of `domain` in IDNA (punycode) form, or None when it cannot be encoded."""
    if domain.isascii():
        # The codec's own ASCII rule, without its lookup overhead: labels of 1–63 characters.
        if len(domain) < 64:
            return len(domain) if "" not in domain.split(".")[:-1] else None
        labels = domain.split(".")
        if any(not 0 < len(label) < 64 for label in labels[:-1]) or len(labels[-1]) >= 64:
            return None
        return len(domain)
    try:
        return len(domain.encode("idna"))
    except UnicodeError:
        return None


def _fits_limits(url_length: int, domain: str, has_protocol: bool) -> bool:
    """True when `domain` encodes to IDNA and the URL stays under Twitter's length cap."""
    encoded_length = _idna_length(domain)
    if not encoded_length:
        return False
    url_length += max(0, encoded_length - len(domain))
    if not has_protocol:
        url_length += _DEFAULT_PROTOCOL_LENGTH
    return url_length <= MAX_URL_LENGTH


def find_urls(text: str, *, require_protocol: bool = False) -> list[UrlSpan]:
    """Return the URLs of `text` in order; bare domains too unless `require_protocol`."""
    found: list[UrlSpan] = []
    if "." not in text:
        return found
    # Every URL holds a dot followed by a top-level domain (most chat posts hold none) and no
    # space, so the full pattern only runs over the space-delimited words that hold such a dot
    # (each window also takes the space before its word).
    table = _window_urls[require_protocol]
    dot = _DOMAIN_DOT.search(text)
    while dot is not None:
        window_end = dot.end()
        # Known windows first: the table holds only real windows (no space but maybe their
        # first character), so a window found there from the last plain space is this dot's
        # own window, and the search for other kinds of space in between is spared.
        window_start = max(text.rfind(" ", 0, dot.start()), 0)
        relative = table.get(text[window_start:window_end])
        if relative is None:
            window_start = _last_space_before(text, dot.start())
            relative = _relative_urls_in_window(text, window_start, window_end, require_protocol)
        if relative:
            found += [
                _new_span(UrlSpan, (url, window_start + low, window_start + high, has_protocol))
                for url, low, high, has_protocol in relative
            ]
        dot = _DOMAIN_DOT.search(text, window_end)
    return found


def _last_space_before(text: str, position: int) -> int:
    """Index of the last space of any kind before `position`, or 0 when there is none."""
    # Words are nearly always split by a plain space: str.rfind finds it at C speed, and one
    # short forward scan checks that no other kind of space lies between it and `position`.
    plain_space = text.rfind(" ", 0, position)
    if _SPACE.search(text, plain_space + 1, position) is None:
        return max(plain_space, 0)
    found = _LAST_SPACE.search(text, 0, position)
    return 0 if found is None else found.start()


def _relative_urls_in_window(
    text: str, start: int, end: int, require_protocol: bool
) -> _WindowUrls:
    """`_matched_urls_in_window`, relative to the window, kept in the table of recent windows.

    A window starts at a space (or at the start of the text) and ends at a space or at the
    end, and `_URL` has no lookbehind and is only ever run inside it, so what it finds there
    does not depend on the text around it (a test checks it against the uncached scan).
    """
    window = text[start:end]
    relative = tuple(
        (url.text, url.start - start, url.end - start, url.has_protocol)
        for url in _matched_urls_in_window(text, start, end, require_protocol)
    )
    if len(window) <= _WINDOW_CACHE_LENGTH:
        table = _window_urls[require_protocol]
        if len(table) >= _WINDOW_CACHE_SIZE:
            table.clear()
        table[window] = relative
    return relative


_new_span = tuple.__new__


def _matched_urls_in_window(
    text: str, start: int, end: int, require_protocol: bool
) -> list[UrlSpan]:
    """The URLs that `_URL` finds between `start` and `end`: a word and the space before it."""
    found: list[UrlSpan] = []
    for match in _URL.finditer(text, start, end):
        start, end = match.span("url")
        if match.group("protocol") is None:
            if require_protocol or _INVALID_BEFORE_BARE_DOMAIN.search(match.group("before")):
                continue
            found.extend(_bare_domain_urls(text, match, start, end))
            continue
        url = match.group("url")
        domain = match.group("domain")
        # Only a t.co link has a slug rule; the lower() test spares the others a regex match.
        tco = _TCO_URL.match(url) if domain.lower() == "t.co" else None
        if tco is not None:
            if len(tco.group(1)) > MAX_TCO_SLUG_LENGTH:
                continue
            url = tco.group(0)
            end = start + len(url)
        if _fits_limits(len(url), domain, has_protocol=True):
            found.append(UrlSpan(url, start, end, has_protocol=True))
    return found


def _bare_domain_urls(text: str, match: re.Match[str], start: int, end: int) -> list[UrlSpan]:
    """The ASCII domains inside a protocol-less match; the last one keeps the path and query."""
    domain = match.group("domain")
    url_length = end - start
    spans: list[tuple[int, int]] = []
    for ascii_domain in _ASCII_DOMAIN_RE.finditer(domain):
        if _fits_limits(url_length, ascii_domain.group(), has_protocol=False):
            spans.append((start + ascii_domain.start(), start + ascii_domain.end()))
    if spans and match.group("path") is not None:
        spans[-1] = (spans[-1][0], end)
    return [UrlSpan(text[low:high], low, high, has_protocol=False) for low, high in spans]
