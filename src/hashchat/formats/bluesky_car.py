"""Bluesky repositories: the CAR file `com.atproto.sync.getRepo` returns (Settings → "Export
my data" in the app gives the same file), one account's records.

A CAR (v1) is a varint-framed stream: a DAG-CBOR header (`version`, `roots`), then blocks, each
`varint(length) CID bytes`. The blocks are the signed commit (`did`, `data`: the root of the
Merkle search tree), the tree's nodes (`l`, `e`: entries with prefix length `p`, key suffix
`k`, value `v`, subtree `t`) that map each record key (`app.bsky.feed.post/3kabc…`) to its
record's CID, and the records themselves (DAG-CBOR, decoded with `libipld`).

The reader streams the file twice and never holds it: the first pass keeps only the commit and
the tree's keys (a record's key lives in the tree, not the record), the second decodes the
records one at a time:
- `app.bsky.feed.post`: a post. Its text is given back with each link facet's full URI where
  the app shortened it (`example.com/a-long…`); `reply.parent.uri` is its parent.
- `app.bsky.feed.repost`: a repost of `subject.uri`, kept as such.
Other records (likes, follows, profile) are ignored.

Identity: network `bluesky`, source `bsky.social` (at-URIs name the account's DID, so they are
unique across the whole network), external id the record's `at://DID/collection/rkey`. The
author is the repository's DID (its handle is not in the repository); `--as` links it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import libipld

from hashchat.domain.ingest import ForeignPost, Network
from hashchat.formats.archives import Archive, ArchiveError, Progress, counting

SOURCE = "bsky.social"
POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
_MAX_BLOCK = 2_000_000  # the atproto limit on one block is 1 MB; more is a broken file


class _EofError(Exception):
    pass


def _varint(stream: IO[bytes]) -> int:
    shift = value = 0
    while True:
        byte = stream.read(1)
        if not byte:
            raise _EofError
        value |= (byte[0] & 0x7F) << shift
        if not byte[0] & 0x80:
            return value
        shift += 7
        if shift > 63:
            raise ValueError("bad varint")


def _read_varint(data: bytes, at: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        if at >= len(data):
            raise ValueError("the CID is cut short")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, at
        shift += 7


def _split_cid(section: bytes) -> tuple[bytes, bytes]:
    """A block section as (CID bytes, block data)."""
    if section[:2] == b"\x12\x20":  # CIDv0: a bare sha2-256 multihash
        return section[:34], section[34:]
    version, at = _read_varint(section, 0)
    if version != 1:
        raise ValueError(f"CID version {version} is not 0 or 1")
    _, at = _read_varint(section, at)  # codec
    _, at = _read_varint(section, at)  # hash function
    length, at = _read_varint(section, at)
    return section[: at + length], section[at + length :]


def _blocks(stream: IO[bytes], where: str) -> Iterator[tuple[int, bytes, bytes]]:
    """(block number, CID bytes, data) after the header; the header is checked."""
    try:
        size = _varint(stream)
    except _EofError:
        raise ArchiveError(where, "header", "is empty (not a CAR file)") from None
    header_bytes = stream.read(size)
    try:
        header = libipld.decode_dag_cbor(header_bytes)
    except ValueError as error:
        raise ArchiveError(where, "header", f"is not a CAR header ({error})") from None
    if not isinstance(header, dict) or header.get("version") != 1:
        raise ArchiveError(where, "header", "is not a CAR v1 header")
    number = 0
    while True:
        try:
            size = _varint(stream)
        except _EofError:
            return
        except ValueError as error:
            raise ArchiveError(where, f"block {number + 1}", str(error)) from None
        number += 1
        if size > _MAX_BLOCK:
            raise ArchiveError(where, f"block {number}", f"claims {size} bytes (broken file?)")
        section = stream.read(size)
        if len(section) < size:
            raise ArchiveError(where, f"block {number}", "is cut short (truncated file)")
        try:
            cid, data = _split_cid(section)
        except ValueError as error:
            raise ArchiveError(where, f"block {number}", str(error)) from None
        yield number, cid, data


def _decode(data: bytes, where: str, number: int) -> Any:
    try:
        return libipld.decode_dag_cbor(data)
    except ValueError as error:
        raise ArchiveError(where, f"block {number}", f"bad DAG-CBOR ({error})") from None


def _is_node(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"l", "e"} and isinstance(value["e"], list)


def _tree(path: Path, where: str) -> tuple[str, dict[bytes, str]]:
    """First pass: the repository's DID and each record CID's key (from the tree nodes)."""
    did: str | None = None
    keys: dict[bytes, str] = {}
    with path.open("rb") as stream:
        for number, _, data in _blocks(stream, where):
            if data[:1] not in {b"\xa2", b"\xa4", b"\xa5", b"\xa6"}:
                continue  # records carry $type and more; tree nodes have 2 keys, commits 4-6
            value = _decode(data, where, number)
            if _is_node(value):
                previous = b""
                for entry in value["e"]:
                    try:
                        key = previous[: entry["p"]] + entry["k"]
                        keys[entry["v"]] = key.decode()
                    except (KeyError, TypeError, UnicodeDecodeError):
                        raise ArchiveError(where, f"block {number}", "bad tree entry") from None
                    previous = key
            elif isinstance(value, dict) and "did" in value and "data" in value:
                did = str(value["did"])
    if did is None:
        raise ArchiveError(where, None, "has no signed commit (is it a repository CAR?)")
    return did, keys


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("has no createdAt")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"createdAt {value!r} has no time zone")
    return moment


def full_text(record: Mapping[str, Any]) -> str:
    """A post's text with each link facet's full URI where the text shows a shortened one
    (facet indexes count UTF-8 bytes)."""
    text = str(record.get("text") or "")
    facets = record.get("facets")
    if not isinstance(facets, list) or not facets:
        return text
    raw = text.encode()
    links = []
    for facet in facets:
        index = facet.get("index") if isinstance(facet, Mapping) else None
        if not isinstance(index, Mapping):
            continue
        for feature in facet.get("features") or ():
            if isinstance(feature, Mapping) and feature.get("$type", "").endswith("#link"):
                start, end = index.get("byteStart"), index.get("byteEnd")
                if (
                    isinstance(start, int)
                    and isinstance(end, int)
                    and 0 <= start <= end <= len(raw)
                ):
                    links.append((start, end, str(feature.get("uri") or "")))
    for start, end, uri in sorted(links, reverse=True):
        shown = raw[start:end].decode(errors="replace")
        if uri and shown != uri and (shown.endswith(("…", "...")) or "://" not in shown):
            raw = raw[:start] + uri.encode() + raw[end:]
    return raw.decode(errors="replace")


def record_post(did: str, key: str, record: Mapping[str, Any]) -> ForeignPost | None:
    """One repository record as a ForeignPost, or None for one that is not a post/repost."""
    kind = record.get("$type")
    uri = f"at://{did}/{key}"
    rkey = key.rsplit("/", 1)[-1]
    if kind == REPOST:
        subject = record.get("subject")
        target = subject.get("uri") if isinstance(subject, Mapping) else None
        if not isinstance(target, str):
            raise ValueError("repost has no subject.uri")
        return ForeignPost(
            network=Network.BLUESKY,
            source=SOURCE,
            external_id=uri,
            author_handle=did,
            display_name=did,
            text=f"reposted {target}",
            created_at=_time(record.get("createdAt")),
            repost_of=target,
        )
    if kind != POST:
        return None
    reply = record.get("reply")
    parent = reply.get("parent") if isinstance(reply, Mapping) else None
    parent_uri = parent.get("uri") if isinstance(parent, Mapping) else None
    return ForeignPost(
        network=Network.BLUESKY,
        source=SOURCE,
        external_id=uri,
        author_handle=did,
        display_name=did,
        text=full_text(record),
        created_at=_time(record.get("createdAt")),
        url=f"https://bsky.app/profile/{did}/post/{rkey}",
        reply_to=parent_uri if isinstance(parent_uri, str) else None,
    )


def open_bluesky_car(path: Path) -> Archive:
    """Open a repository CAR: its DID and record keys now (first pass), posts when read."""
    where = path.name
    if not path.is_file():
        raise ArchiveError(where, None, "no such file")
    did, keys = _tree(path, where)

    def read(progress: Progress | None) -> Iterator[ForeignPost]:
        with path.open("rb") as raw:
            stream = counting(raw, progress)
            for number, cid, data in _blocks(stream, where):
                key = keys.get(cid)
                if key is None or not key.startswith(
                    ("app.bsky.feed.post/", "app.bsky.feed.repost/")
                ):
                    continue
                record = _decode(data, where, number)
                if not isinstance(record, dict):
                    continue
                try:
                    post = record_post(did, key, record)
                except (ValueError, TypeError) as error:
                    raise ArchiveError(where, f"block {number} ({key})", str(error)) from None
                if post is not None:
                    yield post

    return Archive(Network.BLUESKY, SOURCE, did, did, path.stat().st_size, read)
