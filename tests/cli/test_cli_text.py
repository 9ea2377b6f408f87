"""`hashchat text measure|entities|answers`: JSON out, exit 2 with a message on bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from hashchat.cli import app

runner = CliRunner()


def run(*arguments: str, stdin: str | bytes | None = None) -> Any:
    return runner.invoke(app, ["text", *arguments], input=stdin)


def test_measure_prints_every_measurement_field() -> None:
    result = run("measure", "A1: 日本 https://example.com/long/path #KaizenBiz")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "network": "x",
        "length": 4 + 4 + 1 + 23 + 11,
        "limit": 280,
        "valid": True,
        "permillage": 43 * 1000 // 280,
        "valid_range_start": 0,
        "valid_range_end": 46,
        "display_range_start": 0,
        "display_range_end": 46,
    }


def test_measure_with_network_and_limit() -> None:
    result = run("measure", "--network", "mastodon", "--limit", "10", "@jen@mastodon.social hi!")
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert (output["network"], output["length"], output["limit"], output["valid"]) == (
        "mastodon",
        len("@jen hi!"),
        10,
        True,
    )


def test_measure_reads_stdin_for_a_dash() -> None:
    result = run("measure", "--network", "bluesky", "-", stdin="héllo 👍🏽")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["length"] == 7


def test_measure_jsonl_prints_one_result_per_line() -> None:
    result = run("measure", "--jsonl", stdin='"a"\n\n"日本"\n"' + "x" * 281 + '"\n')
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["length"], line["valid"]) for line in lines] == [
        (1, True),
        (4, True),
        (281, False),
    ]


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ('"fine"\n{"text": "x"}\n"fine"\n', "line 2: expected a JSON string, got dict"),
        ('"fine"\n"fine"\nnot json\n', "line 3: not valid JSON"),
        (b'"fine"\n"\xff"\n', "stdin is not valid UTF-8"),
    ],
)
def test_measure_jsonl_rejects_a_bad_line_before_printing_anything(
    stdin: str | bytes, message: str
) -> None:
    result = run("measure", "--jsonl", stdin=stdin)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr


def test_measure_jsonl_takes_no_text_argument() -> None:
    result = run("measure", "--jsonl", "hello", stdin='"a"\n')
    assert result.exit_code == 2
    assert "--jsonl" in result.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("measure", "--network", "myspace", "hi"), "known networks: x, mastodon, bluesky, plain"),
        (("measure", "--limit", "0", "hi"), "--limit must be a positive number"),
        (("measure", "--limit", "-3", "hi"), "--limit must be a positive number"),
        (("measure",), "missing TEXT"),
        (("entities",), "missing TEXT"),
        (("answers",), "missing TEXT"),
    ],
)
def test_bad_arguments_exit_2_naming_the_problem(arguments: tuple[str, ...], message: str) -> None:
    result = run(*arguments)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr


@pytest.mark.parametrize("command", ["measure", "entities", "answers"])
def test_invalid_utf8_on_stdin_exits_2(command: str) -> None:
    result = run(command, "-", stdin=b"A1: caf\xe9")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "not valid UTF-8" in result.stderr


def test_entities_prints_lists_of_strings() -> None:
    result = run("entities", "RT @jen: A1 see example.com/x and https://t.co/abc #KaizenBiz $SHOP")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "hashtags": ["KaizenBiz"],
        "mentions": ["jen"],
        "urls": ["example.com/x", "https://t.co/abc"],
        "cashtags": ["SHOP"],
    }


def test_entities_of_text_without_any() -> None:
    result = run("entities", "-", stdin="")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"hashtags": [], "mentions": [], "urls": [], "cashtags": []}


def test_answers_prints_question_part_and_text() -> None:
    result = run("answers", "@host A2b: batch the admin work #KaizenBiz")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"question": 2, "part": "b", "text": "batch the admin work #KaizenBiz"}
    ]


def test_answers_of_untagged_text_is_an_empty_list() -> None:
    result = run("answers", "Hello from Sydney!")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []
