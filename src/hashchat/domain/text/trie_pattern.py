"""Regex source for a fixed set of words, written as a trie.

Regex engines try the branches of an alternation one after the other, so `com|co|org|…` over
1,400 top-level domains costs microseconds at every position; as a trie, each character
narrows the choice to one branch. Longer words are tried before their prefixes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

_Trie = dict[str, "_Trie"]
_END = ""  # "a word may end here"; no real character is the empty string


def case_variants(character: str) -> list[str]:
    """`character` and its single-character upper and lower case, in a stable order."""
    variants = {character, character.lower(), character.upper()}
    return sorted(variant for variant in variants if len(variant) == 1)


def either_case(character: str) -> str:
    """A pattern for `character` in either case, for `re` without IGNORECASE.

    Case-insensitive matching makes `re` fold every character it compares, which doubles
    the cost of the URL pattern; spelling the cases out keeps the match the same.
    """
    variants = case_variants(character)
    if len(variants) == 1:
        return re.escape(character)
    return f"[{''.join(re.escape(variant) for variant in variants)}]"


def _build(words: Iterable[str]) -> _Trie:
    root: _Trie = {}
    for word in words:
        node = root
        for character in word:
            node = node.setdefault(character, {})
        node[_END] = {}
    return root


def _source(node: _Trie, variants: Callable[[str], list[str]]) -> str:
    last_characters: list[str] = []
    branches: list[str] = []
    for character in sorted(key for key in node if key != _END):
        child = node[character]
        spelled = [re.escape(variant) for variant in variants(character)]
        if set(child) == {_END}:
            last_characters += spelled
        else:
            head = spelled[0] if len(spelled) == 1 else f"[{''.join(spelled)}]"
            optional = "?" if _END in child else ""
            branches.append(f"{head}(?:{_source(child, variants)}){optional}")
    if last_characters:
        joined = "".join(last_characters)
        branches.append(joined if len(last_characters) == 1 else f"[{joined}]")
    return "|".join(branches)


def trie_pattern(words: Iterable[str], *, ignore_case: bool = False) -> str:
    """A non-capturing group matching any of `words` (non-empty), longest first."""
    if ignore_case:
        words = [word.lower() for word in words]
    variants = case_variants if ignore_case else (lambda character: [character])
    return f"(?:{_source(_build(word for word in words if word), variants)})"
