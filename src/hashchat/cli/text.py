"""`hashchat text …`: length per network, entities and answer tags of a text, as JSON.

Every command takes TEXT as an argument, or `-` to read it from stdin. `measure --jsonl`
reads one JSON string per line instead and prints one JSON result per line; all lines are
checked before anything is printed, so bad input never leaves half an answer behind.
Hashtags, mentions and cashtags are printed without their sign (`KaizenBiz`, not
`#KaizenBiz`), as twitter-text does; URLs exactly as written.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import Annotated, Any

import typer

from hashchat.cli.errors import fail, read_text_argument
from hashchat.domain.text.answers import parse_answers
from hashchat.domain.text.entities import extract_entities
from hashchat.domain.text.length import NETWORK_LIMITS, measure

app = typer.Typer(
    help="Text rules: length per network, entities, answer tags.", no_args_is_help=True
)

TextArgument = Annotated[
    str | None,
    typer.Argument(help="The text, or - to read it from stdin.", show_default=False),
]


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False))


def _checked_text(value: str | None) -> str:
    """The TEXT argument (or stdin for `-`); a missing or undecodable text is bad input."""
    if value is None:
        fail("missing TEXT (give the text, or - to read it from stdin)")
    text = read_text_argument(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        # Bytes that are not UTF-8 reach argv as lone surrogates (surrogateescape).
        fail(f"TEXT is not valid UTF-8 (character {error.start})")
    return text


def _checked_network(network: str) -> str:
    if network not in NETWORK_LIMITS:
        fail(f"unknown network {network!r}; known networks: {', '.join(NETWORK_LIMITS)}")
    return network


def _checked_limit(limit: int | None) -> int | None:
    if limit is not None and limit <= 0:
        fail(f"--limit must be a positive number of characters, got {limit}")
    return limit


def _jsonl_texts() -> list[str]:
    """Every line of stdin as a JSON string, or a failure naming the first bad line."""
    raw = sys.stdin.buffer.read()
    try:
        lines = raw.decode("utf-8").splitlines()
    except UnicodeDecodeError as error:
        fail(f"stdin is not valid UTF-8 (byte {error.start})")
    texts: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            fail(f"line {number}: not valid JSON ({error.msg})")
        if not isinstance(value, str):
            fail(f"line {number}: expected a JSON string, got {type(value).__name__}")
        texts.append(value)
    return texts


@app.command("measure")
def measure_command(
    text: TextArgument = None,
    network: Annotated[
        str, typer.Option(help=f"Counting rule: {', '.join(NETWORK_LIMITS)}.")
    ] = "x",
    limit: Annotated[
        int | None,
        typer.Option(help="Limit to check against (default: the network's own)."),
    ] = None,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help="Read one JSON string per stdin line.")
    ] = False,
) -> None:
    """Print the length of TEXT on a network, its limit and whether it fits, as JSON."""
    chosen_network = _checked_network(network)
    chosen_limit = _checked_limit(limit)
    if jsonl:
        if text is not None:
            fail("--jsonl reads the texts from stdin; give no TEXT argument")
        texts = _jsonl_texts()
    else:
        texts = [_checked_text(text)]
    results = [measure(one, chosen_network, chosen_limit) for one in texts]
    for result in results:
        _print_json(dataclasses.asdict(result))


@app.command("entities")
def entities_command(text: TextArgument = None) -> None:
    """Print the hashtags, mentions, URLs and cashtags of TEXT, as JSON lists of strings."""
    entities = extract_entities(_checked_text(text))
    _print_json(
        {
            "hashtags": [entity.text for entity in entities.hashtags],
            "mentions": [entity.text for entity in entities.mentions],
            "urls": [entity.text for entity in entities.urls],
            "cashtags": [entity.text for entity in entities.cashtags],
        }
    )


@app.command("answers")
def answers_command(text: TextArgument = None) -> None:
    """Print the answer segments of TEXT (`A1: …`), as a JSON list."""
    segments = parse_answers(_checked_text(text))
    _print_json(
        [
            {"question": segment.question, "part": segment.part, "text": segment.text}
            for segment in segments
        ]
    )
