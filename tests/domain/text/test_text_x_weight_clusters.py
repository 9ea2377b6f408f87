"""The cluster-by-cluster emoji scan of X's weight gives what the code-point scan gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hashchat.domain.text import x_weight
from hashchat.domain.text.emoji_sequences import EMOJI

_PIECES = [
    *sorted(EMOJI.sequences)[::7],
    *"ab ,.1©®",
    "\u200d",
    "\ufe0f",
    "\U0001f3fd",  # a skin tone alone
    "漢字",
    "é",
    "…",
    "مرحبا",
    "https://example.com/x ",
]


def test_every_emoji_sequence_lies_inside_one_cluster() -> None:
    keycapless = [sequence for sequence in EMOJI.sequences if "\u20e3" not in sequence]
    assert len(keycapless) > 3000
    for sequence in keycapless:
        match = x_weight._CLUSTER.match(sequence)
        assert match is not None, ascii(sequence)
        assert match.end() == len(sequence), ascii(sequence)


def test_a_sequence_at_the_end_of_a_cluster_is_not_read_past_it() -> None:
    # Longer sequences start with the same woman facepalming: a cut-off slice must not count.
    text = "hi \U0001f926\u200d\u2640\ufe0f"
    heavy, astral, emoji = x_weight._heavy_astral_and_emoji_by_cluster(text)
    assert emoji == [(3, 7)]
    assert (heavy, astral) == (3, 1)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_clusters_weigh_as_the_code_point_scan(text: str) -> None:
    by_cluster = x_weight._heavy_astral_and_emoji_by_cluster(text)
    # The code-point scan, with a light character after the text so that no candidate
    # length reads past its end.
    assert by_cluster == x_weight._heavy_astral_and_emoji(text + " ")
    for limit in (1, 9, 280):
        forced = x_weight._heavy_astral_and_emoji_by_cluster
        try:
            x_weight._heavy_astral_and_emoji_by_cluster = x_weight._heavy_astral_and_emoji  # type: ignore[assignment]
            expected = x_weight.weigh(text, limit)
        finally:
            x_weight._heavy_astral_and_emoji_by_cluster = forced  # type: ignore[assignment]
        assert x_weight.weigh(text, limit) == expected
