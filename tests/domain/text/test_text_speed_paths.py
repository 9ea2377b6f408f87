"""The issue-10 speed paths give what the rule they shortcut gives (bench/README.md, realistic).

- X's weight of a text that fits sums each cluster's packed part instead of building spans:
  equal to the general path (spans, overlaps settled) on every text and limit.
- URLs: one search for a dot before a top-level domain, then each word's window, whose URLs
  are kept per window text: equal to the definition (every space-delimited word holding such
  a dot, scanned in its window), whatever windows earlier texts left in the table.
- Hashtags and mentions, one sign at a time: equal to twitter-text's own whole-text scan
  (Ruby's `scan` consumes the character before the sign), written out here with `regex`.
- Answer segments built through their slots equal the dataclass's own constructor.

Third round (bench/README.md, issue 10): frozen values filled as drafts of a twin class; an ASCII
hashtag or mention whose neighbours the `re` pattern checks itself (lookbehind after the sign);
a head of plain @names before a tag read in one match; a known window found from the last plain
space without looking for other spaces. Each against the general path on tricky inputs.
"""

from __future__ import annotations

import re

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from hashchat.domain.text import answers, entities, urls, x_weight
from hashchat.domain.text.analysis import PostAnalysis, analyze_post
from hashchat.domain.text.answers import AnswerSegment, answer_tags, parse_answers
from hashchat.domain.text.emoji_sequences import EMOJI
from hashchat.domain.text.entities import Entities, Entity, extract_entities
from hashchat.domain.text.length import Measurement, measure

_WEIGHT_PIECES = [
    *sorted(EMOJI.sequences)[::11],
    *"ab ,.:/1#@©®",
    "\u200d",
    "\ufe0f",
    "\U0001f3fd",
    "漢字かな",
    "é",
    "e\u0301",  # NFC composes it: the text is not its own normal form
    "…",
    "مرحبا",
    "\ufffe",
    "\u20e3",
    "https://example.com/x",
    "example.org",
    "https://пример.рф/путь",  # a URL that is not ASCII
    "www.例え.jp",
    "t.co/abc",
]


@settings(max_examples=500, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(_WEIGHT_PIECES), max_size=60),
    limit=st.sampled_from([1, 9, 40, 280]),
)
def test_weigh_by_packed_clusters_equals_the_general_path(pieces: list[str], limit: int) -> None:
    text = " ".join(pieces) if len(pieces) % 2 else "".join(pieces)
    fast = x_weight.weigh(text, limit)
    shortcut = x_weight._weigh_when_it_fits
    x_weight._weigh_when_it_fits = lambda *_: None  # type: ignore[assignment]
    try:
        general = x_weight.weigh(text, limit)
    finally:
        x_weight._weigh_when_it_fits = shortcut  # type: ignore[assignment]
    assert fast == general


def test_the_shortcut_takes_the_common_case_and_leaves_the_rest_to_the_general_path() -> None:
    text = "A1: yes 👩🏽‍💻 we ship 🇯🇵 https://example.com/a #chat"
    found = urls.find_urls(text)
    # 23 for the URL, 2 for each emoji, 1 for the rest; 5 astral code points in UTF-16
    light = len(text) - len("👩🏽‍💻") - len("🇯🇵") - len("https://example.com/a")
    length = light + 2 + 2 + 23
    units = len(text) + 5
    assert x_weight._weigh_when_it_fits(text, text, found, 280) == (length, False, units - 1, units)
    assert x_weight.weigh(text) == (length, False, units - 1, units)
    # Over the limit, a keycap, a URL that is not ASCII: None, the general path decides.
    assert x_weight._weigh_when_it_fits(text, text, found, 9) is None
    assert x_weight._weigh_when_it_fits("1\u20e3 ok 😀", "1\u20e3 ok 😀", [], 280) is None
    idn = "😀 https://пример.рф"
    assert x_weight._weigh_when_it_fits(idn, idn, urls.find_urls(idn), 280) is None


def test_a_cluster_packs_a_negative_correction_and_its_astral_count() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 7 code points
    packed = x_weight._packed_cluster(family)
    # weighs 200 as one emoji: 7 light units (700) plus a delta of -500; 4 astral code points
    assert packed >> x_weight._ASTRAL_BITS == -500
    assert packed & x_weight._ASTRAL_MASK == 4
    assert x_weight.weigh(family)[0] == 2


