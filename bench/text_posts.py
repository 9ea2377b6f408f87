"""Deterministic, realistic tweet-chat posts for the text throughput bench.

Shaped on the chats described in shared/PRODUCT.md: mostly tagged answers (`A1: …`, `A2 -`,
`a3)`, sub-parts, `A1 & A2:`), replies that open with @mentions, the host's questions, short
greetings, a few long late comments holding several answers, manual retweets. On top of that:
some emoji (only ones that twitter-text-parser's Emoji 12.0 list also knows, so both sides
agree on every weighted length), some URLs with and without protocol, some Japanese/Chinese,
the chat hashtag almost everywhere and now and then a cashtag.
"""

from __future__ import annotations

import random

CHAT_TAG = "#KaizenBiz"
PEOPLE = [
    "coachsue",
    "mike_builds",
    "ana_ops",
    "DrLeeCFO",
    "jen",
    "kaizen_kim",
    "raj2020",
    "tomsbakery",
    "lisa_m",
    "OwenSells",
    "priya_hr",
    "bizbyben",
]
CLAUSES = [
    "I think the best way to grow is to listen to customers first",
    "we tried a weekly review with the whole team and it changed everything",
    "start small, measure, then double down on what works",
    "honestly our biggest win was saying no to the wrong clients",
    "cash flow is the thing nobody warns you about",
    "document the process before you hire for it",
    "we automated invoicing last year and got back a full day a week",
    "the hardest part is staying consistent when nobody is watching",
    "ask your best customers why they stayed, not only why others left",
    "a 15 minute stand-up on Mondays keeps everyone pointed the same way",
    "pricing is a positioning decision, not a math problem",
    "our Kanban board lives on the wall, people actually use it",
    "mentors saved me years of mistakes",
    "batch the admin work into one afternoon",
    "never underestimate a handwritten thank-you note",
    "we lost a big account and it forced us to diversify, best thing that happened",
    "hire for attitude, train for skill",
    "set one metric per quarter and ignore the rest",
    "customer interviews beat surveys every single time",
    "I block two hours every morning for deep work, phone in another room",
]
REACTIONS = [
    "Great point",
    "So true",
    "Love this",
    "Couldn't agree more",
    "This!",
    "Same here",
    "Interesting take",
    "Yes yes yes",
    "Stealing this idea",
    "Well said",
]
GREETINGS = [
    "Hi everyone, Sue from Leeds here, excited for tonight's chat",
    "Evening all! First time joining, small bakery owner from Ohio",
    "Hello from Sydney, it's 4am but I wouldn't miss it",
    "Lurking tonight but will jump in on Q3",
    "Thanks for hosting, always my favourite hour of the week",
]
QUESTIONS = [
    "What is one habit that made your business calmer this year?",
    "How do you decide what NOT to do?",
    "Which tool saved you the most time, and what did it replace?",
    "How do you keep your team aligned when everyone is remote?",
    "What would you tell yourself on day one?",
    "How do you measure whether a change actually worked?",
]
URLS = [
    "https://example.com/blog/kaizen-basics",
    "https://www.kaizenbiz.org/recap/2024-05-17",
    "http://bit.ly/3xYzAbc",
    "example.com/pricing",
    "https://t.co/Ab12Cd34Ef",
    "https://docs.example.co.uk/guides/weekly-review?utm_source=chat",
    "kaizen.blog",
]
EMOJI = ["😀", "👍", "🙌", "🎉", "💡", "🔥", "❤️", "👏🏽", "🚀", "✅", "🤔", "😂", "🙏", "💯", "👋"]
CJK = [
    "小さく始めて、測って、うまくいくことに集中する。",
    "顧客の声を聞くのが一番です",
    "我们每周复盘一次，效果很好",
    "팀과 매주 회고를 합니다",
]


def _sentences(rng: random.Random, target_length: int) -> str:
    parts: list[str] = []
    while sum(len(part) + 2 for part in parts) < target_length:
        clause = rng.choice(CLAUSES)
        parts.append(clause[0].upper() + clause[1:] if rng.random() < 0.7 else clause)
    return ". ".join(parts) + rng.choice([".", "!", "", "…"])


def _answer_tag(rng: random.Random, question: int) -> str:
    style = rng.random()
    if style < 0.45:
        return f"A{question}:"
    if style < 0.65:
        return f"A{question} -"
    if style < 0.75:
        return f"a{question})"
    if style < 0.85:
        return f"A{question}{rng.choice('ab')}:"
    if style < 0.93:
        return f"A{question} & A{question + 1}:"
    return f"A{question}."


def _decorate(rng: random.Random, body: str) -> str:
    if rng.random() < 0.3:
        body += " " + "".join(rng.choice(EMOJI) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.12:
        body += " " + rng.choice(URLS)
    if rng.random() < 0.06:
        body = rng.choice(CJK) + " " + body
    if rng.random() < 0.02:
        body += f" ${rng.choice(['AAPL', 'SHOP', 'TSLA'])}"
    if rng.random() < 0.92:
        body += f" {CHAT_TAG}"
    return body


def _post(rng: random.Random) -> str:
    question = rng.randint(1, 6)
    kind = rng.random()
    if kind < 0.45:
        body = f"{_answer_tag(rng, question)} {_sentences(rng, rng.randint(40, 230))}"
    elif kind < 0.70:
        mentions = " ".join(f"@{person}" for person in rng.sample(PEOPLE, rng.randint(1, 3)))
        tag = f"{_answer_tag(rng, question)} " if rng.random() < 0.4 else ""
        body = f"{mentions} {rng.choice(REACTIONS)}! {tag}{_sentences(rng, rng.randint(20, 160))}"
    elif kind < 0.77:
        body = f"Q{question} {rng.choice(QUESTIONS)}"
    elif kind < 0.90:
        body = rng.choice(GREETINGS)
    elif kind < 0.95:
        answers = [
            f"{_answer_tag(rng, number)} {_sentences(rng, rng.randint(60, 200))}"
            for number in sorted(rng.sample(range(1, 7), rng.randint(2, 4)))
        ]
        body = "Late to the party!\n\n" + "\n\n".join(answers)
    else:
        body = f"RT @{rng.choice(PEOPLE)}: {_answer_tag(rng, question)} {_sentences(rng, 80)}"
    return _decorate(rng, body)


def chat_posts(count: int, seed: int = 2024) -> list[str]:
    """`count` posts, the same ones for the same seed on every machine."""
    rng = random.Random(seed)
    return [_post(rng) for _ in range(count)]
