"""Shared employees: planning, billing and demand (grappe.engine.timeshare)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grappe.engine.timeshare import (
    Capacity,
    ConflictKind,
    Need,
    OneOff,
    Recurring,
    TimeshareError,
    available_hours,
    demand_for_new_post,
    fr_date,
    hourly_cost,
    monthly_billing,
    monthly_bills,
    plan,
)

D = Decimal
# At most 100 examples (fewer if the hypothesis profile asks, as "ci" does): the
# planning properties check exact answers against brute force on generated edge cases
# rather than rely on sheer numbers.
PROPERTY = settings(max_examples=min(100, settings.default.max_examples), deadline=None)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

FULL_TIME = Capacity.weekly(35)  # 7 h a day, Monday to Friday


def messages(result):
    return [str(conflict.message) for conflict in result.conflicts]


def offered(result):
    return [str(alternative.message) for alternative in result.alternatives]


# --------------------------------------------------------------------------- capacity


def test_default_capacity_spreads_the_week_over_monday_to_friday():
    assert FULL_TIME.weekly_hours == 35
    assert FULL_TIME.daily_hours == (7, 7, 7, 7, 7, 0, 0)


def test_capacity_with_stated_days():
    capacity = Capacity.weekly(D("24"), days={TUE: 8, THU: D("8"), SAT: D("8")})
    assert capacity.daily_hours == (0, 8, 0, 8, 0, 8, 0)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Capacity.weekly(0), "La capacité hebdomadaire doit être positive."),
        (
            lambda: Capacity.weekly(35.0),
            "La capacité hebdomadaire doit être un nombre d'heures exact (Decimal ou entier), "
            "pas 35.0.",
        ),
        (
            lambda: Capacity.weekly(35, days={7: 7}),
            "Jour de la semaine invalide (7) : de 0 (lundi) à 6 (dimanche).",
        ),
        (
            lambda: Capacity(weekly_hours=D(35), daily_hours=(D(7),) * 5),
            "Il faut une disponibilité par jour, du lundi au dimanche (7 valeurs).",
        ),
        (
            lambda: Capacity.weekly(35, days={MON: -1}),
            "La disponibilité du lundi est invalide (-1) : il faut un nombre d'heures "
            "positif ou nul.",
        ),
    ],
)
def test_capacity_refusals(build, message):
    with pytest.raises(TimeshareError) as refused:
        build()
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: Recurring(member="a", weekday=TUE, hours=0),
            "Le nombre d'heures est invalide (0) : il faut un nombre d'heures positif.",
        ),
        (
            lambda: Recurring(member="a", weekday=TUE, hours=True),
            "Le nombre d'heures doit être un nombre d'heures exact (Decimal ou entier), pas True.",
        ),
        (
            lambda: Recurring(
                member="a", weekday=TUE, hours=7, starts=date(2025, 3, 10), ends=date(2025, 3, 3)
            ),
            "La demande finit (lundi 3 mars 2025) avant de commencer (lundi 10 mars 2025).",
        ),
        (
            lambda: OneOff(member="a", day="2025-03-11", hours=7),
            "La date doit être une date (sans heure), pas '2025-03-11'.",
        ),
    ],
)
def test_request_refusals(build, message):
    with pytest.raises(TimeshareError) as refused:
        build()
    assert str(refused.value) == message


def test_a_recurring_request_with_no_such_weekday_between_its_dates_is_refused():
    request = Recurring(
        member="a", weekday=TUE, hours=7, starts=date(2025, 3, 12), ends=date(2025, 3, 13)
    )
    with pytest.raises(TimeshareError) as refused:
        plan(FULL_TIME, [], request)
    assert (
        str(refused.value) == "Aucun mardi entre le mercredi 12 mars 2025 et le jeudi 13 mars 2025."
    )


def test_french_dates():
    assert fr_date(date(2025, 3, 1)) == "samedi 1er mars 2025"
    assert fr_date(date(2025, 8, 12), weekday=False) == "12 août 2025"


# ---------------------------------------------------------------------------- planning


def test_request_that_fits_is_accepted():
    existing = [Recurring(member="label", weekday=TUE, hours=7)]
    result = plan(FULL_TIME, existing, Recurring(member="studio", weekday=WED, hours=7))
    assert result.accepted
    assert result.conflicts == () and result.alternatives == ()
    assert str(result.message) == "La demande tient dans le planning : 7 h chaque mercredi."
    assert result.available_hours == 7


def test_one_day_a_week_on_a_full_tuesday_is_explained_with_alternatives():
    existing = [
        Recurring(member="label", weekday=TUE, hours=7),
        Recurring(member="salle", weekday=WED, hours=4),
    ]
    result = plan(FULL_TIME, existing, Recurring(member="studio", weekday=TUE, hours=7))
    assert not result.accepted
    assert str(result.message) == "La demande ne tient pas dans le planning."
    assert messages(result) == ["Mardi est déjà complet : 7 h sur 7 h réservées"]
    (conflict,) = result.conflicts
    assert (conflict.kind, conflict.weekday, conflict.day) == (ConflictKind.DAY, TUE, None)
    assert (conflict.booked, conflict.capacity, conflict.room) == (7, 7, 0)
    assert offered(result) == [
        "Lundi : 7 h de libre",
        "Jeudi : 7 h de libre",
        "Vendredi : 7 h de libre",
    ]
    assert [alternative.request.weekday for alternative in result.alternatives] == [MON, THU, FRI]
    assert result.explanation() == (
        "La demande ne tient pas dans le planning.\n"
        "Mardi est déjà complet : 7 h sur 7 h réservées\n"
        "Autres possibilités :\n"
        "- Lundi : 7 h de libre\n"
        "- Jeudi : 7 h de libre\n"
        "- Vendredi : 7 h de libre"
    )


def test_partly_booked_day_offers_fewer_hours():
    existing = [Recurring(member="salle", weekday=WED, hours=4)]
    capacity = Capacity.weekly(14, days={WED: 7, THU: 7})
    result = plan(capacity, existing, Recurring(member="studio", weekday=WED, hours=7))
    assert messages(result) == ["Mercredi n'a plus que 3 h de libre sur 7 h (demande : 7 h)"]
    assert offered(result) == ["Jeudi : 7 h de libre", "Réduire à 3 h le mercredi"]
    reduced = result.alternatives[-1].request
    assert reduced == Recurring(member="studio", weekday=WED, hours=D(3))


def test_full_week_is_explained_even_when_the_day_is_free():
    capacity = Capacity.weekly(20, days=dict.fromkeys(range(5), 7))
    existing = [
        Recurring(member="a", weekday=MON, hours=7),
        Recurring(member="b", weekday=TUE, hours=7),
        Recurring(member="c", weekday=WED, hours=6),
    ]
    result = plan(capacity, existing, Recurring(member="d", weekday=THU, hours=1))
    assert messages(result) == ["La semaine est déjà complète : 20 h sur 20 h réservées"]
    assert result.conflicts[0].kind is ConflictKind.WEEK
    assert result.alternatives == ()  # no other day helps when the week is full
    assert result.available_hours == 0


def test_day_and_week_conflicts_are_both_reported_with_dates():
    existing = [
        Recurring(member=name, weekday=weekday, hours=7)
        for name, weekday in [("a", MON), ("b", TUE), ("c", WED), ("d", THU)]
    ] + [OneOff(member="e", day=date(2025, 3, 14), hours=5)]
    request = Recurring(member="f", weekday=FRI, hours=7, starts=date(2025, 3, 3))
    result = plan(FULL_TIME, existing, request)
    assert messages(result) == [
        "Le vendredi 14 mars 2025 n'a plus que 2 h de libre sur 7 h (demande : 7 h)",
        "La semaine du 10 mars 2025 n'a plus que 2 h de libre sur 35 h (demande : 7 h)",
    ]
    assert {conflict.day for conflict in result.conflicts} == {date(2025, 3, 14)}
    assert offered(result) == ["Réduire à 2 h le vendredi"]


def test_undated_pattern_blocked_later_names_the_first_blocked_day():
    existing = [Recurring(member="a", weekday=TUE, hours=7, starts=date(2025, 9, 2))]
    result = plan(FULL_TIME, existing, Recurring(member="b", weekday=TUE, hours=3))
    assert messages(result) == [
        "Le mardi 2 septembre 2025 est déjà complet : 7 h sur 7 h réservées"
    ]


def test_recurring_request_ending_before_a_booking_starts_fits():
    existing = [Recurring(member="a", weekday=TUE, hours=7, starts=date(2025, 9, 2))]
    request = Recurring(member="b", weekday=TUE, hours=7, ends=date(2025, 9, 1))
    assert plan(FULL_TIME, existing, request).accepted


def test_recurring_request_collides_with_a_one_off_in_its_range_only():
    existing = [OneOff(member="a", day=date(2025, 6, 3), hours=5)]
    before = Recurring(member="b", weekday=TUE, hours=7, ends=date(2025, 6, 2))
    across = Recurring(member="b", weekday=TUE, hours=7, starts=date(2025, 5, 6))
    assert plan(FULL_TIME, existing, before).accepted
    result = plan(FULL_TIME, existing, across)
    assert messages(result) == [
        "Le mardi 3 juin 2025 n'a plus que 2 h de libre sur 7 h (demande : 7 h)"
    ]


def test_one_off_on_a_full_day_offers_other_days_of_the_week_and_the_next_week():
    existing = [
        Recurring(member="a", weekday=TUE, hours=7, ends=date(2025, 3, 11)),
        Recurring(member="b", weekday=MON, hours=7),
        Recurring(member="c", weekday=THU, hours=4),
    ]
    result = plan(FULL_TIME, existing, OneOff(member="d", day=date(2025, 3, 11), hours=7))
    assert messages(result) == ["Le mardi 11 mars 2025 est déjà complet : 7 h sur 7 h réservées"]
    assert offered(result) == [
        "Mercredi 12 mars 2025 : 7 h de libre",
        "Vendredi 14 mars 2025 : 7 h de libre",
        "Mardi 18 mars 2025 : 7 h de libre",
    ]


def test_day_off_is_explained():
    result = plan(FULL_TIME, [], OneOff(member="a", day=date(2025, 3, 15), hours=2))
    assert messages(result) == ["Le samedi 15 mars 2025 n'est pas un jour travaillé"]
    assert result.conflicts[0].kind is ConflictKind.DAY_OFF
    assert str(result.alternatives[0].message) == "Lundi 10 mars 2025 : 7 h de libre"


def test_half_hours_and_singular_agreement():
    capacity = Capacity.weekly(D("1.5"), days={MON: D("1.5")})
    existing = [OneOff(member="a", day=date(2025, 3, 10), hours=D("1.5"))]
    result = plan(capacity, existing, OneOff(member="b", day=date(2025, 3, 10), hours=D("0.5")))
    assert messages(result) == [
        "Le lundi 10 mars 2025 est déjà complet : 1,5 h sur 1,5 h réservée",
        "La semaine du 10 mars 2025 est déjà complète : 1,5 h sur 1,5 h réservée",
    ]


def test_conflict_messages_carry_template_and_params_for_translation():
    existing = [Recurring(member="a", weekday=TUE, hours=7)]
    result = plan(FULL_TIME, existing, Recurring(member="b", weekday=TUE, hours=7))
    message = result.conflicts[0].message
    assert message.template == (
        "%(subject)s est déjà complet : %(booked)s h sur %(capacity)s h réservées"
    )
    assert dict(message.params) == {"subject": "Mardi", "booked": "7", "capacity": "7"}
    english = {message.template: "%(subject)s is fully booked: %(booked)s h of %(capacity)s h"}
    assert message.render(english.__getitem__) == "Mardi is fully booked: 7 h of 7 h"


def test_plan_refuses_what_is_not_an_allocation():
    with pytest.raises(TimeshareError, match=r"^Réservation invalide"):
        plan(FULL_TIME, [("a", TUE, 7)], Recurring(member="b", weekday=TUE, hours=7))


# ------------------------------------------------------------------ planning properties

ORIGIN = date(2025, 3, 3)  # a Monday
# A short horizon, so that allocations often share a week.
HORIZON_WEEKS = 4
hours_values = st.integers(min_value=1, max_value=16).map(lambda halves: D(halves) / 2)
small_hours = st.integers(min_value=1, max_value=8).map(lambda halves: D(halves) / 2)
days_in_horizon = st.integers(min_value=0, max_value=HORIZON_WEEKS * 7 - 1).map(
    lambda offset: ORIGIN + timedelta(days=offset)
)
# Up to 8 h a day and up to 12 h a week: either limit may bind.
capacities = st.builds(
    lambda weekly, daily: Capacity(weekly_hours=weekly, daily_hours=tuple(daily)),
    st.integers(min_value=1, max_value=24).map(lambda halves: D(halves) / 2),
    st.lists(
        st.integers(min_value=0, max_value=16).map(lambda halves: D(halves) / 2),
        min_size=7,
        max_size=7,
    ),
)
members = st.sampled_from("abcdef")
weekdays = st.integers(0, 6)
maybe_days = st.none() | days_in_horizon


def monday_of(day):
    return day - timedelta(days=day.weekday())


def recurring(member, weekday, hours, starts, ends):
    if starts is not None and ends is not None and ends < starts:
        starts, ends = ends, starts
    if starts is not None and ends is not None and (ends - starts).days < 7:
        ends = starts + timedelta(days=7)  # contains every weekday
    return Recurring(member=member, weekday=weekday, hours=hours, starts=starts, ends=ends)


# Strategies are built once, here: a composite that built `st.one_of(...)` at every
# draw spent most of the run building and validating strategies.
one_offs = st.builds(OneOff, member=members, day=days_in_horizon, hours=hours_values)
recurrings = st.builds(recurring, members, weekdays, hours_values, maybe_days, maybe_days)
requests = one_offs | recurrings

# Bookings placed within three days of one of the request's dates (its start, end or
# day): the planner's mistakes hide at the edges of a request's first and last weeks,
# which dates drawn over the whole horizon seldom hit. Against the bug of the example
# below (a booking after a request's last day but in its last week, not counted), these
# properties fail about every other run of 100 examples; before, with dates drawn over
# eight weeks, about one run of 200 examples in twenty.
booking_specs = st.tuples(
    st.sampled_from(["one-off", "from", "until"]),
    members,
    weekdays,
    small_hours,
    st.integers(0, 1),  # which of the request's dates
    st.integers(-3, 3),  # days from it
    st.none() | st.integers(0, 14),  # the other end of a weekly booking, if any
)


@st.composite
def requests_and_bookings(draw):
    request = draw(recurrings if draw(st.integers(0, 2)) else one_offs)  # 2 weekly for 1
    anchors = request.breakpoints() or (ORIGIN + timedelta(weeks=HORIZON_WEEKS // 2),)
    bookings = []
    for kind, member, weekday, hours, anchor, offset, length in draw(
        st.lists(booking_specs, min_size=1, max_size=3)
    ):
        day = anchors[anchor % len(anchors)] + timedelta(days=offset)
        other_end = None if length is None else timedelta(days=length)
        if kind == "one-off":
            bookings.append(OneOff(member=member, day=day, hours=hours))
        elif kind == "from":
            ends = None if other_end is None else day + other_end
            bookings.append(recurring(member, weekday, hours, day, ends))
        else:
            starts = None if other_end is None else day - other_end
            bookings.append(recurring(member, weekday, hours, starts, day))
    return request, bookings


# Brute force, day by day. Loads are the same in every week before the first
# breakpoint (a start, an end, a one-off) and in every week after the last but one,
# so a window with two weeks to spare on each side of the breakpoints stands for all
# time. The strategies keep every breakpoint within five weeks of the horizon.
WINDOW_START = ORIGIN - timedelta(weeks=6)
WINDOW = [WINDOW_START + timedelta(days=offset) for offset in range((HORIZON_WEEKS + 14) * 7)]
SAFE = (WINDOW[0] + timedelta(weeks=2), WINDOW[-1] - timedelta(weeks=3))


def assert_in_window(allocations):
    assert all(SAFE[0] <= day <= SAFE[1] for a in allocations for day in a.breakpoints())


class Brute:
    """Day and week loads, counted day by day over the window (which starts on a Monday)."""

    def __init__(self, capacity, allocations=()):
        self.capacity = capacity
        self.day = [D(0)] * len(WINDOW)
        for allocation in allocations:
            self.add(allocation)

    @staticmethod
    def days_of(allocation):
        """Indexes in the window of the days ``allocation`` applies on."""
        assert_in_window([allocation])
        if isinstance(allocation, OneOff):  # no need to look at other days
            return [(allocation.day - WINDOW_START).days]
        return [
            index
            for index in range(allocation.weekday, len(WINDOW), 7)
            if allocation.applies_on(WINDOW[index])
        ]

    def add(self, allocation):
        for index in self.days_of(allocation):
            self.day[index] += allocation.hours

    def weeks(self):
        return [sum(self.day[monday : monday + 7], D(0)) for monday in range(0, len(WINDOW), 7)]

    def overload(self):
        """The first day, or the first week's Monday, over capacity, and its load; or None."""
        for index, day in enumerate(WINDOW):
            if self.day[index] > self.capacity.daily_hours[day.weekday()]:
                return day, self.day[index]
        for week, hours in enumerate(self.weeks()):
            if hours > self.capacity.weekly_hours:
                return WINDOW[week * 7], hours
        return None

    def room(self, request):
        """The most hours ``request`` could take: the least room left on any of its days."""
        weeks = self.weeks()
        return max(
            D(0),
            min(
                min(
                    self.capacity.daily_hours[WINDOW[index].weekday()] - self.day[index],
                    self.capacity.weekly_hours - weeks[index // 7],
                )
                for index in self.days_of(request)
            ),
        )


def fits(capacity, allocations):
    return Brute(capacity, allocations).overload() is None


def accept_all_that_fit(capacity, stream):
    accepted = []
    for request in stream:
        if plan(capacity, accepted, request).accepted:
            accepted.append(request)
    return accepted


def same_request_other_days(request):
    """The request moved to other days, and to the edges of its first and last weeks.

    A weekly request on each weekday, and also starting or ending on that weekday of
    its first or last week; a one-off on each day of its week and of the next.
    """
    if isinstance(request, OneOff):
        monday = monday_of(request.day)
        return [replace(request, day=monday + timedelta(days=offset)) for offset in range(14)]
    moved = []
    for weekday in range(7):
        moved.append(replace(request, weekday=weekday))
        if request.ends is not None:
            ends = monday_of(request.ends) + timedelta(days=weekday)
            if request.starts is None or ends - request.starts >= timedelta(days=7):
                moved.append(replace(request, weekday=weekday, ends=ends))
        if request.starts is not None:
            starts = monday_of(request.starts) + timedelta(days=weekday)
            if request.ends is None or request.ends - starts >= timedelta(days=7):
                moved.append(replace(request, weekday=weekday, starts=starts))
    return moved


# The counterexample hypothesis found: a one-off on Saturday 12 April and a weekly
# Wednesday ending on Wednesday 9 April share the week of 7 April (5.5 h + 2 h > 7 h).
FOUND_CAPACITY = Capacity(weekly_hours=D(7), daily_hours=(0, 0, D("5.5"), 0, 0, 2, 0))
FOUND_STREAM = [OneOff(member="a", day=date(2025, 4, 12), hours=D(2))]
FOUND_REQUEST = Recurring(member="a", weekday=TUE, hours=D("5.5"), ends=date(2025, 4, 9))


def test_a_booking_after_the_last_day_of_a_request_but_in_its_week_counts():
    result = plan(FOUND_CAPACITY, FOUND_STREAM, replace(FOUND_REQUEST, weekday=WED))
    assert not result.accepted
    assert messages(result) == [
        "La semaine du 7 avril 2025 n'a plus que 5 h de libre sur 7 h (demande : 5,5 h)"
    ]
    assert result.available_hours == 5
    assert offered(result) == ["Réduire à 5 h le mercredi"]
    # Tuesday is not worked, and Wednesday is no longer offered with 5.5 h.
    assert offered(plan(FOUND_CAPACITY, FOUND_STREAM, FOUND_REQUEST)) == []


def test_a_recurring_booking_starting_after_the_last_day_of_a_request_counts():
    existing = [Recurring(member="b", weekday=SAT, hours=2, starts=date(2025, 4, 12))]
    request = Recurring(member="a", weekday=WED, hours=D("5.5"), ends=date(2025, 4, 9))
    assert plan(FOUND_CAPACITY, existing, request).available_hours == 5
    assert plan(FOUND_CAPACITY, existing, replace(request, hours=5)).accepted


@PROPERTY
@example(capacity=FOUND_CAPACITY, stream=[*FOUND_STREAM, replace(FOUND_REQUEST, weekday=WED)])
@given(capacity=capacities, stream=st.lists(requests, max_size=12))
def test_plan_accepts_exactly_what_fits(capacity, stream):
    accepted, brute = [], Brute(capacity)
    for request in stream:
        result = plan(capacity, accepted, request)
        assert result.available_hours == brute.room(request), request
        assert result.accepted == (request.hours <= result.available_hours)
        assert bool(result.conflicts) != result.accepted
        if result.accepted:
            accepted.append(request)
            brute.add(request)
    # Loads only grow as requests are accepted: if the last ones fit, all did.
    assert brute.overload() is None


@PROPERTY
@example(capacity=FOUND_CAPACITY, scenario=(FOUND_REQUEST, FOUND_STREAM))
@given(capacity=capacities, scenario=requests_and_bookings())
def test_every_alternative_offered_would_be_accepted(capacity, scenario):
    request, bookings = scenario
    accepted = accept_all_that_fit(capacity, bookings)
    result = plan(capacity, accepted, request)
    for alternative in result.alternatives:
        assert fits(capacity, [*accepted, alternative.request]), alternative.request
        assert plan(capacity, accepted, alternative.request).accepted


@PROPERTY
@example(capacity=FOUND_CAPACITY, scenario=(FOUND_REQUEST, FOUND_STREAM))
@given(capacity=capacities, scenario=requests_and_bookings())
def test_available_hours_is_exactly_the_most_that_fits(capacity, scenario):
    request, bookings = scenario
    accepted = accept_all_that_fit(capacity, bookings)
    brute = Brute(capacity, accepted)
    for candidate in same_request_other_days(request):
        assert available_hours(capacity, accepted, candidate) == brute.room(candidate), candidate
    room = available_hours(capacity, accepted, request)
    assert plan(capacity, accepted, request).available_hours == room
    if room > 0:
        assert fits(capacity, [*accepted, replace(request, hours=room)])
    assert not fits(capacity, [*accepted, replace(request, hours=room + D("0.01"))])


# ----------------------------------------------------------------------------- billing


def test_hourly_cost_divides_the_yearly_loaded_salary():
    assert hourly_cost(D("42000")) == D("26.14")  # 42,000 / 1,607 = 26.1356...
    assert hourly_cost(D("30000"), 1200) == D("25.00")


def test_monthly_billing_charges_hours_at_cost_times_coefficient_plus_fee_share():
    bills = monthly_billing(
        {"label": D("28"), "studio": D("7"), "salle": 0},
        D("26.14"),
        D("1.15"),
        D("100.00"),
    )
    # rate 30.061: 28 h → 841.708 → 841.71; 7 h → 210.427 → 210.43; fee 80/20/0
    assert bills == {"label": D("921.71"), "studio": D("230.43"), "salle": D("0.00")}


def test_monthly_bills_give_the_detail():
    bills = monthly_bills(
        {"label": D("10.5")}, hourly_cost=D("20"), coefficient=D("1.2"), monthly_fee=D("50")
    )
    bill = bills["label"]
    assert (bill.hours, bill.hourly_rate, bill.hours_amount) == (D("10.5"), D("24.0"), D("252.00"))
    assert (bill.fee_share, bill.total) == (D("50.00"), D("302.00"))


def test_fee_is_split_pro_rata_of_hours_to_the_cent():
    bills = monthly_bills(
        {"a": 1, "b": 1, "c": 1}, hourly_cost=0, coefficient=1, monthly_fee=D("100")
    )
    assert [bill.fee_share for bill in bills.values()] == [D("33.34"), D("33.33"), D("33.33")]


def test_a_month_without_hours_splits_the_fee_equally():
    assert monthly_billing({"a": 0, "b": 0}, D("26"), D("1.1"), D("75")) == {
        "a": D("37.50"),
        "b": D("37.50"),
    }


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: monthly_billing({}, D("26"), D("1.1"), D("75")), "Aucun membre à facturer."),
        (
            lambda: monthly_billing({"a": 7.5}, D("26"), D("1.1"), D("75")),
            "Le nombre d'heures de « a » doit être un nombre d'heures exact (Decimal ou entier), "
            "pas 7.5.",
        ),
        (
            lambda: monthly_billing({"a": 7}, 26.0, D("1.1"), D("75")),
            "Le coût horaire doit être un montant exact (Decimal ou entier), pas 26.0.",
        ),
        (
            lambda: monthly_billing({"a": 7}, D("26"), D("1.1"), D("75.005")),
            "Le montant des frais de gestion mensuels (75.005) a plus de deux décimales : "
            "en euros et centimes.",
        ),
        (
            lambda: monthly_billing({"a": -1}, D("26"), D("1.1"), D("75")),
            "Le nombre d'heures de « a » est invalide (-1) : "
            "il faut un nombre d'heures positif ou nul.",
        ),
        (
            lambda: hourly_cost(D("42000"), 0),
            "Le nombre d'heures annuel est invalide (0) : il faut un nombre d'heures positif.",
        ),
    ],
)
def test_billing_refusals(call, message):
    with pytest.raises(TimeshareError) as refused:
        call()
    assert str(refused.value) == message


