"""Tweet-archiver spreadsheets (TAGS, by Martin Hawksey) saved as CSV: one row per post of a
hashtag search, many people's posts, so no owner (no `--as`).

The columns are TAGS' own: `id_str, from_user, text, created_at, time, geo_coordinates,
user_lang, in_reply_to_user_id_str, in_reply_to_screen_name, from_user_id_str,
in_reply_to_status_id_str, source, profile_image_url, user_followers_count,
user_friends_count, user_location, status_url, entities_str`. Only `id_str`, `from_user`,
`text` and `created_at` (X's format, `Wed Oct 10 20:19:24 +0000 2018`; TAGS' `time` column,
`10/10/2018 20:19:24`, is read when it is missing) are required; other columns are ignored.
Ids stay text (a spreadsheet turning them into numbers loses digits: such a row is refused).
Retweets are rows whose text starts `RT @`. Identity is the X archive's (`x`, `x.com`, id),
so a sheet and archives of the same chat merge.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from hashchat.domain.ingest import ForeignPost, Network
from hashchat.formats.archives import Archive, ArchiveError, Progress, counting
from hashchat.formats.x_archive import SOURCE, parse_x_time

REQUIRED = ("id_str", "from_user", "text")


def _created(row: dict[str, str]) -> datetime:
    if row.get("created_at"):
        return parse_x_time(row["created_at"].strip())
    if row.get("time"):
        return datetime.strptime(row["time"].strip(), "%d/%m/%Y %H:%M:%S").replace(tzinfo=UTC)
    raise ValueError("has no created_at")


def row_post(row: dict[str, str]) -> ForeignPost:
    """One sheet row as a ForeignPost (ValueError on a bad one)."""
    post_id = row["id_str"].strip()
    if not post_id.isdigit():
        raise ValueError(f"id_str {post_id!r} is not a post id (a spreadsheet number?)")
    handle = row["from_user"].strip().lstrip("@")
    if not handle:
        raise ValueError("from_user is empty")
    text = row["text"]
    reply_to = (row.get("in_reply_to_status_id_str") or "").strip() or None
    if reply_to is not None and not reply_to.isdigit():
        raise ValueError(f"in_reply_to_status_id_str {reply_to!r} is not a post id")
    url = f"https://x.com/{handle}/status/{post_id}"  # as the X archive gives it (one identity)
    return ForeignPost(
        network=Network.X,
        source=SOURCE,
        external_id=post_id,
        author_handle=handle,
        display_name="",  # TAGS keeps no display name: the importer keeps a known one
        text=text,
        created_at=_created(row),
        url=url,
        reply_to=reply_to,
        repost_of=("@" + text[4:].split(":", 1)[0].strip()) if text.startswith("RT @") else None,
    )


def open_tags_csv(path: Path) -> Archive:
    """Open a TAGS sheet saved as CSV; the header row is checked now."""
    label = path.name
    if not path.is_file():
        raise ArchiveError(label, None, "no such file")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise ArchiveError(label, 1, "is empty: the first row must name the columns")
    missing = [c for c in REQUIRED if c not in header]
    if "created_at" not in header and "time" not in header:
        missing.append("created_at")
    if missing:
        raise ArchiveError(label, 1, f"misses the TAGS column(s) {', '.join(missing)}")

    def read(progress: Progress | None) -> Iterator[ForeignPost]:
        with path.open("rb") as raw:
            stream = counting(raw, progress)
            text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
            reader = csv.DictReader(text)
            try:
                for row in reader:
                    if None in row:
                        raise ArchiveError(label, reader.line_num, "has more cells than columns")
                    if not any((value or "").strip() for value in row.values()):
                        continue
                    try:
                        yield row_post(row)
                    except (KeyError, ValueError, TypeError) as error:
                        raise ArchiveError(label, reader.line_num, str(error)) from None
            except csv.Error as error:
                raise ArchiveError(label, reader.line_num, f"bad CSV ({error})") from None
            except UnicodeDecodeError:
                raise ArchiveError(label, reader.line_num + 1, "is not UTF-8") from None

    return Archive(Network.X, SOURCE, None, None, path.stat().st_size, read)
