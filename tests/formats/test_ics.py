"""ICS feeds: what calendar software reads back is exactly our own schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import recurring_ical_events
from icalendar import Calendar

from hashchat.domain.schedule import Recurrence, ScheduleError, SeriesSchedule, occurrences
from hashchat.formats.ics import CalendarEntry, calendar_ics, event_uid

KAIZEN = SeriesSchedule(
    "Europe/London",
    datetime(2026, 1, 2, 17, 0),
    60,
    Recurrence("weekly"),
    frozenset({date(2026, 12, 25), date(2027, 1, 1)}),
)
KAIZEN_ENTRY = CalendarEntry(
    tag="#KaizenBiz",
    title="Kaizen Business Chat",
    schedule=KAIZEN,
    announcement_zones=("Europe/London", "America/New_York", "America/Los_Angeles"),
    guide="Answer with A1, A2 … and add #KaizenBiz.",
    url="https://chat.example.org/kaizenbiz",
)


def read_back(ics: bytes, window: tuple[datetime, datetime]) -> list[datetime]:
    calendar = Calendar.from_ical(ics)
    events = recurring_ical_events.of(calendar).between(*window)
    return sorted(event["DTSTART"].dt.astimezone(UTC) for event in events)


def ours(schedule: SeriesSchedule, window: tuple[datetime, datetime]) -> list[datetime]:
    # Calendar software returns the events overlapping the window, so ask for the same.
    starts = occurrences(schedule, after=window[0] - schedule.duration, limit=10_000)
    return [
        start for start in starts if window[0] < start + schedule.duration and start < window[1]
    ]


def the_event(ics: bytes) -> Calendar:
    events = Calendar.from_ical(ics).walk("VEVENT")
    assert len(events) == 1
    return events[0]


@pytest.mark.parametrize(
    "schedule",
    [
        pytest.param(KAIZEN, id="london-weekly-with-skips"),
        pytest.param(
            SeriesSchedule(
                "America/New_York",
                datetime(2026, 1, 29, 20, 0),
                45,
                Recurrence("monthly", weekday=3, nth=-1),
                frozenset({date(2026, 11, 26)}),
            ),
            id="new-york-last-thursday",
        ),
        pytest.param(
            SeriesSchedule(
                "Europe/Berlin", datetime(2026, 2, 6, 9, 0), 60, Recurrence("monthly", nth=1)
            ),
            id="berlin-first-friday",
        ),
        pytest.param(
            SeriesSchedule(
                "Australia/Sydney",
                datetime(2026, 1, 3, 4, 0),
                60,
                Recurrence("weekly", interval=2),
                frozenset({date(2026, 4, 11)}),
            ),
            id="sydney-every-two-weeks",
        ),
        pytest.param(
            SeriesSchedule(
                "America/New_York", datetime(2026, 1, 4, 2, 30), 60, Recurrence("weekly")
            ),
            id="new-york-through-the-gap-and-the-fold",
        ),
        pytest.param(
            SeriesSchedule(
                "Pacific/Auckland",
                datetime(2026, 1, 7, 19, 30),
                60,
                Recurrence("weekly", until=date(2026, 12, 30)),
            ),
            id="auckland-until",
        ),
        pytest.param(
            SeriesSchedule(
                "Europe/London",
                datetime(2026, 3, 6, 17, 0),
                60,
                Recurrence("weekly", count=40),
                frozenset({date(2026, 4, 3)}),
            ),
            id="london-count-with-skip",
        ),
    ],
)
def test_calendar_software_reads_back_exactly_our_occurrences(schedule: SeriesSchedule) -> None:
    window = (datetime(2025, 12, 1, 3, 17, tzinfo=UTC), datetime(2027, 3, 1, 3, 17, tzinfo=UTC))
    ics = calendar_ics(CalendarEntry("#Chat", "A chat", schedule))
    expected = ours(schedule, window)
    assert len(expected) >= 12
    assert read_back(ics, window) == expected


def test_a_series_event_carries_rrule_exdate_zone_duration_and_words() -> None:
    event = the_event(calendar_ics(KAIZEN_ENTRY))
    assert str(event["UID"]) == "series-kaizenbiz@hashchat"
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event["DTSTART"].dt == datetime(2026, 1, 2, 17, 0, tzinfo=KAIZEN.zone)
    assert event["DURATION"].dt == timedelta(hours=1)
    assert event["RRULE"]["FREQ"] == ["WEEKLY"]
    assert event["RRULE"]["BYDAY"] == ["FR"]
    exdates = sorted(when.dt.date() for when in event["EXDATE"].dts)
    assert exdates == [date(2026, 12, 25), date(2027, 1, 1)]
    assert str(event["SUMMARY"]) == "Kaizen Business Chat #KaizenBiz"
    assert str(event["DESCRIPTION"]) == (
        "Friday, January 2, 2026 at 5pm GMT/12pm ET/9am PT\n\n"
        "Answer with A1, A2 … and add #KaizenBiz."
    )
    assert str(event["URL"]) == "https://chat.example.org/kaizenbiz"


def test_the_calendar_describes_the_home_zone_in_a_vtimezone() -> None:
    calendar = Calendar.from_ical(calendar_ics(KAIZEN_ENTRY))
    zones = calendar.walk("VTIMEZONE")
    assert [str(zone["TZID"]) for zone in zones] == ["Europe/London"]
    names = {str(part["TZNAME"]) for part in zones[0].subcomponents}
    assert names == {"GMT", "BST"}
    assert calendar.get_missing_tzids() == set()


def test_two_display_reminders_two_hours_and_thirty_minutes_before() -> None:
    alarms = the_event(calendar_ics(KAIZEN_ENTRY)).walk("VALARM")
    assert [str(alarm["ACTION"]) for alarm in alarms] == ["DISPLAY", "DISPLAY"]
    assert [alarm["TRIGGER"].dt for alarm in alarms] == [
        timedelta(hours=-2),
        timedelta(minutes=-30),
    ]
    assert [str(alarm["DESCRIPTION"]) for alarm in alarms] == [
        "Kaizen Business Chat #KaizenBiz starts in 2 hours",
        "Kaizen Business Chat #KaizenBiz starts in 30 minutes",
    ]


def test_the_same_input_gives_the_same_bytes() -> None:
    assert calendar_ics(KAIZEN_ENTRY) == calendar_ics(KAIZEN_ENTRY)
    again = CalendarEntry(**{name: getattr(KAIZEN_ENTRY, name) for name in KAIZEN_ENTRY.__slots__})
    assert calendar_ics(again) == calendar_ics(KAIZEN_ENTRY)


def test_dtstamp_comes_from_the_injected_stamp_or_else_the_first_start() -> None:
    derived = the_event(calendar_ics(KAIZEN_ENTRY))
    assert derived["DTSTAMP"].dt == datetime(2026, 1, 2, 17, 0, tzinfo=UTC)
    stamp = datetime(2025, 11, 30, 8, 15, tzinfo=UTC)
    injected = the_event(calendar_ics(KAIZEN_ENTRY, stamp=stamp))
    assert injected["DTSTAMP"].dt == stamp


def test_until_is_written_in_utc_and_includes_the_last_local_day() -> None:
    schedule = SeriesSchedule(
        "Australia/Sydney",
        datetime(2026, 1, 2, 4, 0),
        60,
        Recurrence("weekly", until=date(2026, 1, 16)),
    )
    ics = calendar_ics(CalendarEntry("#Chat", "A chat", schedule))
    until = the_event(ics)["RRULE"]["UNTIL"][0]
    assert until.tzinfo is not None
    assert until.utcoffset() == timedelta(0)
    window = (datetime(2025, 12, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC))
    assert len(read_back(ics, window)) == 3


def test_a_series_whose_rule_starts_after_the_given_start_puts_dtstart_on_its_first_date() -> None:
    schedule = SeriesSchedule(
        "Europe/London", datetime(2026, 1, 5, 17, 0), 60, Recurrence("weekly", weekday=4)
    )
    event = the_event(calendar_ics(CalendarEntry("#Chat", "A chat", schedule)))
    assert event["DTSTART"].dt.replace(tzinfo=None) == datetime(2026, 1, 9, 17, 0)


def test_a_single_chat_is_one_event_without_rrule() -> None:
    chat = SeriesSchedule("America/Chicago", datetime(2026, 7, 10, 11, 0), 90)
    entry = CalendarEntry("#AgChat", "Harvest special", chat, chat_id="42")
    ics = calendar_ics(entry)
    event = the_event(ics)
    assert "RRULE" not in event
    assert "EXDATE" not in event
    assert str(event["UID"]) == "chat-agchat-42@hashchat"
    assert event["DURATION"].dt == timedelta(minutes=90)
    window = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert read_back(ics, window) == [datetime(2026, 7, 10, 16, 0, tzinfo=UTC)]
    assert str(event["DESCRIPTION"]) == "Friday, July 10, 2026 at 11am CT"
    assert len(event.walk("VALARM")) == 2


def test_a_single_chat_without_an_id_takes_its_uid_from_its_start() -> None:
    chat = SeriesSchedule("Europe/London", datetime(2026, 7, 10, 17, 0))
    assert (
        event_uid(CalendarEntry("#KaizenBiz", "K", chat))
        == "chat-kaizenbiz-20260710t1600z@hashchat"
    )


def test_the_tag_is_not_repeated_when_the_title_has_it() -> None:
    entry = CalendarEntry("#KaizenBiz", "#KaizenBiz weekly", KAIZEN)
    assert str(the_event(calendar_ics(entry))["SUMMARY"]) == "#KaizenBiz weekly"


def test_a_naive_stamp_is_refused_because_it_would_depend_on_the_machine() -> None:
    with pytest.raises(ScheduleError, match="stamp 2026-01-01T00:00:00 has no time zone"):
        calendar_ics(KAIZEN_ENTRY, stamp=datetime(2026, 1, 1))


def test_tags_in_any_script_get_their_own_uids() -> None:
    uids = {
        event_uid(CalendarEntry(tag, "t", KAIZEN)) for tag in ("#日本語チャット", "#café", "#cafe")
    }
    assert uids == {
        "series-日本語チャット@hashchat",
        "series-café@hashchat",
        "series-cafe@hashchat",
    }
