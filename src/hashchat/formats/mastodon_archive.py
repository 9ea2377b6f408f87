"""Mastodon account exports ("Request your archive"): a zip or tar.gz with `actor.json` (the
account) and `outbox.json`, an ActivityStreams `OrderedCollection` whose `orderedItems` are the
account's activities, oldest first. The reader streams `orderedItems` with `ijson`.

- `Create` of a `Note`: a post. Its `content` is HTML (`<p>`, `<br>`, links, mention and
  hashtag spans); it becomes plain text through the `nh3` sanitiser (paragraphs and line
  breaks kept as new lines, entities decoded). `inReplyTo` is the parent's URI, `updated` an
  edit. Direct messages (addressed to no public collection) are left out.
- `Announce`: a boost of the URI in `object`, kept as a repost.
- Anything else (`Like`, `Delete`, unknown types and fields) is ignored.

Identity: network `mastodon`, source the instance's host name taken from the status URI
(`https://mastodon.social/users/alice/statuses/1` → `mastodon.social`), external id the URI;
a reply to a status on another instance names that instance as its parent's source.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ijson  # type: ignore[import-untyped]
import nh3

from hashchat.domain.ingest import ForeignPost, Network
from hashchat.formats.archives import Archive, ArchiveError, Members, Progress, counting

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
_BREAKS = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>", re.IGNORECASE)


def html_text(content: str) -> str:
    """A status' HTML as plain text: tags removed by a real sanitiser, entities decoded."""
    marked = _BREAKS.sub(
        lambda m: "\n" if m.group(0).lower().startswith("<br") else "\n\n", content
    )
    cleaned = nh3.clean(marked, tags=set(), strip_comments=True)
    return html.unescape(cleaned).strip()


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("has no published time")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"time {value!r} has no time zone")
    return moment


def _host(uri: str) -> str:
    host = urlsplit(uri).hostname
    if not host:
        raise ValueError(f"{uri!r} is not a URI")
    return host


def _public(activity: Mapping[str, Any]) -> bool:
    audience = activity.get("to") or []
    also = activity.get("cc") or []
    listed = (audience if isinstance(audience, list) else [audience]) + (
        also if isinstance(also, list) else [also]
    )
    return PUBLIC in listed or "as:Public" in listed or "Public" in listed


def activity_post(activity: Mapping[str, Any], handle: str, name: str) -> ForeignPost | None:
    """One outbox activity as a ForeignPost, or None for one that is not a post."""
    kind = activity.get("type")
    if kind == "Announce":
        target = activity.get("object")
        if isinstance(target, Mapping):
            target = target.get("id")
        if not isinstance(target, str):
            raise ValueError("Announce has no object")
        uri = str(activity["id"])
        return ForeignPost(
            network=Network.MASTODON,
            source=_host(uri),
            external_id=uri,
            author_handle=handle,
            display_name=name or handle,
            text=f"boosted {target}",
            created_at=_time(activity.get("published")),
            url=target,
            repost_of=target,
        )
    if kind != "Create":
        return None
    note = activity.get("object")
    if not isinstance(note, Mapping) or note.get("type") not in {"Note", "Question", "Article"}:
        return None
    if not _public(note) and not _public(activity):
        return None
    uri = str(note["id"])
    source = _host(uri)
    reply = note.get("inReplyTo")
    if isinstance(reply, Mapping):
        reply = reply.get("id")
    reply_source = _host(reply) if isinstance(reply, str) else None
    content = note.get("content")
    if not isinstance(content, str):
        content_map = note.get("contentMap")
        content = next(iter(content_map.values()), "") if isinstance(content_map, Mapping) else ""
    edited = note.get("updated")
    return ForeignPost(
        network=Network.MASTODON,
        source=source,
        external_id=uri,
        author_handle=handle,
        display_name=name or handle,
        text=html_text(content),
        created_at=_time(note.get("published") or activity.get("published")),
        url=note.get("url") if isinstance(note.get("url"), str) else uri,
        reply_to=reply if isinstance(reply, str) else None,
        reply_to_source=reply_source if reply_source and reply_source != source else None,
        edited_at=_time(edited) if isinstance(edited, str) else None,
    )


def _actor(members: Members) -> tuple[str, str]:
    found = members.find("actor.json")
    if not found:
        raise ArchiveError(members.label, None, "has no actor.json (is it a Mastodon export?)")
    with members.open(found[0]) as stream:
        try:
            actor = json.loads(stream.read(4_000_000))
        except json.JSONDecodeError as error:
            raise ArchiveError(members.where(found[0]), error.lineno, error.msg) from None
    username = actor.get("preferredUsername") if isinstance(actor, dict) else None
    actor_id = actor.get("id") if isinstance(actor, dict) else None
    if not isinstance(username, str) or not isinstance(actor_id, str):
        raise ArchiveError(members.where(found[0]), None, "has no preferredUsername and id")
    return f"{username}@{_host(actor_id)}", str(actor.get("name") or username)


def open_mastodon_archive(path: Path) -> Archive:
    """Open a Mastodon export (zip, tar.gz or folder)."""
    members = Members(path)
    handle, name = _actor(members)
    found = members.find("outbox.json")
    if not found:
        raise ArchiveError(members.label, None, "has no outbox.json")
    outbox = found[0]
    where = members.where(outbox)

    def read(progress: Progress | None) -> Iterator[ForeignPost]:
        with members.open(outbox) as raw:
            stream = counting(raw, progress)
            number = 0
            try:
                for activity in ijson.items(stream, "orderedItems.item", use_float=True):
                    number += 1
                    if not isinstance(activity, Mapping):
                        raise ArchiveError(where, f"item {number}", "is not an activity")
                    try:
                        post = activity_post(activity, handle, name)
                    except (KeyError, ValueError, TypeError) as error:
                        reason = (
                            f"has no {error.args[0]}" if isinstance(error, KeyError) else str(error)
                        )
                        ident = activity.get("id", "?")
                        raise ArchiveError(where, f"item {number} ({ident})", reason) from None
                    if post is not None:
                        yield post
            except ijson.JSONError as error:
                first = str(error).strip().splitlines()[0] if str(error).strip() else "bad JSON"
                raise ArchiveError(where, f"item {number + 1}", f"bad JSON ({first})") from None
            except (EOFError, OSError) as error:
                raise ArchiveError(where, f"item {number + 1}", f"truncated ({error})") from None

    return Archive(
        Network.MASTODON,
        _host("https://" + handle.split("@", 1)[1]),
        handle,
        name,
        members.size(outbox),
        read,
    )
