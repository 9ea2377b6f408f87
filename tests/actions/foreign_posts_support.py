"""A post from elsewhere for the ingest door's tests: an X post by tradietom unless told."""

from __future__ import annotations

from datetime import datetime

from hashchat.domain.ingest import ForeignPost, Network


def foreign_post(external_id: str, text: str, at: datetime, **fields: object) -> ForeignPost:
    values: dict[str, object] = {
        "network": Network.X,
        "source": "x.com",
        "external_id": external_id,
        "author_handle": "tradietom",
        "display_name": "Tom",
        "text": text,
        "created_at": at,
    }
    values.update(fields)
    return ForeignPost(**values)  # type: ignore[arg-type]
