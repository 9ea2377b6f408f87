"""What a chat's announcement says, wherever it goes (the series page, a calendar entry, the
host's blog): the zones its start is written in, the participation guide, and the announcement
post's parts (issue 12). Pure: the caller reads the series and the chat.
"""

from __future__ import annotations

from dataclasses import dataclass

# The announcement line names the host's zone and the zones most regulars read in.
USUAL_ZONES = ("Europe/London", "America/New_York", "America/Los_Angeles")

RULE_DESCRIPTIONS = {
    "x": "the way X counts (links 23, CJK and emoji 2)",
    "mastodon": "the way Mastodon counts (links 23, @user@server as @user)",
    "bluesky": "in graphemes, the way Bluesky counts",
}


def rule_description(char_rule: str) -> str:
    """How a series' character rule counts, in words for the participation guide."""
    return RULE_DESCRIPTIONS.get(char_rule.lower(), "in characters")


def announcement_zones(timezone: str, chosen: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The zones the host chose (settings), else the series' own zone first, then the usual
    ones it does not already cover."""
    if chosen:
        return chosen
    return (timezone, *(z for z in USUAL_ZONES if z != timezone))


def guide_text(tag: str, guide: str, char_limit: int, char_rule: str) -> str:
    """The participation guide: the host's words when she wrote them, then the rules in one
    paragraph."""
    rules = (
        f"Answer with the question's number first (A1 …) and end with #{tag}. "
        f"Limit: {char_limit} characters, counted {rule_description(char_rule)}."
    )
    return f"{guide}\n\n{rules}" if guide else rules


@dataclass(frozen=True, slots=True)
class Announcement:
    """A chat's announcement post: the title, the host's framing (`topic`), the start in the
    series' zones, where to join and how to add it to a calendar, how to take part, and the
    questions (shown when `reveal_questions`, else the post says they come live)."""

    tag: str
    title: str
    topic: str
    when: str
    room_url: str
    calendar_url: str
    guide: str
    questions: tuple[str, ...]
    reveal_questions: bool

    @property
    def post_title(self) -> str:
        """The blog post's title: `#KaizenBiz: Habits that stick`."""
        return f"#{self.tag}: {self.title}"


def announcement_slug(tag: str, chat_id: int) -> str:
    """The announcement post's slug: readable, and unique per chat (a publication that died
    halfway is found again by it)."""
    return f"{tag.lower()}-chat-{chat_id}"


def recap_slug(tag: str, chat_id: int) -> str:
    """The recap post's slug."""
    return f"{tag.lower()}-chat-{chat_id}-recap"
