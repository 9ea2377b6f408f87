"""Attribution of a chat's posts to its questions: tagged, inherited, inferred, late, or none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hashchat.domain.attribution import (
    attribute_posts,
    is_question_post,
    questions_from_host_posts,
)
from hashchat.domain.chat import Attribution, ChatWindow, Post, Question

START = datetime(2025, 1, 10, 17, 0, tzinfo=UTC)
WINDOW = ChatWindow(
    started_at=START, ended_at=START + timedelta(hours=1), hosts=frozenset({"@Coach"})
)
QUESTIONS = [
    Question(1, "What keeps you up at night?", START + timedelta(minutes=6)),
    Question(2, "What would you strip out?", START + timedelta(minutes=15)),
    Question(3, "Who helps you?", START + timedelta(minutes=24)),
]


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def post(
    post_id: str,
    text: str,
    minutes: float,
    *,
    author: str = "@ana",
    reply_to: str | None = None,
    is_repost: bool = False,
) -> Post:
    return Post(
        id=post_id,
        author=author,
        text=text,
        created_at=at(minutes),
        reply_to=reply_to,
        is_repost=is_repost,
    )


def attribute(*posts: Post, window: ChatWindow | None = WINDOW) -> list[Attribution]:
    return attribute_posts(list(posts), QUESTIONS, window)


def only(attributions: list[Attribution]) -> Attribution:
    (attribution,) = attributions
    return attribution


def test_a_tagged_answer_takes_its_tag() -> None:
    assert attribute(post("p1", "A1: sleep, mostly #KaizenBiz", 8)) == [
        Attribution("p1", 1, None, "sleep, mostly #KaizenBiz")
    ]


def test_a_tag_wins_over_the_current_question() -> None:
    assert only(attribute(post("p1", "A1 still on the first one", 20))).question == 1


def test_a_long_comment_gives_one_attribution_per_segment_in_order() -> None:
    comment = post("p1", "Sorry I'm late! A1 coffee. A3: my partner\nA4 - nobody", 70)
    assert attribute(comment) == [
        Attribution("p1", 1, None, "coffee.", late=True),
        Attribution("p1", 3, None, "my partner", late=True),
        Attribution("p1", 4, None, "nobody", late=True),
    ]


def test_sub_parts_and_shared_answers_keep_their_parts() -> None:
    result = attribute(post("p1", "A2a: meetings A2b: email", 16), post("p2", "A1 & A2 yes", 17))
    assert [(a.post_id, a.question, a.part, a.text) for a in result] == [
        ("p1", 2, "a", "meetings"),
        ("p1", 2, "b", "email"),
        ("p2", 1, None, "yes"),
        ("p2", 2, None, "yes"),
    ]


def test_an_untagged_post_in_the_live_hour_answers_the_current_question_inferred() -> None:
    assert attribute(post("p1", "Honestly, payroll", 16)) == [
        Attribution("p1", 2, None, "Honestly, payroll", inferred=True)
    ]


def test_the_current_question_starts_at_the_moment_it_is_asked() -> None:
    assert only(attribute(post("p1", "first!", 15))).question == 2
    assert only(attribute(post("p1", "just before", 14.99))).question == 1


def test_the_current_question_is_the_last_asked_not_the_highest_number() -> None:
    out_of_order = [
        Question(1, "one", at(6)),
        Question(3, "three", at(10)),
        Question(2, "two", at(20)),
    ]
    attributions = attribute_posts([post("p1", "hmm", 12)], out_of_order, WINDOW)
    assert only(attributions).question == 3


def test_questions_never_asked_are_never_inferred() -> None:
    unasked = [Question(1, "one"), Question(2, "two")]
    assert only(attribute_posts([post("p1", "hello", 30)], unasked, WINDOW)).question is None


def test_untagged_posts_before_the_first_question_are_conversation() -> None:
    assert only(attribute(post("p1", "Hi from Ohio!", 2))) == Attribution(
        "p1", None, None, "Hi from Ohio!"
    )


def test_untagged_posts_outside_the_live_hour_are_conversation() -> None:
    before, after = post("p1", "Excited for today", -30), post("p2", "Great chat everyone", 65)
    assert [(a.question, a.inferred, a.late) for a in attribute(before, after)] == [
        (None, False, False),
        (None, False, False),
    ]


def test_a_chat_that_has_not_ended_keeps_inferring() -> None:
    open_window = ChatWindow(started_at=START, hosts=frozenset({"coach"}))
    attribution = only(attribute(post("p1", "still here", 300), window=open_window))
    assert (attribution.question, attribution.inferred, attribution.late) == (3, True, False)


def test_without_a_window_nothing_is_inferred_or_late() -> None:
    result = attribute(post("p1", "A2 tagged", 500), post("p2", "untagged", 16), window=None)
    assert [(a.question, a.inferred, a.late) for a in result] == [
        (2, False, False),
        (None, False, False),
    ]


def test_late_marks_answers_at_or_after_the_end_but_not_conversation() -> None:
    result = attribute(post("p1", "A1 at the bell", 60), post("p2", "A1 before the bell", 59.9))
    assert [a.late for a in result] == [True, False]
    assert only(attribute(post("p3", "thanks all", 61))).late is False


def test_an_untagged_reply_inherits_its_parents_question_and_part() -> None:
    parent = post("p1", "A2b: inbox zero", 16)
    reply = post("p2", "Same here, it changed my life", 40, author="@ben", reply_to="p1")
    assert attribute(parent, reply)[1] == Attribution("p2", 2, "b", "Same here, it changed my life")


def test_a_reply_to_a_questions_own_post_elsewhere_answers_that_question() -> None:
    # p1 and p3 reply, on a network, to the post our bridge made of question 1; p1 during Q3's
    # turn, p3 after the hour; a tag still wins, and a reply to nothing known is inferred.
    posts = [
        post("p1", "late to Q1, sorry: mentoring", 30, reply_to="ext-q1"),
        post("p2", "A2 meetings", 31, reply_to="ext-q1"),
        post("p3", "and coffee", 70, reply_to="ext-q1"),
        post("p4", "no idea", 32, reply_to="ext-elsewhere"),
    ]
    replies = {"p1": 1, "p2": 1, "p3": 1}
    result = attribute_posts(posts, QUESTIONS, WINDOW, question_replies=replies)
    assert [(a.question, a.inferred, a.late) for a in result] == [
        (1, False, False),
        (2, False, False),
        (1, False, True),
        (3, True, False),
    ]
    assert only(attribute(posts[0])).question == 3  # without the map: the current question


def test_replies_to_replies_inherit_down_the_chain() -> None:
    chain = [
        post("p1", "A1: nothing", 8),
        post("p2", "really?", 30, author="@ben", reply_to="p1"),
        post("p3", "really.", 31, reply_to="p2"),
        post("p4", "ha", 75, author="@cy", reply_to="p3"),
    ]
    assert [(a.question, a.inferred, a.late) for a in attribute(*chain)] == [
        (1, False, False),
        (1, False, False),
        (1, False, False),
        (1, False, True),
    ]


def test_a_reply_to_an_inferred_answer_is_inferred_too() -> None:
    result = attribute(post("p1", "payroll", 16), post("p2", "ugh, payroll", 80, reply_to="p1"))
    assert [(a.question, a.inferred, a.late) for a in result] == [(2, True, False), (2, True, True)]


def test_a_reply_to_conversation_is_conversation_even_in_the_live_hour() -> None:
    result = attribute(
        post("p1", "Hi from Ohio!", 2), post("p2", "Hi neighbour!", 20, reply_to="p1")
    )
    assert [(a.question, a.inferred) for a in result] == [(None, False), (None, False)]


def test_a_reply_to_an_unknown_post_falls_back_to_the_live_hour() -> None:
    in_hour, after = (
        post("p1", "agreed", 26, reply_to="gone"),
        post("p2", "agreed", 90, reply_to="gone"),
    )
    assert [(a.question, a.inferred) for a in attribute(in_hour, after)] == [
        (3, True),
        (None, False),
    ]


def test_a_reply_resolves_only_to_earlier_posts() -> None:
    reply = post("p1", "agreed", 26, reply_to="p2")
    assert attribute(reply, post("p2", "A1 later", 27))[0].inferred is True


def test_a_reply_inherits_from_the_first_segment_of_a_long_comment() -> None:
    result = attribute(post("p1", "A3 one. A4 two", 30), post("p2", "nice", 31, reply_to="p1"))
    assert result[-1].question == 3


def test_a_host_question_post_is_the_question_itself() -> None:
    question = post("q1", "Q1: What keeps you up at night? #KaizenBiz", 6, author="coach")
    assert attribute(question) == [
        Attribution("q1", 1, None, "What keeps you up at night? #KaizenBiz")
    ]
    assert is_question_post(question, WINDOW.hosts)


def test_host_names_match_case_insensitively_with_or_without_at() -> None:
    for author in ("coach", "@coach", "COACH", "@Coach"):
        assert is_question_post(
            post("q", "Q2 What would you strip out?", 15, author=author), {"@Coach"}
        )
    assert is_question_post(post("q", "Q2 x", 15, author="@coach"), {"COACH"})


def test_a_reply_to_a_host_question_answers_it() -> None:
    question = post("q2", "Q2 What would you strip out?", 15, author="@coach")
    reply = post("p1", "Meetings. All of them.", 45, reply_to="q2")
    assert attribute(question, reply)[1] == Attribution("p1", 2, None, "Meetings. All of them.")


def test_a_late_reply_to_a_host_question_is_a_late_answer_but_the_question_is_not_late() -> None:
    question = post("q6", "Q6 Anything else?", 59, author="@coach")
    repeated = post("q6b", "Q6 again: anything else?", 62, author="@coach")
    reply = post("p1", "Nope, great chat", 70, reply_to="q6")
    assert [(a.question, a.late) for a in attribute(question, repeated, reply)] == [
        (6, False),
        (6, False),
        (6, True),
    ]


def test_a_participant_answering_with_the_question_tag_is_an_answer() -> None:
    answer = post("p1", "Q2 Strip till it hurts", 17)
    assert not is_question_post(answer, WINDOW.hosts)
    assert attribute(answer) == [Attribution("p1", 2, None, "Strip till it hurts")]


def test_host_posts_are_answers_only_when_the_host_tags_them() -> None:
    welcome = post("h1", "Welcome everyone! Q1 comes at :06", 0, author="@coach")
    cheer = post("h2", "Love that answer", 20, author="@coach")
    tagged = post("h3", "A2 mine is email", 21, author="@coach")
    answer = post("p1", "A2 calendar blocks", 22)
    host_reply = post("h4", "So true", 23, author="coach", reply_to="p1")
    assert not is_question_post(welcome, WINDOW.hosts)
    found = attribute(welcome, cheer, tagged, answer, host_reply)
    assert [(a.question, a.inferred) for a in found] == [
        (None, False),
        (None, False),  # in the live hour, untagged: not inferred
        (2, False),
        (2, False),
        (None, False),  # a reply to an answer: not inherited
    ]


def test_posts_recorded_as_a_hosts_are_hosts_whatever_the_handle_list_says() -> None:
    howto = Post("s1", "kaizencoach", "How it works: answer with A1", at(20), by_host=True)
    guest = Post("s2", "@coach", "how it works for me", at(21), by_host=False)
    assert [(a.question, a.inferred) for a in attribute(howto, guest)] == [
        (None, False),
        (2, True),
    ]
    question = Post("s3", "kaizencoach", "Q4 Anything else?", at(30), by_host=True)
    assert is_question_post(question, frozenset())
    assert questions_from_host_posts([question], frozenset()) == [
        Question(4, "Anything else?", at(30))
    ]


def test_reposts_answer_nothing() -> None:
    tagged = post("r1", "A1: sleep", 8, is_repost=True)
    untagged = post("r2", "so true", 16, is_repost=True)
    host_question = post("r3", "Q1 What keeps you up?", 8, author="@coach", is_repost=True)
    assert [(a.question, a.inferred) for a in attribute(tagged, untagged, host_question)] == [
        (None, False),
        (None, False),
        (None, False),
    ]
    assert not is_question_post(host_question, WINDOW.hosts)


def test_a_reply_to_a_repost_is_conversation() -> None:
    result = attribute(post("r1", "A1 x", 8, is_repost=True), post("p1", "yes", 9, reply_to="r1"))
    assert result[1].question is None


def test_the_order_of_posts_is_kept() -> None:
    posts = [post(f"p{i}", f"A{i % 6 + 1} answer {i}", i) for i in range(30)]
    assert [a.post_id for a in attribute(*posts)] == [p.id for p in posts]


def test_questions_come_from_the_first_host_post_for_each_number() -> None:
    posts = [
        post("a", "Welcome! Q1 comes soon", 0, author="@coach"),
        post("b", "Q2: What would you strip out?", 15, author="Coach"),
        post("c", "Q1 What keeps you up at night?", 6, author="@coach"),
        post("d", "Q1 again for latecomers: What keeps you up?", 30, author="@coach"),
        post("e", "Q3 I'd ask who helps you", 20, author="@ana"),
        post("f", "Q3 Who helps you?", 24, author="@coach", is_repost=True),
    ]
    assert questions_from_host_posts(posts, {"coach"}) == [
        Question(1, "What keeps you up at night?", at(6)),
        Question(2, "What would you strip out?", at(15)),
    ]


def test_questions_from_host_posts_keeps_the_earliest_even_if_unsorted() -> None:
    posts = [
        post("late", "Q1 repeated", 40, author="coach"),
        post("early", "Q1 first", 6, author="coach"),
    ]
    assert questions_from_host_posts(posts, ["@coach"]) == [Question(1, "first", at(6))]


def test_questions_from_host_posts_without_hosts_is_empty() -> None:
    assert questions_from_host_posts([post("q", "Q1 What?", 6, author="@coach")], []) == []


def test_questions_from_host_posts_break_a_time_tie_by_id_in_any_order() -> None:
    tied = [
        post("q1-b", "Q1 second by id", 6, author="coach"),
        post("q1-a", "Q1 first by id", 6, author="coach"),
    ]
    expected = [Question(1, "first by id", at(6))]
    assert questions_from_host_posts(tied, ["coach"]) == expected
    assert questions_from_host_posts(tied[::-1], ["coach"]) == expected
