"""A seeded corpus of posts as they come from the wild, for the text throughput bench (issue 10).

The chat posts of `text_posts` are mostly plain Latin text. Posts imported from X, Mastodon or
Bluesky are not: here a third carry a URL (with and without a protocol, with paths, queries and
fragments), a tenth are written in another script (CJK, Arabic, Cyrillic or Devanagari), emoji
appear throughout (plain ones, presentation selectors, skin tones, ZWJ sequences such as
families, professions and flags), and mentions, hashtags (some non-Latin) and answer tags
appear at their usual rates. Every emoji is in twitter-text-parser's Emoji 12.0 list, so both
sides of the bench must agree on every weighted length.
"""

from __future__ import annotations

import random

from text_posts import CHAT_TAG, CLAUSES, PEOPLE, REACTIONS, chat_posts

URLS = [
    "https://example.com/blog/kaizen-basics",
    "https://www.kaizenbiz.org/recap/2024-05-17",
    "http://bit.ly/3xYzAbc",
    "example.com/pricing",
    "https://t.co/Ab12Cd34Ef",
    "https://docs.example.co.uk/guides/weekly-review?utm_source=chat&utm_medium=social",
    "kaizen.blog",
    "https://github.com/example/project/pull/1234#discussion_r1",
    "www.news.example.net/2024/05/17/small-business-week.html",
    "https://youtu.be/dQw4w9WgXcQ?t=42",
    "https://en.wikipedia.org/wiki/Kaizen_(business)",
    "https://mastodon.social/@coachsue/112233445566778899",
]
EMOJI = [
    "😀",
    "👍",
    "🙌",
    "🎉",
    "💡",
    "🔥",
    "❤️",
    "🚀",
    "✅",
    "🤔",
    "😂",
    "🙏",
    "💯",
    "👋",
    "☕",
    "✨",
    "⭐",
]
SKIN_TONES = ["🏻", "🏼", "🏽", "🏾", "🏿"]
TONABLE = ["👍", "👏", "🙌", "👋", "🙏", "💪", "✌️"]
ZWJ_SEQUENCES = [
    "👨‍👩‍👧‍👦",
    "👩‍💻",
    "👨‍🍳",
    "👩‍🔬",
    "🏳️‍🌈",
    "🧑‍🤝‍🧑",
    "👩🏽‍💻",
    "👨🏾‍🍳",
    "🤦‍♀️",
    "🤷🏻‍♂️",
    "👁️‍🗨️",
]
FLAGS = ["🇬🇧", "🇺🇸", "🇯🇵", "🇮🇳", "🇧🇷", "🇩🇪"]
FOREIGN = {
    "cjk": [
        "小さく始めて、測って、うまくいくことに集中する",
        "顧客の声を聞くのが一番です。毎週ふりかえりをしています",
        "我们每周复盘一次，效果很好，团队也更有动力",
        "팀과 매주 회고를 합니다. 작은 개선이 쌓입니다",
    ],
    "arabic": [
        "أفضل طريقة للنمو هي الاستماع إلى العملاء أولاً",
        "جربنا مراجعة أسبوعية مع الفريق وغيرت كل شيء",
        "التدفق النقدي هو الشيء الذي لا يحذرك منه أحد",
    ],
    "cyrillic": [
        "Лучший способ расти — сначала слушать клиентов",
        "Мы проводим еженедельный разбор с командой, и это всё изменило",
        "Начните с малого, измеряйте и усиливайте то, что работает",
    ],
    "devanagari": [
        "बढ़ने का सबसे अच्छा तरीका पहले ग्राहकों को सुनना है",
        "हमने टीम के साथ साप्ताहिक समीक्षा शुरू की और सब कुछ बदल गया",
        "छोटे से शुरू करें, मापें, फिर जो काम करे उस पर ध्यान दें",
    ],
}
FOREIGN_TAGS = {
    "cjk": ["#カイゼン", "#小企业"],
    "arabic": ["#ريادة_الأعمال"],
    "cyrillic": ["#бизнес", "#кайдзен"],
    "devanagari": ["#व्यापार"],
}
HASHTAGS = ["#smallbiz", "#leadership", "#productivity", "#startups", "#CX", "#remotework"]


def _emoji(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.55:
        return rng.choice(EMOJI)
    if kind < 0.75:
        base = rng.choice(TONABLE)
        return base.replace("\ufe0f", "") + rng.choice(SKIN_TONES)
    if kind < 0.93:
        return rng.choice(ZWJ_SEQUENCES)
    return rng.choice(FLAGS)


def _emojis(rng: random.Random) -> str:
    return "".join(_emoji(rng) for _ in range(rng.randint(1, 3)))


def _latin(rng: random.Random) -> str:
    body = rng.choice(CLAUSES)
    for _ in range(rng.randint(0, 2)):
        body += ". " + rng.choice(CLAUSES).capitalize()
    if rng.random() < 0.3:
        body = f"{rng.choice(REACTIONS)} {_emojis(rng)} {body}"
    return body


def _post(rng: random.Random) -> str:
    foreign = rng.random() < 0.10
    if foreign:
        script = rng.choice(sorted(FOREIGN))
        words = [rng.choice(FOREIGN[script]) for _ in range(rng.randint(1, 2))]
        body = " ".join(words)
        tags = [rng.choice(FOREIGN_TAGS[script])]
    else:
        body = _latin(rng)
        tags = []
    if rng.random() < 0.35:
        body = f"A{rng.randint(1, 6)}: {body}"
    if rng.random() < 0.35:
        mentions = " ".join(f"@{person}" for person in rng.sample(PEOPLE, rng.randint(1, 3)))
        body = f"{mentions} {body}"
    if rng.random() < 0.6:  # emoji throughout: in the middle of the text, not only at its end
        words = body.split(" ")
        at = rng.randint(1, max(1, len(words) - 1))
        body = " ".join([*words[:at], _emojis(rng), *words[at:]])
    if rng.random() < 1 / 3:
        body += " " + rng.choice(URLS)
    if rng.random() < 0.3:
        tags.append(rng.choice(HASHTAGS))
    if rng.random() < 0.85:
        tags.append(CHAT_TAG)
    if rng.random() < 0.4:
        tags.append(_emojis(rng))
    return " ".join([body, *tags])


def realistic_posts(count: int, seed: int = 2026) -> list[str]:
    """`count` posts, the same ones for the same seed on every machine."""
    rng = random.Random(seed)
    return [_post(rng) for _ in range(count)]


__all__ = ["chat_posts", "realistic_posts"]
