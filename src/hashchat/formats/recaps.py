"""The one registry of recap formats: `{name: (media type, renderer)}` plus a label and a file
extension. The API, the recap page's download links, `hashchat recap` and the actions read
this mapping; a new format is added here and nowhere else."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from hashchat.domain.recap import Transcript
from hashchat.formats.recap_csv import render_csv
from hashchat.formats.recap_html import render_html
from hashchat.formats.recap_json import render_json
from hashchat.formats.recap_markdown import render_markdown


class RecapFormat(NamedTuple):
    """How one format is served and written: `render(transcript, tag)` gives its text."""

    media_type: str
    render: Callable[[Transcript, str], str]
    label: str
    extension: str


def _csv(transcript: Transcript, tag: str) -> str:
    return render_csv(transcript)  # the flat list has no title to carry the tag


RECAP_FORMATS: Mapping[str, RecapFormat] = MappingProxyType(
    {
        "md": RecapFormat(
            "text/markdown; charset=utf-8",
            lambda transcript, tag: render_markdown(transcript, tag=tag),
            "Markdown",
            "md",
        ),
        "html": RecapFormat(
            "text/html; charset=utf-8",
            lambda transcript, tag: render_html(transcript, tag=tag),
            "HTML",
            "html",
        ),
        "json": RecapFormat(
            "application/json",
            lambda transcript, tag: render_json(transcript, tag=tag),
            "JSON",
            "json",
        ),
        "csv": RecapFormat("text/csv; charset=utf-8", _csv, "CSV", "csv"),
    }
)


class UnknownRecapFormatError(ValueError):
    """A format name the registry does not hold; the message lists those it does."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown recap format {name!r}; use one of {', '.join(RECAP_FORMATS)}")


def recap_format(name: str) -> RecapFormat:
    """The registered format `name`; UnknownRecapFormatError otherwise."""
    found = RECAP_FORMATS.get(name)
    if found is None:
        raise UnknownRecapFormatError(name)
    return found
