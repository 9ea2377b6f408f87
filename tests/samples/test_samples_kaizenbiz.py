"""The bundled #KaizenBiz chat: it holds every convention, and its recap gives the hand counts.

The expected numbers were counted by hand from the chat as written (who answered what, which
posts are replies, reposts, spam, late), not taken from the code's output.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hashchat.domain.recap import Transcript, recap_chat, walk_entries
from hashchat.samples import SAMPLE_CHAT_PATH, SAMPLE_CO_HOST, SAMPLE_HOST, load_sample_chat


def recap(*hosts: str) -> Transcript:
    sample = load_sample_chat()
    return recap_chat(sample.posts, frozenset(hosts), hidden_ids=sample.hidden_ids)


def test_the_sample_is_an_hour_of_about_150_posts_on_three_networks() -> None:
    sample = load_sample_chat()
    assert SAMPLE_CHAT_PATH.name == "kaizenbiz.jsonl"
    assert len(sample.posts) == 149
    assert {post.network for post in sample.posts} == {"x", "mastodon", "bluesky"}
    assert len(sample.hidden_ids) == 2
    assert sum(post.is_repost for post in sample.posts) == 3


def test_every_convention_of_the_format_appears() -> None:
    texts = [post.text for post in load_sample_chat().posts]
    openings = [
        "A1 ",
        "A1: ",
        "A1 - ",
        "A1) ",
        "A1. ",
        "a2 ",
        "A2a ",
        "A2b ",
        "@kaizencoach A3: ",
        "Q2 ",
    ]
    for opening in openings:
        assert any(text.startswith(opening) for text in texts), opening
    for inside in [
        "A1 & A2: ",
        "\nA3 ",
        "my A1C result",
        "Our Q1 earnings were up",
        "https://bit.ly/",
        "朝礼",
        "🚲",
    ]:
        assert any(inside in text for text in texts), inside


def test_recap_figures_match_the_hand_count() -> None:
    figures = recap(SAMPLE_HOST).figures
    assert figures.posts == 144  # 149 lines less 3 reposts and 2 hidden spam posts
    assert (figures.reposts, figures.hidden) == (3, 2)
    assert figures.participants == 26  # 27 authors who wrote, less the host
    assert figures.answers == 95
    assert [(q.number, q.answers) for q in figures.per_question] == [
        (1, 16),  # 12 tagged, 2 inferred, Jo's A1 & A2, Nikora's late A1
        (2, 17),  # A2a/A2b count as one answer each, plus Priya's late A2
        (3, 15),
        (4, 15),
        (5, 14),
        (6, 18),
    ]
    assert [q.late for q in figures.per_question] == [1, 1, 1, 1, 1, 1]
    assert [q.inferred for q in figures.per_question] == [2, 1, 1, 1, 1, 1]
    assert (figures.late_answers, figures.inferred_answers) == (6, 7)
    assert [(c.author, c.posts) for c in figures.top_contributors[:5]] == [
        ("kaizencoach", 15),
        ("dev_dario", 9),
        ("ledgerlucy", 9),
        ("rosa@mastodon.social", 9),
        ("tradietom", 9),
    ]
    assert len(figures.top_contributors) == 10
    assert figures.top_contributors[-1].author == "chloe_cleans"
    assert [(n.network, n.posts) for n in figures.networks] == [
        ("x", 101),
        ("mastodon", 27),
        ("bluesky", 16),
    ]
    assert figures.first_post_at == datetime(2026, 11, 20, 16, 58, 10, tzinfo=UTC)
    assert figures.last_post_at == datetime(2026, 11, 21, 9, 5, tzinfo=UTC)


def test_the_co_host_is_not_a_participant_when_named() -> None:
    assert recap(SAMPLE_HOST, SAMPLE_CO_HOST).figures.participants == 25


def test_questions_window_and_placement() -> None:
    transcript = recap(SAMPLE_HOST)
    assert transcript.window.started_at == datetime(2026, 11, 20, 17, 6, tzinfo=UTC)
    asked = [thread.question.asked_at for thread in transcript.questions]
    assert [moment.strftime("%H:%M") for moment in asked if moment] == [
        "17:06",
        "17:15",
        "17:24",
        "17:33",
        "17:42",
        "17:51",
    ]
    q1 = transcript.questions[0]
    # the reply two deep under Tom's first answer
    assert [(d, e.post.author) for d, e in walk_entries(q1.answers[:1])] == [
        (0, "tradietom"),
        (1, "printshoppia"),
        (2, "tradietom"),
    ]
    # Nikora's late comment lands under Q1, Q3 and Q4 with its own words
    nikora = {
        thread.question.number: entry.text
        for thread in transcript.questions
        for entry in thread.answers
        if entry.post.author == "nikora.bsky.social"
    }
    assert sorted(nikora) == [1, 3, 4]
    assert nikora[3].startswith("Stopped taking bookings by Facebook message")
    # Bea's A1C post and the welcome thread are conversation, not answers
    conversation = {entry.post.author for _, entry in walk_entries(transcript.conversation)}
    assert "bakerbea" in conversation
    assert "growthhackr_99" not in {segment.post.author for segment in transcript.segments}
