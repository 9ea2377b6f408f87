"""The recap as CSV: one row per attributed segment, for the host who sorts answers in a sheet.

Rows are the transcript's flat list (the same as the JSON `posts`): every visible post in
time order, a multi-segment post once per segment with the same `post_id`; `text` is the
segment's words. The last column, `kind`, says where the row went: question, answer, reply,
conversation or repost. Booleans are `true`/`false`, missing values empty, times ISO 8601 UTC.

Spreadsheets run a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
formula, and chat posts are written by strangers. As OWASP recommends against CSV injection,
such a text cell gets a leading `'`, so `@kaizencoach A3: …` is written `'@kaizencoach A3: …`.
Numbers (the question) are written as they are.
"""

from __future__ import annotations

import csv
import io

from hashchat.domain.recap import Transcript
from hashchat.formats.recap_common import iso_utc

COLUMNS = (
    "post_id",
    "created_at",
    "author",
    "network",
    "question",
    "part",
    "inferred",
    "late",
    "reply_to",
    "text",
    "kind",
    "spotlight",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse_formula(cell: str) -> str:
    """The cell with a leading `'` when a spreadsheet would read it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def render_csv(transcript: Transcript) -> str:
    """The flat list of segments as CSV text with a header row (RFC 4180 quoting, CRLF)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for segment in transcript.segments:
        post = segment.post
        attribution = segment.attribution
        writer.writerow(
            (
                defuse_formula(post.id),
                iso_utc(post.created_at),
                defuse_formula(post.author),
                defuse_formula(post.network),
                "" if attribution.question is None else attribution.question,
                attribution.part or "",
                _boolean(attribution.inferred),
                _boolean(attribution.late),
                defuse_formula(post.reply_to or ""),
                defuse_formula(attribution.text),
                segment.kind.value,
                _boolean(post.id in transcript.spotlighted),
            )
        )
    return buffer.getvalue()


def _boolean(value: bool) -> str:
    return "true" if value else "false"
