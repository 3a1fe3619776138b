"""Opening hours, slots, booking rules and occupancy (grappe.engine.bookings)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grappe.engine.bookings import (
    BookingError,
    Rules,
    booking_refusals,
    cancellation_refusal,
    day_slots,
    format_day_hours,
    occupancy,
    open_minutes,
    open_spans,
    parse_day_hours,
    parse_weekly_hours,
)

WEEK = parse_weekly_hours(["09:00-22:00"] * 5 + ["10:00-18:00", ""])
ALWAYS = parse_weekly_hours(["00:00-24:00"] * 7)
MONDAY = date(2026, 3, 2)
NOW = datetime.combine(date(2026, 3, 1), time(12, 0))  # local wall-clock times
RULES = Rules(slot_minutes=60, min_notice_minutes=120, cancellation_deadline_minutes=24 * 60)


def at(day: date, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime.combine(day, time(h, m))


def codes(refusals) -> list[str]:
    return [r.code for r in refusals]


# ----------------------------------------------------------------- opening hours


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00-12:00, 14:00-22:00", ((540, 720), (840, 1320))),
        ("9h-12h", ((540, 720),)),
        ("14h30 - 18h", ((870, 1080),)),
        ("00:00-24:00", ((0, 1440),)),
        ("", ()),
        ("fermé", ()),
    ],
)
def test_day_hours_are_parsed(text, expected):
    assert parse_day_hours(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("neuf heures", "illisibles"),
        ("12:00-09:00", "finit avant de commencer"),
        ("09:00-13:00, 12:00-14:00", "se chevauchent"),
        ("25:00-26:00", "invalide"),
    ],
)
def test_bad_day_hours_are_refused_in_french(text, message):
    with pytest.raises(BookingError, match=message):
        parse_day_hours(text)


def test_weekly_hours_name_the_bad_day_and_need_seven_days():
    with pytest.raises(BookingError, match="Mercredi"):
        parse_weekly_hours(["9-12", "9-12", "midi", "", "", "", ""])
    with pytest.raises(BookingError, match="7 valeurs"):
        parse_weekly_hours(["9-12"])


def test_format_round_trips():
    assert format_day_hours(parse_day_hours("9h-12h,14h-22h")) == "09:00-12:00, 14:00-22:00"
    assert format_day_hours(()) == ""


def test_open_spans_merge_across_midnight_and_skip_closures():
    spans = open_spans(MONDAY, MONDAY + timedelta(days=2), ALWAYS, [(MONDAY + timedelta(1),) * 2])
    assert spans == [
        (at(MONDAY, "00:00"), at(MONDAY + timedelta(1), "00:00")),
        (at(MONDAY + timedelta(2), "00:00"), at(MONDAY + timedelta(3), "00:00")),
    ]


def test_day_slots_follow_the_opening_and_the_slot_length():
    slots = day_slots(MONDAY + timedelta(days=5), WEEK, [], 120)  # Saturday 10-18
    assert [(s.hour, e.hour) for s, e in slots] == [(10, 12), (12, 14), (14, 16), (16, 18)]
    assert day_slots(MONDAY + timedelta(days=6), WEEK, [], 60) == []  # Sunday closed
    assert day_slots(MONDAY, WEEK, [(MONDAY, MONDAY)], 60) == []


def test_open_minutes_of_a_week():
    assert open_minutes(MONDAY, MONDAY + timedelta(days=6), WEEK) == 5 * 13 * 60 + 8 * 60


# ------------------------------------------------------------------------ rules


def test_a_valid_request_has_no_refusal():
    assert (
        booking_refusals(
            at(MONDAY, "10:00"), at(MONDAY, "12:00"), now=NOW, weekly=WEEK, rules=RULES
        )
        == []
    )


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        ("12:00", "10:00", "order"),
        ("08:00", "10:00", "hours"),
        ("21:00", "23:00", "hours"),
        ("10:30", "11:30", "slot"),
        ("10:00", "10:30", "slot"),
    ],
)
def test_requests_outside_the_rules_are_refused(start, end, code):
    refusals = booking_refusals(
        at(MONDAY, start), at(MONDAY, end), now=NOW, weekly=WEEK, rules=RULES
    )
    assert code in codes(refusals)
    assert all(str(r) for r in refusals)


def test_past_and_short_notice_are_refused():
    start = at(MONDAY, "10:00")
    past = booking_refusals(
        start,
        start + timedelta(hours=1),
        now=start + timedelta(minutes=1),
        weekly=WEEK,
        rules=RULES,
    )
    assert codes(past) == ["past"]
    late = booking_refusals(
        start,
        start + timedelta(hours=1),
        now=start - timedelta(minutes=90),
        weekly=WEEK,
        rules=RULES,
    )
    assert codes(late) == ["notice"]
    assert "2 h" in str(late[0])


def test_closures_refuse_every_day_they_touch():
    refusals = booking_refusals(
        at(MONDAY, "10:00"),
        at(MONDAY, "11:00"),
        now=NOW,
        weekly=WEEK,
        closures=[(MONDAY, MONDAY)],
        rules=RULES,
    )
    assert codes(refusals) == ["closed"]


def test_a_van_can_be_booked_over_a_weekend_when_open_around_the_clock():
    friday = MONDAY + timedelta(days=4)
    rules = Rules(slot_minutes=240)
    ok = booking_refusals(
        at(friday, "16:00"), at(friday + timedelta(2), "20:00"), now=NOW, weekly=ALWAYS, rules=rules
    )
    assert ok == []
    # Not over a day the van is closed.
    closed = booking_refusals(
        at(friday, "16:00"),
        at(friday + timedelta(2), "20:00"),
        now=NOW,
        weekly=ALWAYS,
        closures=[(friday + timedelta(1), friday + timedelta(1))],
        rules=rules,
    )
    assert codes(closed) == ["closed"]


def test_monthly_maximum_counts_what_the_firm_already_holds():
    rules = Rules(slot_minutes=60, max_minutes_per_month=10 * 60)
    start = at(MONDAY, "10:00")
    assert (
        booking_refusals(
            start,
            start + timedelta(hours=2),
            now=NOW,
            weekly=WEEK,
            rules=rules,
            booked_minutes_in_month=8 * 60,
        )
        == []
    )
    over = booking_refusals(
        start,
        start + timedelta(hours=3),
        now=NOW,
        weekly=WEEK,
        rules=rules,
        booked_minutes_in_month=8 * 60,
    )
    assert codes(over) == ["quota"]
    assert "il lui reste 2 h" in str(over[0])


def test_cancellation_deadline():
    start = at(MONDAY, "10:00")
    assert cancellation_refusal(start, now=start - timedelta(hours=25), rules=RULES) is None
    assert (
        cancellation_refusal(start, now=start - timedelta(hours=23), rules=RULES).code == "deadline"
    )
    assert cancellation_refusal(start, now=start, rules=RULES).code == "started"


@settings(max_examples=200, deadline=None)
@given(
    day_offset=st.integers(0, 13),
    start_minute=st.integers(0, 24 * 60 - 1),
    slots=st.integers(1, 8),
    slot=st.sampled_from([30, 60, 90, 120]),
)
def test_every_offered_slot_is_accepted(day_offset, start_minute, slots, slot):
    """What day_slots offers, booking_refusals accepts (far enough ahead, no quota)."""
    day = MONDAY + timedelta(days=day_offset)
    rules = Rules(slot_minutes=slot)
    for start, end in day_slots(day, WEEK, [], slot):
        assert booking_refusals(start, end, now=NOW, weekly=WEEK, rules=rules) == []
    # And a request is accepted only if it is a run of whole slots of an open day.
    start = datetime.combine(day, datetime.min.time()) + timedelta(minutes=start_minute)
    end = start + timedelta(minutes=slots * slot)
    accepted = booking_refusals(start, end, now=NOW, weekly=WEEK, rules=rules) == []
    offered = {s for s, _e in day_slots(day, WEEK, [], slot)}
    if accepted:
        assert start in offered


# -------------------------------------------------------------------- occupancy


def test_occupancy_counts_booked_time_within_opening_hours():
    bookings = [
        (at(MONDAY, "08:00"), at(MONDAY, "10:00")),
        (at(MONDAY, "12:00"), at(MONDAY, "15:00")),
    ]
    result = occupancy(bookings, MONDAY, MONDAY, WEEK)
    assert (result.booked_minutes, result.open_minutes) == (4 * 60, 13 * 60)
    assert result.percent == 31
    assert (
        occupancy([], MONDAY + timedelta(days=6), MONDAY + timedelta(days=6), WEEK).percent is None
    )