hours_worked = st.decimals(min_value=0, max_value=200, places=2, allow_nan=False)


@PROPERTY
@given(
    hours=st.dictionaries(st.text(max_size=4), hours_worked, min_size=1, max_size=8),
    cost=st.decimals(min_value=0, max_value=100, places=2, allow_nan=False),
    coefficient=st.decimals(min_value=1, max_value=3, places=2, allow_nan=False),
    fee_cents=st.integers(min_value=0, max_value=10**6),
)
def test_billing_is_cent_exact(hours, cost, coefficient, fee_cents):
    fee = D(f"{fee_cents}E-2")
    bills = monthly_bills(hours, hourly_cost=cost, coefficient=coefficient, monthly_fee=fee)
    assert bills.keys() == hours.keys()
    assert sum(Fraction(bill.fee_share) for bill in bills.values()) == Fraction(fee)
    for member, bill in bills.items():
        for amount in (bill.hours_amount, bill.fee_share, bill.total):
            assert amount.as_tuple().exponent == -2
        exact = Fraction(hours[member]) * Fraction(cost) * Fraction(coefficient)
        assert abs(Fraction(bill.hours_amount) - exact) <= Fraction(1, 200)
        assert bill.total == bill.hours_amount + bill.fee_share
        if any(hours.values()) and hours[member] == 0:
            assert bill.total == 0


