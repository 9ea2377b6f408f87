"""A stand-in for the events table, shared by the bus tests (the bus only reads rows by id)."""

from __future__ import annotations

from hashchat.live.bus import StoredEvent


class Table:
    """A stand-in for the events table."""

    def __init__(self) -> None:
        self.rows: list[StoredEvent] = []

    def add(self, chat_id: int = 1) -> StoredEvent:
        event = StoredEvent(len(self.rows) + 1, chat_id, "post", f'{{"n":{len(self.rows) + 1}}}')
        self.rows.append(event)
        return event

    def after(self, chat_id: int, after_id: int) -> list[StoredEvent]:
        return [e for e in self.rows if e.chat_id == chat_id and e.id > after_id]

    def last(self, chat_id: int) -> int:
        return max((e.id for e in self.rows if e.chat_id == chat_id), default=0)


def nchan_keys(chat_id: int) -> list[str]:
    """Every Redis key the nchan publishing state keeps for a chat (to clear around a test)."""
    return [f"hashchat:nchan:{chat_id}:{part}" for part in ("ids", "meta", "lock", "cuts", "paced")]
