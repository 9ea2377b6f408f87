"""Properties over arbitrary Unicode: measure and extract_entities never raise and stay sane.

The second half compares the X weighted length with twitter-text-parser (the PyPI peer that
passes the v3 conformance cases) on texts built from the pieces where the rules are subtle.
"""

from __future__ import annotations

import itertools
import warnings

from hypothesis import given, settings
from hypothesis import strategies as st

from hashchat.domain.text.entities import extract_entities
from hashchat.domain.text.length import NETWORK_LIMITS, measure

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the peer imports pkg_resources, which warns
    from twitter_text import parse_tweet


@settings(max_examples=300, deadline=None)
@given(text=st.text(), network=st.sampled_from(sorted(NETWORK_LIMITS)))
def test_measure_never_raises_and_stays_in_range(text: str, network: str) -> None:
    result = measure(text, network)
    assert result.length >= 0
    assert result.permillage >= 0
    assert 0 <= result.valid_range_end <= result.display_range_end
    assert result.valid == (0 < result.length <= result.limit) or network == "x"


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_entities_lie_within_the_text_in_order(text: str) -> None:
    entities = extract_entities(text)
    everything = [*entities.hashtags, *entities.mentions, *entities.urls, *entities.cashtags]
    for group in (entities.hashtags, entities.mentions, entities.urls, entities.cashtags):
        assert [entity.start for entity in group] == sorted(entity.start for entity in group)
    for entity in everything:
        assert 0 <= entity.start < entity.end <= len(text)
        assert entity.text in text[entity.start : entity.end]
    spans = sorted((entity.start, entity.end) for entity in everything)
    assert all(before[1] <= after[0] for before, after in itertools.pairwise(spans))


# Pieces where weighting is subtle; none of them is a newer emoji than the peer's list
# (Emoji 12.0) or a line break, the two places where the peer knowingly differs.
_PIECES = st.sampled_from(
    [
        "a",
        "Z",
        " ",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "日本",
        "한국",
        "😀",
        "👨‍👩‍👧‍👦",
        "1⃣",
        "#️⃣",
        "✌🏿",
        "©",
        "e\u0301",
        "\ufffe",
        "\u202a",
        "\u2000",
        "\u2013",
        "…",
        "\U00020021",
        " https://example.com/x ",
        " foo.co.uk ",
        " http://t.co/abc ",
        " #tag ",
        " @user ",
        ". ",
        "あいうえおかきくけこ",
    ]
)


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(_PIECES, min_size=1, max_size=60), limit=st.sampled_from([280, 140, 9]))
def test_x_agrees_with_twitter_text_parser(pieces: list[str], limit: int) -> None:
    text = "".join(pieces)
    ours = measure(text, "x", limit=limit)
    options = {
        "max_weighted_tweet_length": limit,
        "scale": 100,
        "default_weight": 200,
        "emoji_parsing_enabled": True,
        "transformed_url_length": 23,
        "ranges": [
            {"start": 0, "end": 4351, "weight": 100},
            {"start": 8192, "end": 8205, "weight": 100},
            {"start": 8208, "end": 8223, "weight": 100},
            {"start": 8242, "end": 8247, "weight": 100},
        ],
    }
    theirs = parse_tweet(text, options)
    assert (ours.length, ours.valid, ours.valid_range_end, ours.display_range_end) == (
        theirs.weightedLength,
        theirs.valid,
        theirs.validRangeEnd,
        theirs.displayRangeEnd,
    )