# ------------------------------------------------------------------------------ demand


def webmaster_needs():
    return [
        Need(member="label", role="Webmaster", weekly_hours=7),
        Need(member="studio", role="webmaster ", weekly_hours=7),
        Need(member="salle", role="Webmaster", weekly_hours=7),
    ]


def test_three_firms_wanting_a_webmaster_one_day_a_week_justify_a_post():
    (proposal,) = demand_for_new_post(webmaster_needs())
    assert proposal.sufficient
    assert proposal.role == "Webmaster"
    assert proposal.members == ("label", "salle", "studio")
    assert (proposal.weekly_hours, proposal.share_of_full_time) == (21, D("0.6000"))
    assert proposal.explanation() == (
        "Webmaster : 3 entreprises demandent au total 21 h par semaine, soit 60 % d'un "
        "temps plein de 35 h : assez pour créer un poste partagé"
    )


def test_roles_are_grouped_ignoring_case_accents_and_spaces():
    needs = [
        Need(member="a", role="Régisseur  son", weekly_hours=10),
        Need(member="b", role="regisseur son", weekly_hours=10),
    ]
    (proposal,) = demand_for_new_post(needs)
    assert proposal.members == ("a", "b") and proposal.weekly_hours == 20


def test_one_firm_alone_is_not_a_shared_post():
    needs = [Need(member="a", role="Comptable", weekly_hours=30)]
    assert demand_for_new_post(needs) == []
    (proposal,) = demand_for_new_post(needs, include_insufficient=True)
    assert not proposal.sufficient
    assert proposal.explanation() == (
        "Comptable : 1 entreprise demande 30 h par semaine, soit 85,7 % d'un temps plein "
        "de 35 h : il faut au moins 2 entreprises pour partager un poste"
    )