def test_a_keycap_or_a_refused_character_sends_the_text_to_the_general_path() -> None:
    for cluster in ("\ufe0f\u20e3", "\ufffe", "😀\ufeff"):
        assert x_weight._cluster_packs[cluster] == x_weight._GENERAL_PATH
    # one such cluster among ordinary ones still brings the sum below the floor
    assert (
        x_weight._weigh_when_it_fits("😀 1\ufe0f\u20e3 😀", "😀 1\ufe0f\u20e3 😀", [], 280) is None
    )
    assert x_weight.weigh("😀 1\ufe0f\u20e3 😀") == (8, False, 8, 9)  # as twitter-text


def test_the_table_of_cluster_packs_stays_bounded() -> None:
    packs = x_weight._cluster_packs
    for number in range(x_weight._CLUSTER_CACHE_SIZE + 10):
        x_weight.weigh(f"x {chr(0x4E00 + number)} y")
    assert 0 < len(packs) <= x_weight._CLUSTER_CACHE_SIZE
    long_cluster = "漢" * (x_weight._CLUSTER_CACHE_LENGTH + 1)
    x_weight.weigh(f"a {long_cluster} b")
    assert long_cluster not in packs


_SPACE_CHARACTERS = " \t\n\u3000\u00a0\u2028"
_URL_PIECES = [
    "https://example.com/blog",
    "example.com",
    "kaizen.blog/x?y=1",
    "http://t.co/AbC123",
    "https://t.co/" + "a" * 41,
    "www.news.example.net/a.html",
    "e.g.",
    "3.5",
    "a.b.c",
    "xn--80ak6aa92e.com",
    "пример.рф",
    "@user.com",
    "#tag.com",
    "_https://x.com",
    "-example.com",
    "word",
    "é",
    "😀",
    "(https://en.wikipedia.org/wiki/Kaizen_(business))",
    "a" * 70 + ".com",
]


# A dot before a top-level domain or punycode, by the TLD trie alone.
_DOMAIN_DOT = re.compile(f"\\.(?:{urls._TLD}|[xX][nN]--)")


def _definition(text: str, require_protocol: bool) -> list[urls.UrlSpan]:
    """Every space-delimited word holding a dot before a top-level domain, scanned in its
    window (the word and the space before it), without the table of windows."""
    found: list[urls.UrlSpan] = []
    for word in re.finditer(f"[^{urls.UNICODE_SPACES}]+", text):
        if _DOMAIN_DOT.search(word.group()) is None:
            continue
        window_start = max(word.start() - 1, 0)
        found += urls._matched_urls_in_window(text, window_start, word.end(), require_protocol)
    return found


@settings(max_examples=500, deadline=None)
@given(
    pieces=st.lists(
        st.one_of(st.sampled_from(_URL_PIECES), st.sampled_from(list(_SPACE_CHARACTERS))),
        max_size=16,
    ),
    require_protocol=st.booleans(),
)
def test_urls_by_windows_and_their_table_equal_the_definition(
    pieces: list[str], require_protocol: bool
) -> None:
    text = "".join(pieces)
    expected = _definition(text, require_protocol)
    # Cold, warm (the windows just kept), and inside a longer text (the same windows at
    # other positions, after other characters).
    urls._window_urls[require_protocol].clear()
    assert urls.find_urls(text, require_protocol=require_protocol) == expected
    assert urls.find_urls(text, require_protocol=require_protocol) == expected
    longer = "日本 x " + text + " y"
    assert urls.find_urls(longer, require_protocol=require_protocol) == _definition(
        longer, require_protocol
    )


def test_the_table_of_windows_stays_bounded() -> None:
    table = urls._window_urls[False]
    for number in range(urls._WINDOW_CACHE_SIZE + 10):
        urls.find_urls(f"see site{number}.com now")
    assert 0 < len(table) <= urls._WINDOW_CACHE_SIZE
    long_window = " " + "a" * urls._WINDOW_CACHE_LENGTH + ".com"
    urls.find_urls("x" + long_window)
    assert long_window not in table


def test_every_top_level_domain_starts_with_a_letter() -> None:
    # The old search looked for a dot before a letter, then for a TLD; one search for a dot
    # before a TLD finds the same dots only if no TLD starts otherwise.
    assert all(regex.match(r"\p{L}", domain) for domain in urls.TOP_LEVEL_DOMAINS)


