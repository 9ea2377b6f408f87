"""A bundled sample chat: one hour of #KaizenBiz, to try the recap and the room without an archive.

The chat is invented but written the way people really post: every answer convention of the
format, replies two deep, untagged answers, look-alikes that are not tags, a late answer from
Auckland the next morning, reposts, two spam posts the host hid, and posts from X, Mastodon
and Bluesky. Friday 2026-11-20, 17:00–18:00 UTC, questions at :06 and every nine minutes.
"""

from __future__ import annotations

from pathlib import Path

from hashchat.formats.posts_jsonl import PostsFile, read_posts_jsonl

SAMPLE_CHAT_PATH = Path(__file__).resolve().with_name("kaizenbiz.jsonl")
SAMPLE_TAG = "#KaizenBiz"
SAMPLE_HOST = "kaizencoach"
SAMPLE_CO_HOST = "leanlaura"


def load_sample_chat() -> PostsFile:
    """The sample chat's posts in file order, with the ids of the spam posts the host hid."""
    return read_posts_jsonl(SAMPLE_CHAT_PATH)
