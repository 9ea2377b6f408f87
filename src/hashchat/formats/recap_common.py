"""What every recap exporter shares: how times, authors and the flat list are written."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from hashchat.domain.chat import Question
from hashchat.domain.recap import Entry, Figures, Transcript

# The one home of the figures' names, for every readable recap: the page and the exports.
HIDDEN_LABEL = "Hidden by moderators"
NOT_ASKED = "not asked"


def web_url(url: str | None) -> str | None:
    """The url when it is an absolute http(s) address, else None (no `javascript:` links):
    how every readable recap links a post to its original."""
    if url is None:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in {"http", "https"} and parts.netloc else None


def summary_rows(figures: Figures) -> list[tuple[str, int]]:
    """The chat's figures as (name, value) rows, as the recap page and the exports show them."""
    return [
        ("Posts (not counting reposts)", figures.posts),
        ("Participants (not counting hosts)", figures.participants),
        ("Questions asked", figures.questions_asked),
        ("Answers", figures.answers),
        ("Late answers", figures.late_answers),
        ("Inferred answers", figures.inferred_answers),
        ("Reposts", figures.reposts),
        (HIDDEN_LABEL, figures.hidden),
    ]


def question_heading(question: Question, text: str) -> str:
    """`Q2. Where does time leak?`, or `Q3 (not asked)` for a number answered but never asked."""
    if question.asked_at is None:
        return f"Q{question.number} ({NOT_ASKED})"
    return f"Q{question.number}. {text}" if text else f"Q{question.number}"


def iso_utc(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a `Z` (None stays None), the way every export writes a time."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def chat_day(transcript: Transcript) -> date:
    """The UTC day the live hour started on: times on that day are shown without a date."""
    return transcript.window.started_at.astimezone(UTC).date()


def readable_time(moment: datetime, day: date) -> str:
    """`17:07` on the chat's day, `2026-11-21 06:10` on any other, always in UTC."""
    utc = moment.astimezone(UTC)
    if utc.date() == day:
        return utc.strftime("%H:%M")
    return utc.strftime("%Y-%m-%d %H:%M")


def as_handle(author: str) -> str:
    """An author as people write them: with one leading @."""
    return "@" + author.lstrip("@")


def without_trailing_tag(text: str, tag: str) -> str:
    """The text stripped, without the chat's own hashtag at its very end (the page names it).

    Only readable exports drop it; JSON and CSV keep every post's text exactly as written.
    """
    text = text.strip()
    if not tag:
        return text
    return re.sub(rf"(?:^|\s+){re.escape(tag)}$", "", text, flags=re.IGNORECASE)


def recap_title(tag: str, transcript: Transcript) -> str:
    """`#KaizenBiz recap, 2026-11-20` (the tag may be empty)."""
    day = chat_day(transcript).isoformat()
    return f"{tag} recap, {day}" if tag else f"Chat recap, {day}"


def live_window_text(transcript: Transcript) -> str:
    """`2026-11-20 17:06–18:06 UTC`, or open-ended when the chat has not ended."""
    window = transcript.window
    start = window.started_at.astimezone(UTC)
    if window.ended_at is None:
        return f"{start:%Y-%m-%d %H:%M} UTC onwards"
    return f"{start:%Y-%m-%d %H:%M}–{readable_time(window.ended_at, start.date())} UTC"


def flat_record(segment: Entry) -> dict[str, Any]:
    """One entry of the flat list: the post's own fields, then where this segment of it went.

    A post with several segments (`A1 & A2: …`) has one record per segment, all with the same
    `id`; `segment_text` is the segment's words, `text` the whole post.
    """
    post = segment.post
    attribution = segment.attribution
    return {
        "id": post.id,
        "author": post.author,
        "text": post.text,
        "created_at": iso_utc(post.created_at),
        "network": post.network,
        "reply_to": post.reply_to,
        "url": post.url,
        "is_repost": post.is_repost,
        "kind": segment.kind.value,
        "question": attribution.question,
        "part": attribution.part,
        "segment_text": attribution.text,
        "inferred": attribution.inferred,
        "late": attribution.late,
    }


def figures_sentence(figures: Figures) -> str:
    """A recap's figures in one sentence (the Atom feed's summary); questions are those asked."""
    return (
        f"{_count(figures.participants, 'person', 'people')}, {_count(figures.posts, 'post')}, "
        f"{_count(figures.answers, 'answer')} to {_count(figures.questions_asked, 'question')} "
        f"({figures.late_answers} late)."
    )


def _count(number: int, noun: str, plural: str = "") -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
