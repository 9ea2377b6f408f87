"""The Mastodon stream is read a line at a time (Mastodon.py's own reader takes one byte per
loop): events split anywhere across the network's chunks, several in one chunk, heartbeats
and a deletion are read as Mastodon.py reads them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from mastodon.errors import MastodonNetworkError
from requests.exceptions import ChunkedEncodingError

from hashchat.bridges.mastodon import _LineListener


class _Response:
    def __init__(self, chunks: list[bytes], fail: bool = False) -> None:
        self.chunks = chunks
        self.fail = fail

    def iter_content(self, chunk_size: int | None = None) -> Iterator[bytes]:
        assert chunk_size is None  # as the data arrives, not byte by byte
        yield from self.chunks
        if self.fail:
            raise ChunkedEncodingError("connection broken")


class _Seen(_LineListener):
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def on_update(self, status: Any) -> None:
        self.events.append(("update", status["id"]))

    def on_delete(self, status_id: Any) -> None:
        self.events.append(("delete", str(status_id)))

    def on_abort(self, err: Exception) -> None:
        self.events.append(("abort", type(err).__name__))


def _status(n: int) -> str:
    return json.dumps({"id": str(n), "content": "<p>A1 #EduChat</p>", "tags": []})


def test_events_split_anywhere_are_read_whole() -> None:
    stream = (
        f":thump\n\nevent: update\ndata: {_status(1)}\n\n"
        f"event: update\ndata: {_status(2)}\n\nevent: delete\ndata: 7\n\n"
    ).encode()
    for cut in (1, 7, 40, 97, len(stream) - 3):
        seen = _Seen()
        seen.handle_stream(_Response([stream[:cut], stream[cut : cut + 5], stream[cut + 5 :]]))
        assert seen.events == [("update", "1"), ("update", "2"), ("delete", "7")], cut


def test_a_dropped_connection_is_said_as_mastodon_py_says_it() -> None:
    seen = _Seen()
    with pytest.raises(MastodonNetworkError):
        seen.handle_stream(_Response([f"event: update\ndata: {_status(3)}\n\n".encode()], True))
    assert seen.events == [("update", "3"), ("abort", "MastodonNetworkError")]
