"""The Content-Disposition header of a file we serve, for any file name (RFC 6266)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from hashchat.domain.text.controls import one_line

_NOT_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def content_disposition(filename: str, disposition: str = "inline") -> str:
    """`inline; filename="…"; filename*=UTF-8''…`: the exact name percent-encoded for every
    current client (RFC 6266, RFC 8187), and an ASCII look-alike for old ones.

    A header is Latin-1 by HTTP's rules, so a raw `#日本語.ics` cannot go in it at all.
    """
    exact = one_line(filename).strip()
    ascii_name = unicodedata.normalize("NFKD", exact).encode("ascii", "ignore").decode("ascii")
    stem, dot, extension = ascii_name.rpartition(".")
    safe_stem = _NOT_SAFE.sub("_", stem if dot else ascii_name).strip("_") or "download"
    fallback = f"{safe_stem}.{_NOT_SAFE.sub('', extension)}" if dot else safe_stem
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(exact, safe='')}"
