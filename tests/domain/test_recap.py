"""The transcript: answers under questions, replies nested, conversation apart, and the figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hashchat.domain.attribution import attribute_posts, questions_from_host_posts
from hashchat.domain.chat import Attribution, ChatWindow, Post, Question
from hashchat.domain.recap import (
    MAX_REPLY_DEPTH,
    Entry,
    RecapInputError,
    SegmentKind,
    Transcript,
    build_transcript,
    live_window,
    recap_chat,
    walk_entries,
)

HOSTS = frozenset({"kaizencoach"})
START = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


def at(minute: float) -> datetime:
    return START + timedelta(minutes=minute)


def post(
    post_id: str,
    minute: float,
    text: str,
    author: str = "tom",
    reply_to: str | None = None,
    network: str = "x",
    is_repost: bool = False,
) -> Post:
    return Post(post_id, author, text, at(minute), network, reply_to, is_repost=is_repost)


def transcript_of(posts: list[Post], hidden: frozenset[str] = frozenset()) -> Transcript:
    """The whole pipeline as an archive import runs it: window 17:06–18:06."""
    return recap_chat(posts, HOSTS, hidden_ids=hidden)


def ids(entries: tuple[Entry, ...]) -> list[str]:
    return [entry.post.id for entry in entries]


def shape(entries: tuple[Entry, ...]) -> list[tuple[int, str]]:
    return [(depth, entry.post.id) for depth, entry in walk_entries(entries)]


QUESTIONS = [
    post("q1", 6, "Q1 What paid off? #KaizenBiz", "kaizencoach"),
    post("q2", 15, "Q2 Where does time leak? #KaizenBiz", "kaizencoach"),
]


def test_answers_sit_under_their_questions_in_time_order() -> None:
    transcript = transcript_of(
        [
            *QUESTIONS,
            post("b", 8, "A1: invoices the same day", "lucy"),
            post("a", 7, "A1 photos of every job", "tom"),
            post("c", 16, "a2 email, always email", "ivy"),
            post("d", 17, "A1 & A2: a kiln schedule", "jo"),
        ]
    )
    (q1, q2) = transcript.questions
    assert (q1.question.number, q1.question.text, q1.question.asked_at) == (
        1,
        "What paid off? #KaizenBiz",
        at(6),
    )
    assert ids(q1.answers) == ["a", "b", "d"]
    assert ids(q2.answers) == ["c", "d"]
    assert q2.answers[1].text == "a kiln schedule"
    assert transcript.conversation == ()


def test_replies_nest_recursively_and_in_time_order() -> None:
    transcript = transcript_of(
        [
            *QUESTIONS,
            post("a", 7, "A1 photos of every job"),
            post("r2", 9, "second reply", "pia", reply_to="a"),
            post("r1", 8, "first reply", "pia", reply_to="a"),
            post("r11", 10, "reply to the first reply", "tom", reply_to="r1"),
        ]
    )
    assert shape(transcript.questions[0].answers) == [(0, "a"), (1, "r1"), (2, "r11"), (1, "r2")]


def test_a_reply_to_a_multi_segment_post_nests_under_the_segment_it_inherits() -> None:
    posts = [
        *QUESTIONS,
        post("d", 17, "A1 & A2: a kiln schedule", "jo"),
        post("r", 18, "love it", "laura", "d"),
    ]
    transcript = transcript_of(posts)
    (q1, q2) = transcript.questions
    assert shape(q1.answers) == [(0, "d"), (1, "r")]
    assert shape(q2.answers) == [(0, "d")]


def test_a_tagged_reply_is_an_answer_of_its_own_question() -> None:
    transcript = transcript_of(
        [
            *QUESTIONS,
            post("a2a", 16, "A2a driving back for a fitting"),
            post("a2b", 16.5, "A2b a van stock checklist", reply_to="a2a"),
            post("x", 17, "A1 and I forgot: photos!", reply_to="a2a"),
        ]
    )
    (q1, q2) = transcript.questions
    assert shape(q2.answers) == [(0, "a2a"), (0, "a2b")]
    assert [entry.attribution.part for entry in q2.answers] == ["a", "b"]
    assert q2.answers[1].post.reply_to == "a2a"
    assert shape(q1.answers) == [(0, "x")]


def test_late_and_inferred_answers_stay_under_their_question_marked() -> None:
    transcript = transcript_of(
        [
            *QUESTIONS,
            post("inferred", 9, "Mine: I stopped quoting on the phone", "sam"),
            post("late", 60 * 14, "A1 Quoting from a template", "nikora", network="bluesky"),
            post("late-reply", 60 * 15, "genius", "ana", reply_to="late"),
        ]
    )
    answers = transcript.questions[0].answers
    assert [(e.post.id, e.inferred, e.late) for e in answers] == [
        ("inferred", True, False),
        ("late", False, True),
    ]
    assert [(r.post.id, r.late) for r in answers[1].replies] == [("late-reply", True)]
    figures = transcript.figures
    assert (figures.late_answers, figures.inferred_answers) == (1, 1)
    assert [(q.number, q.answers, q.late, q.inferred, q.replies) for q in figures.per_question] == [
        (1, 2, 1, 1, 1),
        (2, 0, 0, 0, 0),
    ]


def test_conversation_nests_too_and_question_posts_are_neither() -> None:
    transcript = transcript_of(
        [
            post("welcome", 0, "Welcome to #KaizenBiz!", "kaizencoach"),
            post("hi", 1, "Hi from Leeds", reply_to="welcome"),
            post("hi-back", 2, "Hi Tom!", "kaizencoach", reply_to="hi"),
            *QUESTIONS,
            post("untagged-to-q1", 7, "Photos of every job", "bea", reply_to="q1"),
        ]
    )
    assert shape(transcript.conversation) == [(0, "welcome"), (1, "hi"), (2, "hi-back")]
    assert shape(transcript.questions[0].answers) == [(0, "untagged-to-q1")]
    kinds = {segment.post.id: segment.kind for segment in transcript.segments}
    assert kinds == {
        "welcome": SegmentKind.CONVERSATION,
        "hi": SegmentKind.REPLY,
        "hi-back": SegmentKind.REPLY,
        "q1": SegmentKind.QUESTION,
        "q2": SegmentKind.QUESTION,
        "untagged-to-q1": SegmentKind.ANSWER,
    }
    assert transcript.figures.answers == 1


def test_the_flat_list_has_every_visible_post_once_per_segment_in_time_order() -> None:
    transcript = transcript_of(
        [
            *QUESTIONS,
            post("d", 17, "A1 & A2: a kiln schedule", "jo"),
            post("rt", 18, "RT @jo: A1", "ken", is_repost=True),
        ]
    )
    assert [(s.post.id, s.attribution.question, s.kind) for s in transcript.segments] == [
        ("q1", 1, SegmentKind.QUESTION),
        ("q2", 2, SegmentKind.QUESTION),
        ("d", 1, SegmentKind.ANSWER),
        ("d", 2, SegmentKind.ANSWER),
        ("rt", None, SegmentKind.REPOST),
    ]


def test_figures_count_people_who_wrote_not_reposts_or_hosts() -> None:
    transcript = transcript_of(
        [
            *QUESTIONS,
            post("a", 7, "A1 photos", "tom", network="x"),
            post("b", 8, "A1 invoices", "rosa@mastodon.social", network="mastodon"),
            post("c", 9, "great", "tom", reply_to="b", network="x"),
            post("rt", 10, "RT @tom: A1 photos", "ken", is_repost=True),
            post("hi", 11, "thanks all", "leanlaura", reply_to="a", network="bluesky"),
        ]
    )
    figures = transcript.figures
    assert figures.posts == 6  # two questions and four posts; the repost is apart
    assert figures.reposts == 1
    assert figures.participants == 3  # tom, rosa, leanlaura; not ken, not the host
    assert [(n.network, n.posts) for n in figures.networks] == [
        ("x", 4),
        ("bluesky", 1),
        ("mastodon", 1),
    ]
    assert [(c.author, c.posts, c.is_host) for c in figures.top_contributors] == [
        ("kaizencoach", 2, True),
        ("tom", 2, False),
        ("leanlaura", 1, False),
        ("rosa@mastodon.social", 1, False),
    ]
    assert (figures.first_post_at, figures.last_post_at) == (at(6), at(15))
    assert figures.per_question[0].people == 2


def test_people_are_counted_per_network_hosts_and_reposts_apart() -> None:
    transcript = transcript_of(
        [
            *QUESTIONS,  # the host's two question posts, on x
            post("a", 7, "A1 photos", "tom", network="x"),
            post("b", 8, "A1 invoices", "rosa@mastodon.social", network="mastodon"),
            post("c", 9, "A2 same", "tom", network="x"),
            post("d", 10, "A1 me too", "tom.bsky.social", network="bluesky"),
            post("e", 11, "A2 and me", "ana.bsky.social", network="bluesky"),
            post("f", 12, "A2 and rosa here too", "rosa", network="bluesky"),
            post("rt", 13, "RT @tom: A1 photos", "ken", network="mastodon", is_repost=True),
        ]
    )
    assert [(n.network, n.posts, n.people) for n in transcript.figures.networks] == [
        ("x", 4, 1),  # tom; the host's questions are posts, not people
        ("bluesky", 3, 3),
        ("mastodon", 1, 1),  # rosa; ken only reposted
    ]


def test_top_contributors_are_ten_and_break_ties_by_name() -> None:
    posts = [*QUESTIONS]
    for number, name in enumerate(
        ["mo", "Bea", "al", "zed", "Cal", "dan", "eve", "fay", "gus", "hal", "ivy", "jo"]
    ):
        posts += [
            post(f"{name}-{n}", 20 + number + n / 10, "A2 yes", name)
            for n in range(1 + (name == "zed"))
        ]
    top = transcript_of(posts).figures.top_contributors
    assert [c.author for c in top] == [
        "kaizencoach",
        "zed",
        "al",
        "Bea",
        "Cal",
        "dan",
        "eve",
        "fay",
        "gus",
        "hal",
    ]


def test_hidden_posts_are_left_out_of_everything() -> None:
    transcript = transcript_of(
        [
            *QUESTIONS,
            post("spam", 20, "Make $5,000/week! https://bit.ly/x #KaizenBiz", "bot"),
            post("a", 21, "A2 email"),
            post("reply-to-spam", 22, "A2 lol no", "pia", reply_to="spam"),
        ],
        hidden=frozenset({"spam"}),
    )
    assert "spam" not in {segment.post.id for segment in transcript.segments}
    assert ids(transcript.questions[1].answers) == ["a", "reply-to-spam"]
    figures = transcript.figures
    assert (figures.hidden, figures.posts, figures.participants) == (1, 4, 2)
    assert "bot" not in {c.author for c in figures.top_contributors}


def test_an_answer_to_a_question_never_asked_keeps_its_own_section() -> None:
    transcript = transcript_of([*QUESTIONS, post("a7", 20, "A7 wrong number, right idea")])
    assert [(t.question.number, t.question.text, ids(t.answers)) for t in transcript.questions] == [
        (1, "What paid off? #KaizenBiz", []),
        (2, "Where does time leak? #KaizenBiz", []),
        (7, "", ["a7"]),
    ]


def test_a_post_without_attribution_is_conversation() -> None:
    posts = [post("lonely", 3, "hello")]
    window = ChatWindow(at(6), at(66), HOSTS)
    transcript = build_transcript(posts, [], [Question(1, "x", at(6))], window, HOSTS)
    assert ids(transcript.conversation) == ["lonely"]
    assert transcript.conversation[0].text == "hello"


def test_multi_segment_post_counts_once_as_a_post() -> None:
    posts = [post("long", 70, "A1 x\nA3 y\nA4 z", "nikora")]
    attributions = [
        Attribution("long", n, None, t, late=True) for n, t in [(1, "x"), (3, "y"), (4, "z")]
    ]
    window = ChatWindow(at(6), at(66), HOSTS)
    transcript = build_transcript(posts, attributions, [], window, HOSTS)
    assert [t.question.number for t in transcript.questions] == [1, 3, 4]
    assert (
        transcript.figures.posts,
        transcript.figures.answers,
        transcript.figures.late_answers,
    ) == (1, 3, 3)


def test_a_runaway_thread_continues_flat_at_the_depth_limit_without_recursion() -> None:
    chain = [post("p0", 7, "A1 start")]
    chain += [post(f"p{n}", 7 + n / 1000, "and?", reply_to=f"p{n - 1}") for n in range(1, 3000)]
    transcript = transcript_of([*QUESTIONS, *chain])
    walked = walk_entries(transcript.questions[0].answers)
    assert len(walked) == 3000
    assert max(depth for depth, _ in walked) == MAX_REPLY_DEPTH
    assert [depth for depth, _ in walked[: MAX_REPLY_DEPTH + 3]] == [
        *range(MAX_REPLY_DEPTH + 1),
        MAX_REPLY_DEPTH,
        MAX_REPLY_DEPTH,
    ]


def test_live_window_starts_at_the_first_question_and_lasts_an_hour() -> None:
    questions = questions_from_host_posts(QUESTIONS, HOSTS)
    window = live_window(QUESTIONS, questions, HOSTS)
    assert (window.started_at, window.ended_at, window.hosts) == (at(6), at(66), HOSTS)
    assert live_window(QUESTIONS, questions, HOSTS, duration=timedelta(minutes=30)).ended_at == at(
        36
    )
    assert live_window(
        QUESTIONS, questions, HOSTS, started_at=at(0), ended_at=at(60)
    ).ended_at == at(60)
    assert live_window([post("a", 3, "hi")], [], HOSTS).started_at == at(3)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: recap_chat([], HOSTS), "there are no posts"),
        (lambda: recap_chat(QUESTIONS, frozenset({"someone"})), "no question posts"),
        (lambda: recap_chat(QUESTIONS, HOSTS, ended_at=at(2)), "must end after it starts"),
        (lambda: recap_chat(QUESTIONS, HOSTS, duration=timedelta(0)), "must be positive"),
        (lambda: live_window([], [], HOSTS), "no posts"),
    ],
)
def test_bad_recap_input_says_why(call: object, message: str) -> None:
    with pytest.raises(RecapInputError, match=message):
        call()  # type: ignore[operator]


def test_the_transcript_matches_attribute_posts_directly() -> None:
    posts = [*QUESTIONS, post("a", 7, "A1 photos"), post("b", 9, "untagged in the hour")]
    questions = questions_from_host_posts(posts, HOSTS)
    window = ChatWindow(at(6), at(66), HOSTS)
    transcript = build_transcript(
        posts, attribute_posts(posts, questions, window), questions, window, HOSTS
    )
    assert transcript == transcript_of(posts)


def test_entries_are_immutable_values() -> None:
    transcript = transcript_of([*QUESTIONS, post("a", 7, "A1 photos")])
    (entry,) = transcript.questions[0].answers
    with pytest.raises(AttributeError):
        entry.kind = SegmentKind.REPLY  # type: ignore[misc]
    assert entry == Entry(entry.post, entry.attribution, SegmentKind.ANSWER)
    assert (entry.text, entry.late, entry.inferred, entry.replies) == ("photos", False, False, ())


def test_attributions_listed_out_of_post_order_are_still_found() -> None:
    posts = [
        post("q1", 6, "Q1 What paid off?", "kaizencoach"),
        post("a", 7, "A1 & A2: photos"),
        post("r", 8, "same here", "pia", reply_to="a"),
    ]
    attributions = attribute_posts(posts, [Question(1, "What paid off?", at(6))], None)
    window = ChatWindow(at(6), at(66), HOSTS)
    questions = [Question(1, "What paid off?", at(6))]
    in_order = build_transcript(posts, attributions, questions, window, HOSTS)
    shuffled = build_transcript(posts, attributions[::-1], questions, window, HOSTS)
    assert shape(shuffled.questions[0].answers) == shape(in_order.questions[0].answers)
    assert [(e.post.id, e.attribution.question) for e in shuffled.segments] == [
        ("q1", 1),
        ("a", 2),
        ("a", 1),
        ("r", 1),
    ]
