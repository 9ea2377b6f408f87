"""Answer tags: which question(s) a participant's text answers (`A1: …`, `Q2 …`, `T1 …`).

A tag is a letter (A answer, Q the question's own tag, T topic), a question number 1–99 and
an optional sub-part letter, then a separator (`:` `-` `)` `.` or a space) and the text.
A tag counts only where a segment can begin: the start of the text, a new line, after
sentence punctuation and a space, after an emoji or a bullet, or after leading @mentions
and #hashtags at any of those places. Tags in a list (`A1 & A2:`, `A1/A2`, `A1, A2:`)
share the text that follows them.

Decisions worth knowing:
- A manual retweet (`RT @x: A3 …`, `MT @x …`) quotes someone else's answer, so it yields no
  segment: counting it would credit the answer twice and to the wrong person.
- A sub-part letter (a–h) is accepted after a separator or a space, except for look-alikes
  that health chats write all the time followed by a space (`A1C result`, `T1D`, `T2D`);
  `A1C: 6.5` with a separator is still read as sub-part c of question 1.
- A `Q` tag counts mid-text only after another tag: "Welcome! Q1 comes at :06" names a
  question, while `Q2 Strip till…` opening a post answers it.
- `Q1 … A1 …` pairs in one long comment quote the question before answering it, so a Q
  segment is dropped when the same text also holds an A segment for that number.
- The separator `-` needs a space on one side (`A1 - x`, `A1 -x`, `A1- x`) so `T1-weighted`
  is not a tag; `.` needs whitespace after it so `A1.5` is not a tag.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from hashchat.domain.frozen_values import mutable_twin


@dataclass(frozen=True, slots=True)
class AnswerSegment:
    """One tagged piece of a text: the question it answers and its own words."""

    question: int
    part: str | None
    text: str
    kind: str


_AnswerSegmentDraft = mutable_twin(AnswerSegment)

_LETTER = "AaQqTtＡａＱｑＴｔ"
_KIND = {"A": "A", "a": "A", "Ａ": "A", "ａ": "A"}
_KIND |= {"Q": "Q", "q": "Q", "Ｑ": "Q", "ｑ": "Q", "T": "T", "t": "T", "Ｔ": "T", "ｔ": "T"}

# Digits first: letters are everywhere in prose, digits are rare, so this rejects an
# untagged post in well under a microsecond.
_MAYBE_TAG = re.compile(rf"[1-9１-９](?<=[{_LETTER}].)")
_MAYBE_ASCII_TAG = re.compile(r"[1-9](?<=[AaQqTt].)")  # a third faster on ASCII-only text


def _tag_pattern(capturing: bool) -> str:
    group = "(" if capturing else "(?:"
    return (
        r"(?!(?i:a1c|t[12]d)\s)"  # HbA1c and diabetes types read like tags with a part
        rf"{group}[{_LETTER}]){group}[1-9１-９][0-9０-９]?)(?![0-9０-９])"
        rf"{group}[a-hA-Hａ-ｈＡ-Ｈ])?(?!\w)"
    )


_JOINER = r"[ \t]*(?:&amp;|[&,/+＆]|and)[ \t]*"
_SEPARATOR = (
    r"(?:[ \t]*[:：)）]\s*"  # A1: x   A1:x   A1) x
    r"|[ \t]*[-–—][ \t]+|[ \t]+[-–—][ \t]*"  # A1 - x   A1- x   A1 -x
    r"|\.\s+"  # A1. x
    r"|\s+)"  # A1 x
    r"(?=\S)"
)
_TAG_LIST = re.compile(
    rf"(?<![\w#/@]){_tag_pattern(True)}"
    rf"(?P<more>(?:{_JOINER}{_tag_pattern(False)})*)(?P<separator>{_SEPARATOR})"
    rf"(?!{_JOINER}{_tag_pattern(False)})"  # `A1 & A2` with no text is not A1 saying "& A2"
)
_TAG_IN_LIST = re.compile(_tag_pattern(True))
_RETWEET = re.compile(r"\s*(?:RT|MT|rt)\b\s*:?\s*\.?@")

_HORIZONTAL_SPACE = " \t\u00a0\u1680\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))
_SENTENCE_END = ".!?…"
_CJK_SENTENCE_END = "。！？"
_CLOSERS = "\"'”’»)]"
_LINE_BULLETS = "-*>+"
_LOOK_BACK = 400  # room for a run of long @user@instance mentions before a tag
# The commonest head before a tag that does not open the text: @mentions and #hashtags with
# plain names, each followed by spaces (`@ann @bob A2: …`). `_boundary_before` walks such a
# head back to its start, one name at a time; this says so in one match.
_LEADING_NAMES = re.compile(r"[ \t]*(?:(?:[@#]|\.@)[A-Za-z0-9_]*[ \t]+)+")
_MARKER = re.compile(
    "[\u2022\u00b7\u2190-\u21ff\u2300-\u23ff\u25a0-\u27bf\u2b00-\u2bff"
    "\ufe0f\u200d\u20e3\U0001f000-\U0001faff]"
)


AnswerTag = tuple[int, str | None, str, str]
"""An answer segment as a plain (question, part, text, kind) tuple."""


def parse_answers(text: str) -> list[AnswerSegment]:
    """Return the answer segments of `text` in order of appearance; [] when it has no tag.

    Each segment's text runs from after its tag and separator to where the next tagged
    segment begins, stripped. Tags in a list produce one segment each with the shared text.
    """
    segments: list[AnswerSegment] = []
    for question, part, said, kind in answer_tags(text):
        # `AnswerSegment(...)` from a draft, at a third of the cost (see frozen_values).
        segment = _AnswerSegmentDraft()
        segment.question = question
        segment.part = part
        segment.text = said
        segment.kind = kind
        segment.__class__ = AnswerSegment
        segments.append(segment)
    return segments


def answer_tags(text: str) -> list[AnswerTag]:
    """`parse_answers` as plain tuples, for loops over a whole chat where microseconds count."""
    maybe_tag = _MAYBE_ASCII_TAG if text.isascii() else _MAYBE_TAG
    hit = maybe_tag.search(text)
    if hit is None or (hit.start() > 1 and _RETWEET.match(text)):  # "A1…" is no retweet
        return []
    segments: list[AnswerTag] = []
    # the last accepted tag: its segment runs to where the next accepted one starts
    open_tag: re.Match[str] | None = None
    while hit is not None:
        # Jumping from digit to digit and matching in place is several times faster
        # than letting the tag pattern scan every letter of the text.
        found = _TAG_LIST.match(text, hit.start() - 1)
        if found is None:
            hit = maybe_tag.search(text, hit.end())
            continue
        tag_start = found.start()
        start: int | None = 0  # a tag opening the text, the commonest case
        if tag_start:
            start = _segment_start(text, tag_start)
            if start is None and open_tag is not None and _continues_answers(text, found):
                start = tag_start
            if start and open_tag is None and _KIND[found[1]] == "Q":
                start = None  # "Welcome! Q1 comes at :06" mentions a question, answers none
        if start is not None:
            if open_tag is not None:
                _add_segments(segments, open_tag, text[open_tag.end() : start])
            open_tag = found
        hit = maybe_tag.search(text, found.end())
    if open_tag is not None:
        _add_segments(segments, open_tag, text[open_tag.end() :])
    return _without_quoted_questions(segments) if len(segments) > 1 else segments


def _add_segments(segments: list[AnswerTag], tag: re.Match[str], said: str) -> None:
    """Add the segment of one tag (one per tag of a list like `A1 & A2:`) unless it is empty."""
    body = said.strip()
    if body:
        letter, number, part, more = tag.group(1, 2, 3, "more")
        first = (int(number), part and _part(part), body, _KIND[letter])
        segments.append(first)
        if more:
            segments.extend(_listed_segments(more, body, first))


def first_question_tag(text: str) -> int | None:
    """Return n when `text` opens with a `Qn` tag (a host posting question n), else None.

    Leading whitespace, emoji, bullets, @mentions and #hashtags may come before the tag.
    """
    if _MAYBE_TAG.search(text) is None:
        return None
    found = _TAG_LIST.search(text)
    if found is None or _KIND[found[1]] != "Q" or _segment_start(text, found.start()) != 0:
        return None
    return int(found[2])


def _listed_segments(more: str, body: str, first: AnswerTag) -> list[AnswerTag]:
    """The segments of the tags after the first in `A1 & A2: …`, sharing its text."""
    segments = [first]
    for listed in _TAG_IN_LIST.finditer(more):
        part = listed[3]
        segment = (int(listed[2]), part and _part(part), body, _KIND[listed[1]])
        if all(known[:2] != segment[:2] for known in segments):
            segments.append(segment)
    return segments[1:]


def _part(letter: str) -> str:
    return letter.lower() if letter.isascii() else unicodedata.normalize("NFKC", letter).lower()


def _segment_start(text: str, tag_start: int) -> int | None:
    """Where the segment holding a tag at `tag_start` begins, or None when it is mid-sentence.

    Looks back at most `_LOOK_BACK` characters, so a long text full of tag-like words
    stays linear.
    """
    window_start = max(0, tag_start - _LOOK_BACK)
    if _LEADING_NAMES.fullmatch(text, window_start, tag_start):
        return window_start
    start = _boundary_before(text[window_start:tag_start])
    return None if start is None else window_start + start


def _boundary_before(head: str) -> int | None:
    """The segment boundary at the end of `head` (the text before a tag), or None.

    Walks back over spaces and @mentions/#hashtags to what precedes them; the returned
    index is where the previous segment's text ends.
    """
    while True:
        stripped = head.rstrip(_HORIZONTAL_SPACE)
        if not stripped:
            return 0
        spaced = len(stripped) < len(head)
        last = stripped[-1]
        if last.isspace() or last in _CJK_SENTENCE_END:
            return len(stripped)
        if spaced and (
            last in _SENTENCE_END or (last in _CLOSERS and stripped[-2:-1] in _SENTENCE_END)
        ):
            return len(stripped)
        if last in _LINE_BULLETS or _MARKER.match(last):
            line_head = stripped[:-1].rstrip(_HORIZONTAL_SPACE)
            if not line_head or line_head[-1].isspace():
                return len(line_head)  # a bullet opening its line starts the segment
            if last in _LINE_BULLETS:
                return None  # a dash mid-line is punctuation, not a bullet
            return len(stripped)  # an emoji closing a sentence ends the previous one
        word = stripped.rsplit(None, 1)[-1]
        if not spaced or not (word[0] in "@#" or word.startswith(".@")):
            return None
        head = stripped[: len(stripped) - len(word)]


def _continues_answers(text: str, found: re.Match[str]) -> bool:
    """Whether a mid-sentence tag still starts a segment: `A2a: x A2b: y`, `A1: yes A2: no`.

    Only in a text that already opened with a tag, only after a space, and only with a
    colon or bracket separator, which prose rarely puts after a letter and a number.
    """
    return text[found.start() - 1] in _HORIZONTAL_SPACE and any(
        mark in found["separator"] for mark in ":：)）"
    )


def _without_quoted_questions(segments: list[AnswerTag]) -> list[AnswerTag]:
    answered = {question for question, _, _, kind in segments if kind == "A"}
    return [tag for tag in segments if tag[3] != "Q" or tag[0] not in answered]