def test_too_few_hours_say_how_many_are_missing():
    needs = [
        Need(member="a", role="Graphiste", weekly_hours=4),
        Need(member="b", role="Graphiste", weekly_hours=D("3.5")),
        Need(member="a", role="Graphiste", weekly_hours=2),  # the same firm's needs add up
    ]
    (proposal,) = demand_for_new_post(needs, include_insufficient=True)
    assert proposal.weekly_hours == D("9.5") and len(proposal.members) == 2
    assert proposal.explanation() == (
        "Graphiste : 2 entreprises demandent au total 9,5 h par semaine, soit 27,1 % d'un "
        "temps plein de 35 h : il manque 8 h par semaine pour atteindre le seuil de 50 % "
        "d'un temps plein"
    )


def test_threshold_and_full_time_are_settings():
    needs = webmaster_needs()
    assert demand_for_new_post(needs, threshold=D("0.7")) == []
    assert demand_for_new_post(needs, full_time_hours=39, threshold=D("0.5"))[0].sufficient


def test_proposals_come_most_hours_first_and_sufficient_first():
    needs = [
        *webmaster_needs(),
        Need(member="a", role="Régisseur", weekly_hours=20),
        Need(member="b", role="Régisseur", weekly_hours=20),
        Need(member="c", role="Juriste", weekly_hours=1),
    ]
    proposals = demand_for_new_post(needs, include_insufficient=True)
    assert [p.role for p in proposals] == ["Régisseur", "Webmaster", "Juriste"]
    assert str(proposals[0].reasons[0]) == "assez pour plus d'un poste partagé"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: demand_for_new_post([], min_members=1),
            "Un poste partagé suppose au moins 2 entreprises (reçu : 1).",
        ),
        (
            lambda: demand_for_new_post([], threshold=0.5),
            "Le seuil doit être une part exacte d'un temps plein, pas 0.5.",
        ),
        (
            lambda: demand_for_new_post([], threshold=0),
            "Le seuil doit être une part positive d'un temps plein, pas 0.",
        ),
        (lambda: Need(member="a", role="  ", weekly_hours=7), "Le besoin doit nommer un métier."),
        (
            lambda: Need(member="a", role="Webmaster", weekly_hours=0),
            "Le besoin hebdomadaire est invalide (0) : il faut un nombre d'heures positif.",
        ),
    ],
)
def test_demand_refusals(call, message):
    with pytest.raises(TimeshareError) as refused:
        call()
    assert str(refused.value) == message
