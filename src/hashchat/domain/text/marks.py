"""Combining marks stacked on one character: how many a typed post may hold.

Counting rules by graphemes (Mastodon, Bluesky, plain) count a letter with a thousand
nonspacing marks (Unicode categories Mn and Me) as one character, and a browser draws the whole
stack, far above and below the line ("Zalgo" text). Real writing needs few: Vietnamese two,
pointed and cantillated Hebrew four, Tibetan and Devanagari stacks and emoji sequences (U+FE0F,
U+20E3) fewer than eight. So typed text (a post, a title, a question, a name) may hold at most
MAX_MARKS_PER_GRAPHEME marks in any one grapheme; text from elsewhere (imports, bridges) is
stored as it came, and the room's CSS keeps each post's drawing inside its own box.
"""

from __future__ import annotations

import regex

MAX_MARKS_PER_GRAPHEME = 8
_MARK = regex.compile(r"[\p{Mn}\p{Me}]")
_GRAPHEME = regex.compile(r"\X")


def most_marks_on_one_grapheme(text: str) -> int:
    """The largest number of nonspacing and enclosing marks (Mn, Me) in one grapheme of `text`."""
    if text.isascii():
        return 0
    return max(
        (len(_MARK.findall(grapheme)) for grapheme in _GRAPHEME.findall(text) if len(grapheme) > 1),
        default=0,
    )


def stacked_marks_refusal(text: str, what: str = "the post") -> str | None:
    """Why a typed `text` (`what`: the post, the title, ...) stacks too many marks on one
    character, or None when it does not."""
    if text.isascii() or len(_MARK.findall(text)) <= MAX_MARKS_PER_GRAPHEME:
        return None  # the common case, without splitting into graphemes
    most = most_marks_on_one_grapheme(text)
    if most <= MAX_MARKS_PER_GRAPHEME:
        return None
    return (
        f"one character of {what} carries {most} combining marks; at most "
        f"{MAX_MARKS_PER_GRAPHEME} are allowed on one character"
    )
