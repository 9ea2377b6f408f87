"""Hypothesis tests of the API's own parsers of user input (the rest is pydantic's)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hashchat.actions.errors import InvalidInputError
from hashchat.store.models import MAX_ROW_ID
from hashchat.web.api.events import requested_resume


@given(st.text(max_size=30) | st.integers(min_value=-5, max_value=2**40).map(str))
def test_last_event_id_is_accepted_exactly_when_it_is_an_event_id(header: str) -> None:
    text = header.strip()
    if not text:
        assert requested_resume(header, None) is None  # no resume point: the present
    elif text.isascii() and text.isdigit() and int(text) <= MAX_ROW_ID:
        assert requested_resume(header, None) == int(text)
    else:
        with pytest.raises(InvalidInputError, match="event id"):
            requested_resume(header, None)


@given(st.one_of(st.none(), st.integers(min_value=0, max_value=MAX_ROW_ID)))
def test_the_header_wins_over_the_query(after: int | None) -> None:
    assert requested_resume("7", after) == 7
    assert requested_resume(None, after) == after  # None: no resume point, 0: the start
    assert requested_resume("  ", after) == after


def test_a_negative_query_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="never negative"):
        requested_resume(None, -1)
