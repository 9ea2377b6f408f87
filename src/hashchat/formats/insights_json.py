"""The insights as JSON-ready data: the one shape of the API, the page and the report."""

from __future__ import annotations

from typing import Any

from hashchat.actions.insights import SeriesInsights
from hashchat.domain.insights import CadenceGroup, ChatFigures, Estimate

# One sentence per metric, shown beside each number on the page and in the report
# (docs/decisions.md, "Issue 13", holds the same sentences).
DEFINITIONS: dict[str, str] = {
    "participants": "People who wrote at least one visible post in the chat; reposts, likes, "
    "hidden posts and the chat's hosts do not count.",
    "newcomers": "Participants whose first chat in this series this is.",
    "returning": "Participants who came to an earlier chat of this series.",
    "answers": "Answer segments: a post answering A1 and A2 counts two; a host's tagged "
    "answer counts too.",
    "late": "Answer segments written after the live hour ended.",
    "late_share": "Late answers divided by all answers.",
    "reposts": "Reposts of the chat's posts: kept, shown, never participation.",
    "posts": "Visible posts that are not reposts, hosts' included.",
    "host_share": "The hosts' share of the chat's posts.",
    "replies": "Reply segments: posts that reply to a post rather than answer a question.",
    "conversations": "Posts with at least one visible direct reply by someone else.",
    "minutes_to_first_answer": "Minutes from a question being asked to its first answer "
    "(in one chat's figures).",
    "people": "Distinct people who took part in any chat of the series (hosts apart).",
    "answers_per_participant": "All answers divided by the sum of each chat's participants.",
    "returning_rate": "Of the people in the last n chats, the share who came to at least k "
    "of them (with its 95% Wilson interval).",
    "regulars": "People who came to at least k of the last n chats.",
    "cohorts": "People grouped by the month of their first chat, and how many of them came in "
    "each month since.",
    "answered_share": "The share of a network's participants who answered at least one question.",
    "network_people": "Distinct participants who posted from that network.",
    "cadence": "Mean participants and answers per chat for chats that share a schedule trait, "
    "with a 95% interval; under 5 chats the group is marked 'n is small'.",
    "network_focus": "Per network: people, the share who answered, the share who came to two "
    "or more chats, against questions the hosts posted there and their replies there.",
}


def estimate(value: Estimate, digits: int = 3) -> dict[str, Any]:
    """An estimate with its interval and whether n is small."""
    return {
        "value": round(value.value, digits),
        "low": round(value.low, digits),
        "high": round(value.high, digits),
        "n": value.n,
        "small": value.small,
    }


def chat_document(chat: ChatFigures) -> dict[str, Any]:
    """One chat's figures, as in the API's `chats` list."""
    return {
        "chat_id": chat.chat_id,
        "title": chat.title,
        "starts_at": chat.starts_at.isoformat().replace("+00:00", "Z"),
        "closed": chat.closed,
        "participants": chat.participants,
        "newcomers": chat.newcomers,
        "returning": chat.returning,
        "answers": chat.answers,
        "late": chat.late,
        "late_share": round(chat.late_share, 3),
        "reposts": chat.reposts,
        "posts": chat.posts,
        "host_posts": chat.host_posts,
        "host_share": round(chat.host_share, 3),
        "replies": chat.replies,
        "conversations": chat.conversations,
        "hidden": chat.hidden,
        "hosts": len(chat.hosts),
        "questions": [
            {
                "number": q.number,
                "answers": q.answers,
                "late": q.late,
                "minutes_to_first_answer": q.minutes_to_first_answer,
                "answers_by_minute": {str(m): c for m, c in q.answers_by_minute.items()},
            }
            for q in chat.questions
        ],
        "per_network": {
            network: {
                "people": n.people,
                "answers": n.answers,
                "replies": n.replies,
                "answered_share": round(n.answered_share, 3),
            }
            for network, n in chat.per_network.items()
        },
        "posts_by_minute": {str(m): c for m, c in chat.posts_by_minute.items()},
    }


def _groups(groups: tuple[CadenceGroup, ...]) -> list[dict[str, Any]]:
    return [
        {
            "label": g.label,
            "chats": g.chats,
            "participants": estimate(g.participants, 1),
            "answers": estimate(g.answers, 1),
        }
        for g in groups
    ]


def insights_document(insights: SeriesInsights) -> dict[str, Any]:
    """The series' figures: `chats` in time order and `series` (totals, cohorts, verdicts).
    Names (regulars, cohort members) only when the reader may see them."""
    f = insights.figures
    names = insights.names

    def named(persons: frozenset[str]) -> list[str]:
        assert names is not None
        return sorted(names.get(p, p) for p in persons)

    t = f.thresholds
    series: dict[str, Any] = {
        "tag": insights.tag,
        "title": insights.title,
        "timezone": insights.timezone,
        "settings": {
            "return_k": t.return_k,
            "return_n": t.return_n,
            "trend_run": t.trend_run,
            "tumbleweed_participants": t.tumbleweed_participants,
            "tumbleweed_network_people": t.tumbleweed_network_people,
        },
        "totals": {
            "chats": len(f.chats),
            "people": f.people,
            "participations": f.participations,
            "posts": f.posts,
            "answers": f.answers,
            "answers_per_participant": f.answers_per_participant,
            "late": f.late,
            "reposts": f.reposts,
        },
        "returning": {
            "k": t.return_k,
            "n": t.return_n,
            "regulars": len(f.regulars),
            "rate": estimate(f.returning_rate),
        },
        "cohorts": [
            {
                "month": c.month,
                "size": c.size,
                "active": dict(c.active),
                **({"people": named(c.members)} if names is not None else {}),
            }
            for c in f.cohorts
        ],
        "verdicts": list(f.verdicts),
        "alerts": list(f.alerts),
        "cadence": {
            "by_gap": _groups(f.by_gap),
            "by_hour": _groups(f.by_hour),
            "by_month": _groups(f.by_month),
        },
        "networks": [
            {
                "network": n.network,
                "people": n.people,
                "answered": estimate(n.answerers),
                "returned": estimate(n.returners),
                "questions_posted": n.questions_posted,
                "host_replies": n.host_replies,
            }
            for n in f.networks
        ],
    }
    if names is not None:
        series["regulars"] = named(f.regulars)
    return {"chats": [chat_document(c) for c in f.chats], "series": series}
