"""Hypothesis tests of the API's own parsers of user input (the rest is pydantic's)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hashchat.actions.errors import InvalidInputError
from hashchat.store.models import MAX_ROW_ID
from hashchat.web.api.events import resume_point


@given(st.text(max_size=30) | st.integers(min_value=-5, max_value=2**40).map(str))
def test_last_event_id_is_accepted_exactly_when_it_is_an_event_id(header: str) -> None:
    text = header.strip()
    if not text:
        assert resume_point(header, None) == 0  # no header: from the start
    elif text.isascii() and text.isdigit() and int(text) <= MAX_ROW_ID:
        assert resume_point(header, None) == int(text)
    else:
        with pytest.raises(InvalidInputError, match="event id"):
            resume_point(header, None)


@given(st.one_of(st.none(), st.integers(min_value=0, max_value=MAX_ROW_ID)))
def test_the_header_wins_over_the_query(after: int | None) -> None:
    assert resume_point("7", after) == 7
    assert resume_point(None, after) == (after or 0)
    assert resume_point("  ", after) == (after or 0)


def test_a_negative_query_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="never negative"):
        resume_point(None, -1)
