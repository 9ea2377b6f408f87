"""The CSV recap: one row per attributed segment, and no cell a spreadsheet would run."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from hashchat.domain.chat import Post
from hashchat.domain.recap import Transcript, recap_chat
from hashchat.formats.recap_csv import COLUMNS, defuse_formula, render_csv

START = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


def post(
    post_id: str, minute: float, text: str, author: str = "tom", reply_to: str | None = None
) -> Post:
    return Post(post_id, author, text, START + timedelta(minutes=minute), "x", reply_to)


def chat() -> Transcript:
    posts = [
        post("q1", 6, "Q1 What paid off?", "kaizencoach"),
        post("q2", 15, "Q2 Where does time leak?", "kaizencoach"),
        post("a", 7, 'A1 =HYPERLINK("http://evil","click")'),
        post("b", 8, '@kaizencoach A1: photos, "quoted", and a comma', "rosa"),
        post("c", 9, "-2+3 is my margin", "lucy", reply_to="b"),
        post("d", 16, "A2a leaks\nA2b plugs", "+44 plumber"),
        post("late", 90, "A1 late one", "nikora"),
    ]
    return recap_chat(posts, frozenset({"kaizencoach"}))


def rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(render_csv(chat()), newline="")))


def test_header_and_one_row_per_segment() -> None:
    text = render_csv(chat())
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert [(r["post_id"], r["question"], r["part"], r["kind"]) for r in rows()] == [
        ("q1", "1", "", "question"),
        ("a", "1", "", "answer"),
        ("b", "1", "", "answer"),
        ("c", "1", "", "reply"),
        ("q2", "2", "", "question"),
        ("d", "2", "a", "answer"),
        ("d", "2", "b", "answer"),
        ("late", "1", "", "answer"),
    ]


def test_cells_hold_times_booleans_and_segment_text() -> None:
    late = rows()[-1]
    assert late == {
        "post_id": "late",
        "created_at": "2026-11-20T18:30:00Z",
        "author": "nikora",
        "network": "x",
        "question": "1",
        "part": "",
        "inferred": "false",
        "late": "true",
        "reply_to": "",
        "text": "late one",
        "kind": "answer",
        "spotlight": "false",
    }
    assert rows()[2]["text"] == 'photos, "quoted", and a comma'


def test_formula_cells_are_defused_with_a_quote() -> None:
    by_id = {(r["post_id"], r["part"]): r for r in rows()}
    assert by_id[("a", "")]["text"] == '\'=HYPERLINK("http://evil","click")'
    assert by_id[("c", "")]["text"] == "'-2+3 is my margin"
    assert by_id[("d", "a")]["author"] == "'+44 plumber"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("", ""),
        ("photos", "photos"),
    ],
)
def test_defuse_formula(cell: str, written: str) -> None:
    assert defuse_formula(cell) == written
