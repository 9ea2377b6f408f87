"""A chat's recap from its posts alone: questions from the hosts, the live hour, the transcript.

This is what an imported archive needs, where nothing but the posts is known. The live hour
starts at the first host question (or `started_at`), since a host's promotion posts hours
before would otherwise start it early. It ends at `ended_at`, else `duration` later: with the
default hour and Q1 at :06 the cut-off falls at :06 past the next hour, a few minutes lenient
on what counts as late, which is the kinder mistake.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from hashchat.domain.attribution import attribute_posts, questions_from_host_posts
from hashchat.domain.chat import ChatWindow, Post, Question, in_time_order
from hashchat.domain.recap.transcript import build_transcript
from hashchat.domain.recap.values import Transcript

LIVE_HOUR = timedelta(minutes=60)


class RecapInputError(ValueError):
    """The posts and options given cannot make a recap; the message says why."""


def live_window(
    posts: Sequence[Post],
    questions: Sequence[Question],
    hosts: frozenset[str],
    *,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    duration: timedelta = LIVE_HOUR,
) -> ChatWindow:
    """The live hour: from `started_at`, the first asked question or the first post; to
    `ended_at` or `duration` after the start. Raises RecapInputError when it would be empty."""
    if duration <= timedelta(0):
        raise RecapInputError("the live hour's duration must be positive")
    if started_at is None:
        asked = [q.asked_at for q in questions if q.asked_at is not None]
        if asked:
            started_at = min(asked)
        elif posts:
            started_at = min(post.created_at for post in posts)
        else:
            raise RecapInputError("there are no posts to take the start of the chat from")
    end = ended_at if ended_at is not None else started_at + duration
    if end <= started_at:
        raise RecapInputError(
            f"the live hour must end after it starts ({end.isoformat()} is not after "
            f"{started_at.isoformat()})"
        )
    return ChatWindow(started_at=started_at, ended_at=end, hosts=hosts)


def recap_chat(
    posts: Sequence[Post],
    hosts: frozenset[str],
    *,
    hidden_ids: frozenset[str] = frozenset(),
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    duration: timedelta = LIVE_HOUR,
) -> Transcript:
    """The transcript of a chat known only by its posts and its hosts' handles.

    Hidden posts are left out as `transcript_of_posts` says. Raises RecapInputError when
    there are no posts or no host question posts, which nearly always means a wrong `--host`.
    """
    if not posts:
        raise RecapInputError("there are no posts")
    # in the order given: posts are laid out in memory in file order, and this pass touches
    # every post only to skip nearly all of them, four times faster when read in that order
    questions = questions_from_host_posts(
        [post for post in posts if post.id not in hidden_ids] if hidden_ids else posts, hosts
    )
    if not questions:
        named = ", ".join(sorted(hosts)) or "(none)"
        raise RecapInputError(
            f"no question posts (Q1, Q2, …) from the host(s) {named}; check the handles"
        )
    visible = [post for post in posts if post.id not in hidden_ids] if hidden_ids else posts
    window = live_window(
        visible, questions, hosts, started_at=started_at, ended_at=ended_at, duration=duration
    )
    return transcript_of_posts(posts, questions, window, hidden_ids)


def transcript_of_posts(
    posts: Sequence[Post],
    questions: Sequence[Question],
    window: ChatWindow,
    hidden_ids: frozenset[str] = frozenset(),
    question_replies: Mapping[str, int] | None = None,
) -> Transcript:
    """The one recap pipeline, for an archive (`recap_chat`) and for a stored chat alike.

    Hidden posts are left out before attribution (a reply to spam must not inherit its
    guessed question) and then from the transcript; `window.hosts` are the hosts;
    `question_replies` names the posts that reply to a question's own post on a network
    (post id → question; see `attribute_posts`). The
    server stores the result's segments (`actions.segments`) and reads them back through
    `build_transcript`, so both give the same transcript for the same posts.
    """
    ordered = in_time_order(posts)
    visible = [post for post in ordered if post.id not in hidden_ids] if hidden_ids else ordered
    attributions = attribute_posts(visible, questions, window, question_replies=question_replies)
    return build_transcript(ordered, attributions, questions, window, window.hosts, hidden_ids)
