"""The recap as one standalone HTML page: semantic headings and lists, inline CSS, no script.

Rendered through Jinja2 with autoescape on, so every text a participant wrote (posts,
handles, networks) is escaped and shown, never run. A post's `url` becomes a link only when
it is http(s): autoescaping does not stop a `javascript:` address.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from hashchat.domain.recap import Transcript
from hashchat.formats.recap_common import (
    as_handle,
    chat_day,
    iso_utc,
    live_window_text,
    question_heading,
    readable_time,
    recap_title,
    summary_rows,
    without_trailing_tag,
)
from hashchat.formats.recap_common import web_url as web_url  # where the recap's links come from

TEMPLATE_NAME = "recap.html.j2"


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("hashchat.formats", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(transcript: Transcript, *, tag: str = "") -> str:
    """The recap as a complete HTML document."""
    day = chat_day(transcript)
    figures = transcript.figures
    summary = summary_rows(figures)

    def when(moment: datetime) -> str:
        return readable_time(moment, day)

    def shown(text: str) -> str:
        return without_trailing_tag(text, tag)

    template = _environment().get_template(TEMPLATE_NAME)
    return template.render(
        title=recap_title(tag, transcript),
        window_text=live_window_text(transcript),
        hosts=[as_handle(host) for host in sorted(transcript.hosts)],
        figures=figures,
        summary=summary,
        questions=transcript.questions,
        conversation=transcript.conversation,
        show_network=len(figures.networks) > 1,
        handle=as_handle,
        iso=iso_utc,
        when=when,
        shown=shown,
        heading=lambda question: question_heading(question, shown(question.text)),
        web_url=web_url,
        spotlighted=transcript.spotlighted,
    )
