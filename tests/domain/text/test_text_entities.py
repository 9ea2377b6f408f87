"""Entity extraction: twitter-text's extract.yml (shared data), then hashchat's own cases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ci_support import conformance_dir
from hashchat.domain.text.entities import Entities, Entity, extract_entities

# section of extract.yml -> (field of Entities, key of the expected dicts or None for texts)
_SECTIONS: dict[str, tuple[str, str | None]] = {
    "hashtags": ("hashtags", None),
    "hashtags_from_astral": ("hashtags", None),
    "hashtags_with_indices": ("hashtags", "hashtag"),
    "mentions": ("mentions", None),
    "mentions_with_indices": ("mentions", "screen_name"),
    "urls": ("urls", None),
    "urls_with_indices": ("urls", "url"),
    "urls_with_directional_markers": ("urls", "url"),
    "tco_urls_with_params": ("urls", None),
    "cashtags": ("cashtags", None),
    "cashtags_with_indices": ("cashtags", "cashtag"),
}


def _cases() -> list[Any]:
    path = conformance_dir() / "extract.yml"
    if not path.is_file():
        return [pytest.param(None, None, id="extract.yml-absent")]
    tests = yaml.safe_load(path.read_text(encoding="utf-8"))["tests"]
    return [
        pytest.param(section, case, id=f"{section}: {case['description']}")
        for section in _SECTIONS
        for case in tests[section]
    ]


def _as_conformance(entities: tuple[Entity, ...], key: str | None) -> list[Any]:
    if key is None:
        return [entity.text for entity in entities]
    return [{key: entity.text, "indices": [entity.start, entity.end]} for entity in entities]


@pytest.mark.shared
@pytest.mark.parametrize(("section", "case"), _cases())
def test_extract_matches_twitter_text(
    twitter_text: Path, section: str | None, case: dict[str, Any] | None
) -> None:
    assert case is not None, f"{twitter_text} lacks extract.yml"
    assert section is not None
    field, key = _SECTIONS[section]
    found = getattr(extract_entities(case["text"]), field)
    assert _as_conformance(found, key) == case["expected"]


def test_a_typical_chat_post() -> None:
    text = "@coachsue A2: we tried it 🙌 https://example.com/post #KaizenBiz $SHOP"
    assert extract_entities(text) == Entities(
        hashtags=(Entity("hashtag", "KaizenBiz", 53, 63),),
        mentions=(Entity("mention", "coachsue", 0, 9),),
        urls=(Entity("url", "https://example.com/post", 28, 52),),
        cashtags=(Entity("cashtag", "SHOP", 64, 69),),
    )


def test_a_hashtag_inside_a_url_is_part_of_the_url() -> None:
    entities = extract_entities("see https://example.com/#top and #real")
    assert [url.text for url in entities.urls] == ["https://example.com/#top"]
    assert [tag.text for tag in entities.hashtags] == ["real"]


def test_a_mention_inside_a_url_path_is_part_of_the_url() -> None:
    entities = extract_entities("profile: https://mastodon.social/@kaizen and @jen")
    assert [url.text for url in entities.urls] == ["https://mastodon.social/@kaizen"]
    assert [mention.text for mention in entities.mentions] == ["jen"]


def test_full_width_signs_count() -> None:
    entities = extract_entities("＃カイゼン ＠coach")
    assert [tag.text for tag in entities.hashtags] == ["カイゼン"]
    assert [mention.text for mention in entities.mentions] == ["coach"]


def test_glued_hashtags_are_not_hashtags() -> None:
    assert extract_entities("#one#two #three").hashtags == (Entity("hashtag", "three", 9, 15),)


def test_a_list_is_not_a_mention_and_an_email_is_neither() -> None:
    entities = extract_entities("@jen/kaizen-regulars mail jen@example.com")
    assert entities.mentions == ()
    assert [url.text for url in entities.urls] == []


def test_text_without_signs_or_dots_has_no_entities() -> None:
    assert extract_entities("A1 nothing to see here") == Entities((), (), (), ())


def test_empty_text() -> None:
    assert extract_entities("") == Entities((), (), (), ())


def test_lone_surrogates_do_not_raise() -> None:
    entities = extract_entities("\ud83d #tag\udc00 @x http://\udcff.com")
    assert [tag.text for tag in entities.hashtags] == ["tag"]


@pytest.mark.parametrize(
    ("text", "hashtags"),
    [
        ("#tag日本 x", ["tag日本"]),
        ("é#tag", []),
        ("日本 #tagé!", ["tagé"]),
        ("#tag_1-2", ["tag_1"]),
        ("a#tag &#tag ;#tag", ["tag"]),
        ("#tagе\u0301", ["tagе\u0301"]),
        ("\ufe0f#tag", ["tag"]),
        ("#123 #1a", ["1a"]),
    ],
)
def test_hashtag_ends_and_neighbours(text: str, hashtags: list[str]) -> None:
    assert [tag.text for tag in extract_entities(text).hashtags] == hashtags


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("(@ana) .@ben, «@cy»", ["ana", "ben", "cy"]),
        ("RT@ana rt: @ben xRT:@cy", ["ana", "ben", "cy"]),
        ("mail@ana _@ben @cy@host @dé", []),
        ("@ana@ben", []),
        ("@a23456789012345678901234", ["a2345678901234567890"]),
    ],
)
def test_mention_neighbours(text: str, mentions: list[str]) -> None:
    assert [mention.text for mention in extract_entities(text).mentions] == mentions
