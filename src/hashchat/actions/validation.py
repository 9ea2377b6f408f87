"""Checks of untrusted input shared by several actions.

Each check is a thin door onto the rule's one home in `domain`: zone names in
`domain.schedule.zones`, the date window in `domain.schedule.window`, control characters in
`domain.text.controls`, combining marks stacked on one character in `domain.text.marks`.
Refusals are InvalidInputError (422) naming the field.
"""

from __future__ import annotations

from datetime import datetime

from hashchat.actions.errors import InvalidInputError
from hashchat.domain.schedule import ScheduleError
from hashchat.domain.schedule.window import check_instant
from hashchat.domain.schedule.zones import canonical_zone_name
from hashchat.domain.text.controls import (
    code_point,
    first_control_character,
    normalise_line_breaks,
)
from hashchat.domain.text.marks import stacked_marks_refusal


def check_timezone(name: str) -> str:
    """The canonical IANA name of zone `name` (aliases such as US/Eastern become their zone),
    or InvalidInputError naming it; `localtime`, `Factory`, `posixrules` and paths are refused."""
    try:
        return canonical_zone_name(name)
    except ScheduleError as error:
        raise InvalidInputError(f"{error}; use an IANA name like Europe/London") from None


def check_no_controls(value: str, what: str, *, multiline: bool = False) -> str:
    """`value` when it holds no control character its kind of field may not hold.

    Single-line fields (titles, names, questions) hold none; multi-line ones may hold LF and
    TAB. See `domain.text.controls`.
    """
    found = first_control_character(value, multiline=multiline)
    if found is not None:
        kind = "line breaks or control characters" if not multiline else "control characters"
        raise InvalidInputError(f"{what} must not contain {kind} (found {code_point(found)})")
    return value


def check_no_stacked_marks(value: str, what: str) -> str:
    """`value` when no character of it carries more than 8 combining marks
    (`domain.text.marks`)."""
    stacked = stacked_marks_refusal(value, what)
    if stacked is not None:
        raise InvalidInputError(stacked)
    return value


def check_text(value: str, what: str, max_length: int, *, multiline: bool = False) -> str:
    """`value` stripped, non-empty, at most `max_length` characters, without control characters
    (a multi-line field keeps LF and TAB; its CR LF and CR become LF) and without more than
    8 combining marks on one character."""
    cleaned = value.strip()
    if multiline:
        cleaned = normalise_line_breaks(cleaned)
    if not cleaned:
        raise InvalidInputError(f"{what} must not be empty")
    if len(cleaned) > max_length:
        raise InvalidInputError(f"{what} has more than {max_length} characters")
    return check_no_controls(check_no_stacked_marks(cleaned, what), what, multiline=multiline)


def check_aware(value: datetime, what: str) -> datetime:
    """`value` when it carries a UTC offset and lies in the date window (1970 to 2200 UTC);
    naive times are ambiguous across zones."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError(f"{what} needs a UTC offset, e.g. 2026-01-09T17:00:00Z")
    try:
        return check_instant(value, what)
    except ScheduleError as error:
        raise InvalidInputError(str(error)) from None