_SPECIALS = entities._HASHTAG_SPECIALS
_LETTER = entities._HASHTAG_LETTER
# twitter-text's regex.rb, as Ruby's `scan` runs it: the character before the sign is consumed.
_RUBY_HASHTAG = regex.compile(
    f"(?:^|[\\ufe0e\\ufe0f]|[^&{_LETTER}\\p{{Nd}}{_SPECIALS}])"
    f"([#＃])(?![\\ufe0f\\u20e3])({entities._HASHTAG_CHAR}*[{_LETTER}]{entities._HASHTAG_CHAR}*)"
)


def _ruby_hashtags(text: str) -> list[tuple[str, int, int]]:
    return [
        (match.group(2), match.start(1), match.end())
        for match in _RUBY_HASHTAG.finditer(text)
        if not text.startswith(("#", "＃", "://"), match.end())
    ]


def _ruby_mentions(text: str) -> list[tuple[str, int, int]]:
    return [
        (match.group(2), match.start(1), match.end())
        for match in entities._MENTION.finditer(text)
        if match.group(3) is None
        and entities._AFTER_MENTION_REJECTS.match(text, match.end()) is None
    ]


_SIGN_TEXT = st.text(
    alphabet="#＃@＠&_aZ09 .:/-\u00e9\u0301\ufe0f\u20e3\u200c日本😀RrTt+~!$\u3000\n\x7f·",
    max_size=40,
)


@settings(max_examples=600, deadline=None)
@given(text=_SIGN_TEXT)
def test_hashtags_and_mentions_equal_twitter_texts_whole_text_scan(text: str) -> None:
    found = entities.extract_entities(text, urls=[])
    assert [(tag.text, tag.start, tag.end) for tag in found.hashtags] == _ruby_hashtags(text)
    assert [(name.text, name.start, name.end) for name in found.mentions] == _ruby_mentions(text)


@given(text=st.text(alphabet="AaQqT1234 :&,\n.-)😀é#@", max_size=60))
def test_answer_segments_built_through_slots_equal_the_constructor(text: str) -> None:
    built = parse_answers(text)
    assert built == [AnswerSegment(*tag) for tag in answer_tags(text)]
    assert all(type(segment) is AnswerSegment for segment in built)


# Mixed scripts, emoji, URLs and signs, as posts from the wild put them together.
_WILD_PIECES = [
    " ",
    "\u3000",
    "\n",
    "#KaizenBiz",
    "#カイゼン",
    "#бизнес",
    "＃タグ",
    "#a#b",
    "#व्यापार",
    "#ريادة_الأعمال",
    "#عربي٣",
    "#小企业",
    "#카이젠",
    "#tag日",
    "#日本·x",
    "#ｆｕｌｌ",
    "ё",
    "\u0301",
    "#tag://x",
    "&#tag",
    "@ann",
    "@bob_1/list",
    "＠wide",
    "RT:@cat",
    "x@dan",
    "$AAPL",
    "😀",
    "👩🏽‍💻",
    "🇯🇵",
    "日本語",
    "é",
    "https://example.com/#top",
    "example.org/a?b=1",
    "t.co/Ab1",
    "A1:",
    ".",
    ":",
    "/",
    "_",
]


@settings(max_examples=500, deadline=None)
@given(pieces=st.lists(st.sampled_from(_WILD_PIECES), max_size=14))
def test_hashtags_and_mentions_on_wild_texts_equal_twitter_texts_whole_text_scan(
    pieces: list[str],
) -> None:
    for text in ("".join(pieces), " ".join(pieces)):
        found = entities.extract_entities(text, urls=[])
        assert [(t.text, t.start, t.end) for t in found.hashtags] == _ruby_hashtags(text)
        assert [(m.text, m.start, m.end) for m in found.mentions] == _ruby_mentions(text)


