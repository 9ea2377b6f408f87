"""What the compose box adds to a participant's text, and the host's automatic posts.

The browser applies the same rule while typing; the server applies it again on `auto: true`
and re-validates the result, so a post is never cut and never silently changed otherwise.
"""

from __future__ import annotations

import re

from hashchat.domain.text.answers import parse_answers


def has_hashtag(text: str, tag: str) -> bool:
    """True when `text` carries `#tag` (case-insensitive, not as the prefix of a longer tag)."""
    bare = tag.lstrip("#")
    pattern = rf"(?<![\w#])#{re.escape(bare)}(?!\w)"
    return re.search(pattern, text, flags=re.IGNORECASE) is not None


def compose_post(
    text: str,
    current_question: int | None,
    tag: str,
    *,
    is_reply: bool = False,
    by_host: bool = False,
) -> str:
    """`text` with `A{n} ` in front when it answers no question and one is current,
    and ` #tag` at the end when the series hashtag is missing. Leading @mentions stay first.

    A reply gets no answer tag: an untagged reply belongs to the post it replies to, so tagging
    it with the current question would pull it out of its thread. A host's post gets none
    either: the hosts' comments are never answers unless the host tags one herself.
    """
    composed = text.strip()
    wants_tag = current_question is not None and not is_reply and not by_host
    if wants_tag and not parse_answers(composed):
        mentions = re.match(r"(?:@[\w.@-]+\s+)*", composed)
        cut = mentions.end() if mentions else 0
        composed = f"{composed[:cut]}A{current_question} {composed[cut:]}"
    if tag and not has_hashtag(composed, tag):
        composed = f"{composed} #{tag.lstrip('#')}"
    return composed


def welcome_text(tag: str, title: str, question_count: int) -> str:
    """The host's opening post of a chat."""
    return (
        f"Welcome to #{tag}! Today: {title}. "
        f"{question_count} questions are coming; say hello and tell us where you join from."
    )


def howto_text(tag: str) -> str:
    """The host's how-to post: the answer-tag convention and the hashtag."""
    return (
        f"How it works: questions come as Q1, Q2… Answer with A1, A2… and add #{tag} "
        "so everyone sees your answer."
    )
