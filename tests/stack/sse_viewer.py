"""A viewer of an SSE stream in a thread, for tests over real HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Event:
    id: int | None
    type: str
    data: Any


class Viewer:
    """Reads `url` as Server-Sent Events into `events` until closed. With `reconnect`, it
    reconnects as a browser's EventSource does when the server ends the stream: after the
    last `retry:` milliseconds, sending the last `id:` seen as `Last-Event-ID`."""

    def __init__(
        self, url: str, headers: dict[str, str] | None = None, *, reconnect: bool = False
    ) -> None:
        self.events: list[Event] = []
        self.status: int | None = None
        self.error: BaseException | None = None
        self.reconnect = reconnect
        self.connections = 0
        self.last_id: str | None = None
        self.retry_ms = 2000
        self._client = httpx.Client(timeout=httpx.Timeout(5.0, read=None))
        self._url = url
        self._headers = headers or {}
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while True:
            self._read_once()
            if not self.reconnect or self.error is not None or self.status != 200:
                return
            time.sleep(self.retry_ms / 1000)

    def _read_once(self) -> None:
        headers = dict(self._headers)
        if self.last_id is not None:
            headers["Last-Event-ID"] = self.last_id
        self.connections += 1
        try:
            with self._client.stream("GET", self._url, headers=headers) as response:
                self.status = response.status_code
                fields: dict[str, str] = {}
                for line in response.iter_lines():
                    if line:
                        name, _, value = line.partition(":")
                        if name:
                            fields[name] = value.removeprefix(" ")
                        continue
                    with self._changed:  # a frame without data (an id, a retry) counts too
                        if "id" in fields:
                            self.last_id = fields["id"]
                        if fields.get("retry", "").isdigit():
                            self.retry_ms = int(fields["retry"])
                        if "data" in fields:
                            identifier = fields.get("id")
                            self.events.append(
                                Event(
                                    int(identifier) if identifier else None,
                                    fields.get("event", "message"),
                                    json.loads(fields["data"]),
                                )
                            )
                        self._changed.notify_all()
                    fields = {}
        except (httpx.HTTPError, RuntimeError) as error:
            self.error = error
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, done: Callable[[list[Event]], bool], seconds: float) -> list[Event]:
        """The events once `done(events)` holds; AssertionError after `seconds`."""
        deadline = time.monotonic() + seconds
        with self._changed:
            while not done(self.events):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"waited {seconds} s; got {self.events[-5:]}")
                self._changed.wait(left)
            return list(self.events)

    def close(self) -> None:
        """Stop reading; the reading thread (a daemon) ends with its connection."""
        self._client.close()
        self._thread.join(0.2)