def test_the_common_hashtag_pattern_checks_the_neighbour_the_rule_names() -> None:
    # Before the sign: exactly the ASCII characters of `_ASCII_BEFORE_HASHTAG` (or none); any
    # other character leaves the sign to the general pattern.
    for code in range(0x80):
        before = chr(code)
        matched = entities._COMMON_HASHTAG.match(before + "#tag ", 1) is not None
        assert matched == (before in entities._ASCII_BEFORE_HASHTAG), repr(before)
    for before in ("é", "日", "😀", "\u3000", "·", "\ufe0f"):
        assert entities._COMMON_HASHTAG.match(before + "#tag ", 1) is None
    assert entities._COMMON_HASHTAG.match("#tag") is not None
    # After the name: an ASCII character that ends it, unless it rejects it (`#`, `://`).
    for after, matched in (("", True), (" ", True), (":", True), (":/", True), ("#", False)):
        assert (entities._COMMON_HASHTAG.match("#tag" + after) is not None) == matched, after
    # A character that is not ASCII and not one of the common letters: the general pattern.
    for after in ("://", "😀", "\u200c", "＃", "·", "\u30fb", "\u0663", "²"):
        assert entities._COMMON_HASHTAG.match("#tag" + after) is None, after


def test_the_common_hashtag_letters_are_letters_or_marks_for_the_rule() -> None:
    # Every character the `re` pattern takes as a letter is one for twitter-text's rule.
    letter = regex.compile(f"[{entities._HASHTAG_LETTER}]")
    common = re.compile(f"[{entities._COMMON_HASHTAG_LETTERS}]")
    count = 0
    for code in range(0x80, 0x10000):
        character = chr(code)
        if common.match(character):
            count += 1
            assert letter.match(character), f"U+{code:04X}"
    assert count > 30_000  # the ranges are read as written


_HEAD_PIECES = [
    "@ann",
    "@b_2",
    "#tag",
    ".@cat",
    "@",
    "#",
    " ",
    "  ",
    "\t",
    "\u00a0",
    "x",
    ".",
    "!",
    "\n",
    "😀",
    "-",
]


@settings(max_examples=500, deadline=None)
@given(pieces=st.lists(st.sampled_from(_HEAD_PIECES), max_size=10))
def test_a_head_of_plain_names_starts_where_the_walk_back_says(pieces: list[str]) -> None:
    head = "".join(pieces)
    if answers._LEADING_NAMES.fullmatch(head):
        assert answers._boundary_before(head) == 0
    # The whole parse, with the head before a tag, at the start and after a long text.
    for text in (head + "A1: yes", "Q2 " + head + "A1: yes", "z" * 420 + head + "A1: yes"):
        tag = answers._TAG_LIST.search(text, len(text) - len("A1: yes"))
        if tag is None:
            continue
        window_start = max(0, tag.start() - answers._LOOK_BACK)
        walked = answers._boundary_before(text[window_start : tag.start()])
        expected = None if walked is None else window_start + walked
        assert answers._segment_start(text, tag.start()) == expected


def test_a_known_window_is_found_from_the_last_plain_space_only_when_it_is_one() -> None:
    urls._window_urls[False].clear()
    # the window of this dot starts at the ideographic space, not at the plain one before it
    assert urls.find_urls("see \u3000example.com") == [urls.UrlSpan("example.com", 5, 16, False)]
    assert urls.find_urls("a \u3000example.com!") == [urls.UrlSpan("example.com", 3, 14, False)]
    # the same window text after a plain space, after a line break, at the start
    assert urls.find_urls("x \u3000example.com") == [urls.UrlSpan("example.com", 3, 14, False)]
    assert urls.find_urls("\u3000example.com") == [urls.UrlSpan("example.com", 1, 12, False)]
    assert urls.find_urls("ab\u3000example.com") == [urls.UrlSpan("example.com", 3, 14, False)]


@given(text=st.text(alphabet="aé日😀#@ .com/:1A", max_size=30))
def test_values_built_from_drafts_equal_those_their_constructors_build(text: str) -> None:
    analysis = analyze_post(text)
    found = analysis.entities
    rebuilt = Entities(
        tuple(Entity(*_fields(entity)) for entity in found.hashtags),
        tuple(Entity(*_fields(entity)) for entity in found.mentions),
        tuple(Entity(*_fields(entity)) for entity in found.urls),
        tuple(Entity(*_fields(entity)) for entity in found.cashtags),
    )
    measured = measure(text)
    assert found == rebuilt == extract_entities(text)
    assert analysis == PostAnalysis(Measurement(*_fields(measured)), rebuilt)
    assert hash(analysis) == hash(PostAnalysis(measured, rebuilt))
    for value in (analysis, found, measured, *found.hashtags, *found.mentions, *found.urls):
        assert type(value) in {PostAnalysis, Entities, Measurement, Entity}


def _fields(value: object) -> list[object]:
    return [getattr(value, name) for name in value.__slots__]  # type: ignore[attr-defined]
