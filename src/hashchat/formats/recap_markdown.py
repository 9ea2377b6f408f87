"""The recap as Markdown: figures first, then one section per question, then other conversation.

Answers are bullets (`**@author** · 17:07 — text`), replies are indented under what they
answer, late and inferred answers are marked in italics. Times are UTC: `17:07` on the
chat's day, `2026-11-21 06:10` on another. User text is escaped so that a post can neither
inject HTML nor break the list or a table (`*`, `_` at word edges, brackets, `<`, `>`, `|`, a
backslash or backtick, entities, and anything that would open a block on a new line).
"""

from __future__ import annotations

import re
from datetime import date

from hashchat.domain.recap import Entry, Figures, Transcript, walk_entries
from hashchat.formats.recap_common import (
    as_handle,
    chat_day,
    live_window_text,
    question_heading,
    readable_time,
    recap_title,
    summary_rows,
    web_url,
    without_trailing_tag,
)

INDENT = "  "
_UNSAFE_IN_LINK = re.compile(r"[\s<>]")  # an autolink destination holds none of these
_INLINE_SPECIAL = re.compile(r"[\\`*\[\]<>|~]|(?<![^\W_])_|_(?![^\W_])|&(?=#?\w+;)")
# what would open a heading, a list, or a setext underline at the start of a line
_BLOCK_START = re.compile(
    r"^(\s*)(#{1,6}(?=\s|$)|[-+](?=\s|$)|\d{1,9}[.)](?=\s|$)|[-=](?=[-=\s]*$))"
)


def escape_markdown(text: str) -> str:
    """Text that renders as itself inside a list item or a table cell."""
    escaped = _INLINE_SPECIAL.sub(lambda found: "\\" + found[0], text)
    return "\n".join(_BLOCK_START.sub(_escape_block_start, line) for line in escaped.split("\n"))


def _escape_block_start(found: re.Match[str]) -> str:
    indent, marker = found[1], found[2]
    if marker[0].isdigit():  # `1.` opens a list, `1\.` does not; `\1.` would still
        return f"{indent}{marker[:-1]}\\{marker[-1]}"
    return f"{indent}\\{marker}"


def render_markdown(transcript: Transcript, *, tag: str = "") -> str:
    """The recap as a Markdown document."""
    day = chat_day(transcript)
    figures = transcript.figures
    lines = [f"# {escape_markdown(recap_title(tag, transcript))}", ""]
    hosts = ", ".join(escape_markdown(as_handle(host)) for host in sorted(transcript.hosts))
    hosted = f", hosted by {hosts}" if hosts else ""
    lines += [f"Live {live_window_text(transcript)}{hosted}", ""]
    lines += _figures_section(figures, day)
    show_network = len(figures.networks) > 1
    pinned = transcript.spotlighted
    for thread in transcript.questions:
        question = thread.question
        heading = question_heading(question, without_trailing_tag(question.text, tag))
        lines += [f"## {escape_markdown(heading)}", ""]
        asked = f"Asked {readable_time(question.asked_at, day)} · " if question.asked_at else ""
        people = len({entry.post.author for entry in thread.answers})
        answers = _count(len(thread.answers), "answer")
        lines += [f"*{asked}{answers} from {_count(people, 'person')}*", ""]
        lines += [*_entry_lines(thread.answers, day, show_network, tag, pinned), ""]
    if transcript.conversation:
        lines += ["## Other conversation", ""]
        lines += [*_entry_lines(transcript.conversation, day, show_network, tag, pinned), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _figures_section(figures: Figures, day: date) -> list[str]:
    lines = ["## Figures", "", "| Figure | Value |", "| --- | ---: |"]
    rows = [(name, str(value)) for name, value in summary_rows(figures)]
    if figures.first_post_at and figures.last_post_at:
        rows.append(("First post (UTC)", readable_time(figures.first_post_at, day)))
        rows.append(("Last post (UTC)", readable_time(figures.last_post_at, day)))
    lines += [f"| {name} | {value} |" for name, value in rows]
    if figures.per_question:
        lines += ["", "| Question | Answers | People | Replies | Late | Inferred |"]
        lines += ["| --- | ---: | ---: | ---: | ---: | ---: |"]
        lines += [
            f"| Q{q.number} | {q.answers} | {q.people} | {q.replies} | {q.late} | {q.inferred} |"
            for q in figures.per_question
        ]
    if figures.top_contributors:
        lines += ["", "| Top contributor | Posts |", "| --- | ---: |"]
        for contributor in figures.top_contributors:
            name = escape_markdown(as_handle(contributor.author))
            host_mark = " (host)" if contributor.is_host else ""
            lines.append(f"| {name}{host_mark} | {contributor.posts} |")
    if figures.networks:
        lines += ["", "| Network | Posts | People |", "| --- | ---: | ---: |"]
        lines += [
            f"| {escape_markdown(n.network)} | {n.posts} | {n.people} |" for n in figures.networks
        ]
    return [*lines, ""]


def _entry_lines(
    entries: tuple[Entry, ...],
    day: date,
    show_network: bool,
    tag: str,
    spotlighted: frozenset[str] = frozenset(),
) -> list[str]:
    lines: list[str] = []
    for depth, entry in walk_entries(entries):
        indent = INDENT * depth
        meta = [f"**{escape_markdown(as_handle(entry.post.author))}**"]
        meta.append(readable_time(entry.post.created_at, day))
        if show_network:
            meta.append(escape_markdown(entry.post.network))
        original = web_url(entry.post.url)
        if original is not None and not _UNSAFE_IN_LINK.search(original):
            meta.append(f"[original](<{original}>)")
        if entry.post.id in spotlighted:
            meta.append("*spotlight*")
        if entry.late:
            meta.append("*late*")
        # a reply inherits its parent's question, part and inferred mark: shown once, on top
        if entry.inferred and depth == 0:
            meta.append("*inferred*")
        part = f"**{entry.attribution.part})** " if entry.attribution.part and depth == 0 else ""
        body = escape_markdown(without_trailing_tag(entry.text, tag)) or "*(no text)*"
        first, *rest = body.split("\n")
        lines.append(f"{indent}- {' · '.join(meta)} — {part}{first}")
        # a hard break ("  " then newline) keeps a post's own line breaks inside its bullet
        if rest:
            lines[-1] += "  "
            lines += [f"{indent}  {line}  " if line.strip() else "" for line in rest]
            lines[-1] = lines[-1].rstrip()
    return lines


def _count(number: int, noun: str) -> str:
    plural = "people" if noun == "person" else noun + "s"
    return f"{number} {noun if number == 1 else plural}"
