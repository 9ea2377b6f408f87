"""Control characters: which ones a typed field may hold, and how output formats get rid of them.

A single-line field (a tag, title, display name, zone name, question) holds no control
character at all (Unicode category Cc: C0, DEL, C1) and no line or paragraph separator
(U+2028, U+2029). A multi-line field (a series description, a post) may also hold line feeds
and tabs; its CR LF and lone CR are line breaks typed on other systems and become LF first.

What arrives from elsewhere (imports, old rows) is never refused for this; every output format
cleans it instead: `one_line` for a header or an ICS SUMMARY, `xml_text` for XML 1.0, which
cannot carry most C0 characters at all.
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = "\u2028\u2029"
_MULTILINE_ALLOWED = "\n\t"
_LINE_BREAKS = re.compile("\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Characters XML 1.0 forbids (section 2.2): C0 but TAB, LF and CR; surrogates; U+FFFE, U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def is_control(character: str) -> bool:
    """True for a character no typed field may hold outside its allowed line breaks."""
    return unicodedata.category(character) == "Cc" or character in _SEPARATORS


def first_control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character of `text` that its kind of field may not hold, or None.

    A multi-line field may hold LF and TAB (normalise CR first: `normalise_line_breaks`).
    """
    allowed = _MULTILINE_ALLOWED if multiline else ""
    for character in text:
        if is_control(character) and character not in allowed:
            return character
    return None


def code_point(character: str) -> str:
    """`U+000B` for a message that names a character nobody can see."""
    return f"U+{ord(character):04X}"


def normalise_line_breaks(text: str) -> str:
    """CR LF and lone CR (typed on other systems) as LF; other characters untouched."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def one_line(text: str) -> str:
    """`text` for one-line output (a header, an ICS SUMMARY): each control becomes a space."""
    return "".join(" " if is_control(character) else character for character in text)


def plain_lines(text: str) -> str:
    """`text` for a multi-line output: every kind of line break as LF, other controls dropped."""
    unified = _LINE_BREAKS.sub("\n", text)
    return "".join(c for c in unified if c in _MULTILINE_ALLOWED or not is_control(c))


def xml_text(text: str) -> str:
    """`text` that XML 1.0 can carry: each character it forbids becomes U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)
