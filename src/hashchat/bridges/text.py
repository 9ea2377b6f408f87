"""What bridges share about post text: HTML to plain text, and hashtag comparison."""

from __future__ import annotations

from html.parser import HTMLParser

_BREAKS = {"br": "\n"}
_BLOCKS = {"p", "div", "blockquote", "li"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._blocks = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS:
            self.parts.append(_BREAKS[tag])
        elif tag in _BLOCKS:
            if self._blocks:
                self.parts.append("\n\n")
            self._blocks += 1

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(content: str) -> str:
    """Mastodon's status HTML as the plain text its author typed: paragraphs become blank
    lines, `<br>` a line break, links their full text (Mastodon splits long URLs into visible
    and invisible spans: all are kept), entities decoded, everything else dropped."""
    parser = _Text()
    parser.feed(content)
    parser.close()
    return "".join(parser.parts).strip()


def same_tag(a: str, b: str) -> bool:
    """True when two hashtags name the same tag (case-insensitively, '#' optional)."""
    return a.lstrip("#").casefold() == b.lstrip("#").casefold()
