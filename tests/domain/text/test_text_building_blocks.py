"""The parts under entities and length: TLD list, trie patterns, emoji and URL finders."""

from __future__ import annotations

import dataclasses
import re

import pytest

from hashchat.domain.frozen_values import mutable_twin
from hashchat.domain.text.emoji_sequences import EMOJI, EmojiFinder
from hashchat.domain.text.entities import Entity, extract_entities
from hashchat.domain.text.tlds import TOP_LEVEL_DOMAINS, icann_top_level_domains
from hashchat.domain.text.trie_pattern import either_case, trie_pattern
from hashchat.domain.text.urls import find_urls

_PSL_SAMPLE = """// header comment
com
// ===BEGIN ICANN DOMAINS===
// ac : comment
ac
com.ac
*.ck
!www.ck
香港
// ===END ICANN DOMAINS===
// ===BEGIN PRIVATE DOMAINS===
blogspot.example
// ===END PRIVATE DOMAINS===
"""


def test_icann_tlds_are_the_last_labels_of_the_icann_rules_only() -> None:
    assert icann_top_level_domains(_PSL_SAMPLE) == frozenset({"ac", "ck", "香港"})


def test_the_bundled_list_knows_old_new_and_internationalised_tlds() -> None:
    assert {"com", "jp", "uk", "blog", "みんな", "中国"} <= TOP_LEVEL_DOMAINS
    assert not {"baz", "comm", "example"} & TOP_LEVEL_DOMAINS


def test_trie_pattern_prefers_the_longest_word() -> None:
    pattern = re.compile(trie_pattern(["co", "com", "community", "c"]) + "$")
    assert [word for word in ["c", "co", "com", "community", "comm"] if pattern.match(word)] == [
        "c",
        "co",
        "com",
        "community",
    ]


def test_trie_pattern_ignoring_case_spells_both_cases() -> None:
    pattern = re.compile(trie_pattern(["com", "рф"], ignore_case=True) + "$")
    assert all(pattern.match(word) for word in ["COM", "Com", "РФ", "рф"])
    assert either_case("1") == "1"


def test_emoji_spans_are_leftmost_longest() -> None:
    text = "1⃣ a👨‍👩‍👧‍👦b 🙋🏽 © ❤️ 1 #"
    assert [text[start:end] for start, end in EMOJI.spans(text)] == [
        "1⃣",
        "👨‍👩‍👧‍👦",
        "🙋🏽",
        "©",
        "❤️",
    ]


def test_emoji_finder_refuses_a_sequence_it_could_not_find() -> None:
    with pytest.raises(ValueError, match="keycap"):
        EmojiFinder(["ab"])


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("see example.com.", ["example.com"]),
        ("HTTPS://EXAMPLE.COM/A and Foo.CO.UK", ["HTTPS://EXAMPLE.COM/A", "Foo.CO.UK"]),
        (
            "(https://en.wikipedia.org/wiki/Kaizen_(business))",
            ["https://en.wikipedia.org/wiki/Kaizen_(business)"],
        ),
        ("e.g. this.that fine... v1.2", []),
        ("mail me: jen@example.com", []),
    ],
)
def test_find_urls(text: str, urls: list[str]) -> None:
    assert [url.text for url in find_urls(text)] == urls


def test_find_urls_can_require_a_protocol() -> None:
    text = "example.com and https://example.org"
    assert [url.text for url in find_urls(text, require_protocol=True)] == ["https://example.org"]


def test_values_built_through_their_slots_equal_those_built_normally() -> None:
    (found,) = extract_entities("#KaizenBiz").hashtags
    expected = Entity("hashtag", "KaizenBiz", 0, 10)
    assert (found, hash(found), repr(found)) == (expected, hash(expected), repr(expected))
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.text = "other"  # type: ignore[misc]


def test_a_filled_twin_becomes_the_frozen_value_its_constructor_builds() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Pair:
        left: int
        right: str

    draft = mutable_twin(Pair)()
    draft.left = 1
    draft.right = "x"
    draft.__class__ = Pair
    assert type(draft) is Pair
    assert (draft, hash(draft), repr(draft)) == (
        Pair(1, "x"),
        hash(Pair(1, "x")),
        repr(Pair(1, "x")),
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        draft.left = 2


def test_mutable_twin_refuses_classes_whose_init_does_more_or_whose_layout_differs() -> None:
    @dataclasses.dataclass(frozen=True)
    class WithoutSlots:
        value: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class WithDefault:
        value: int = 0

    @dataclasses.dataclass(frozen=True, slots=True)
    class WithPostInit:
        value: int

        def __post_init__(self) -> None:
            pass

    @dataclasses.dataclass(frozen=True, slots=True)
    class Base:
        value: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Derived(Base):  # slots of its own on top of its base's
        other: int

    for cls in (WithoutSlots, WithDefault, WithPostInit, Derived):
        with pytest.raises(TypeError):
            mutable_twin(cls)


def test_a_twin_of_a_class_with_defaults_only_when_the_caller_sets_them() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class WithDefault:
        value: int
        flag: bool = False

    with pytest.raises(TypeError, match="defaults"):
        mutable_twin(WithDefault)
    draft = mutable_twin(WithDefault, caller_sets_defaults=True)()
    draft.value, draft.flag = 3, False
    draft.__class__ = WithDefault
    assert draft == WithDefault(3)
