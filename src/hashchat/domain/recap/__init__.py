"""Recaps: the transcript of a chat with answers under their questions, and its figures."""

from hashchat.domain.recap.assemble import (
    LIVE_HOUR,
    RecapInputError,
    live_window,
    recap_chat,
    transcript_of_posts,
)
from hashchat.domain.recap.transcript import build_transcript, walk_entries
from hashchat.domain.recap.values import (
    MAX_REPLY_DEPTH,
    TOP_CONTRIBUTOR_COUNT,
    Contributor,
    Entry,
    Figures,
    NetworkCount,
    QuestionFigures,
    QuestionThread,
    SegmentKind,
    Transcript,
)

__all__ = [
    "LIVE_HOUR",
    "MAX_REPLY_DEPTH",
    "TOP_CONTRIBUTOR_COUNT",
    "Contributor",
    "Entry",
    "Figures",
    "NetworkCount",
    "QuestionFigures",
    "QuestionThread",
    "RecapInputError",
    "SegmentKind",
    "Transcript",
    "build_transcript",
    "live_window",
    "recap_chat",
    "transcript_of_posts",
    "walk_entries",
]
