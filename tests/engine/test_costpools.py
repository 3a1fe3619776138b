"""Cost pools split per period (grappe.engine.costpools)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grappe.engine.allocation import AllocationError, month_bounds
from grappe.engine.costpools import CostPoolError, Spell, split_one_off, split_period

D = Decimal
NOV = month_bounds(2026, 11)  # 30 days


def spell(key, joined=date(2026, 1, 1), left=None, **extra):
    return Spell(key=key, label=f"Firme {key}", joined_on=joined, left_on=left, **extra)


def test_equal_split_of_a_full_month():
    split = split_period(
        D("1000.00"),
        [spell(1), spell(2), spell(3)],
        key="equal",
        first_day=NOV[0],
        last_day=NOV[1],
        starts_on=date(2026, 1, 1),
    )
    assert [s.amount for s in split.shares] == [D("333.34"), D("333.33"), D("333.33")]
    assert split.total == split.amount == D("1000.00")


def test_a_firm_joining_mid_month_pays_for_its_days():
    spells = [spell("a"), spell("b", joined=date(2026, 11, 16))]
    split = split_period(
        D("900.00"),
        spells,
        key="equal",
        first_day=NOV[0],
        last_day=NOV[1],
        starts_on=date(2026, 1, 1),
    )
    shares = {s.key: s for s in split.shares}
    assert shares["a"].presence_days == 30 and shares["b"].presence_days == 15
    assert shares["a"].amount == D("600.00") and shares["b"].amount == D("300.00")


def test_a_firm_that_left_is_not_charged():
    spells = [spell("a"), spell("b", left=date(2026, 10, 31))]
    split = split_period(
        D("500.00"),
        spells,
        key="equal",
        first_day=NOV[0],
        last_day=NOV[1],
        starts_on=date(2026, 1, 1),
    )
    assert [(s.key, s.amount) for s in split.shares] == [("a", D("500.00"))]


def test_surface_key_times_presence():
    spells = [spell("a", surface=D("30")), spell("b", surface=D("10"), joined=date(2026, 11, 16))]
    split = split_period(
        D("700.00"),
        spells,
        key="surface",
        first_day=NOV[0],
        last_day=NOV[1],
        starts_on=date(2026, 1, 1),
    )
    shares = {s.key: s.amount for s in split.shares}
    assert shares == {"a": D("600.00"), "b": D("100.00")}  # 30×30 : 10×15


def test_missing_surface_is_refused():
    with pytest.raises(CostPoolError, match="surface de « Firme b »"):
        split_period(
            D("100.00"),
            [spell("a", surface=1), spell("b")],
            key="surface",
            first_day=NOV[0],
            last_day=NOV[1],
            starts_on=date(2026, 1, 1),
        )


def test_pool_starting_mid_month_is_prorated():
    split = split_period(
        D("300.00"),
        [spell("a")],
        key="equal",
        first_day=NOV[0],
        last_day=NOV[1],
        starts_on=date(2026, 11, 21),
    )
    assert split.amount == D("100.00") and split.days_active == 10


def test_pool_outside_the_period_has_no_split():
    assert (
        split_period(
            D("300.00"),
            [spell("a")],
            key="equal",
            first_day=NOV[0],
            last_day=NOV[1],
            starts_on=date(2026, 12, 1),
        )
        is None
    )
    assert (
        split_period(
            D("300.00"),
            [spell("a")],
            key="equal",
            first_day=NOV[0],
            last_day=NOV[1],
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 10, 31),
        )
        is None
    )


def test_booked_time_key_and_its_fallback():
    spells = [spell("a"), spell("b")]
    split = split_period(
        D("100.00"),
        spells,
        key="booked_time",
        first_day=NOV[0],
        last_day=NOV[1],
        starts_on=date(2026, 1, 1),
        booked_minutes={"a": 180, "b": 60},
    )
    assert {s.key: s.amount for s in split.shares} == {"a": D("75.00"), "b": D("25.00")}
    fallback = split_period(
        D("100.00"),
        spells,
        key="booked_time",
        first_day=NOV[0],
        last_day=NOV[1],
        starts_on=date(2026, 1, 1),
        booked_minutes={},
    )
    assert {s.key: s.amount for s in fallback.shares} == {"a": D("50.00"), "b": D("50.00")}
    assert fallback.notes


def test_custom_shares_ignore_presence_and_must_be_given():
    spells = [spell("a"), spell("b", joined=date(2026, 11, 30))]
    split = split_period(
        D("100.00"),
        spells,
        key="custom",
        first_day=NOV[0],
        last_day=NOV[1],
        starts_on=date(2026, 1, 1),
        custom_weights={"a": 1, "b": 3},
    )
    assert {s.key: s.amount for s in split.shares} == {"a": D("25.00"), "b": D("75.00")}
    with pytest.raises(CostPoolError, match="Aucune part"):
        split_period(
            D("100.00"),
            spells,
            key="custom",
            first_day=NOV[0],
            last_day=NOV[1],
            starts_on=date(2026, 1, 1),
        )


def test_nobody_present_is_refused():
    with pytest.raises(CostPoolError, match="Aucun participant"):
        split_period(
            D("100.00"),
            [spell("a", joined=date(2027, 1, 1))],
            key="equal",
            first_day=NOV[0],
            last_day=NOV[1],
            starts_on=date(2026, 1, 1),
        )


def test_credit_is_split_like_a_charge():
    split = split_period(
        D("-100.00"),
        [spell("a"), spell("b"), spell("c")],
        key="equal",
        first_day=NOV[0],
        last_day=NOV[1],
        starts_on=date(2026, 1, 1),
    )
    assert split.total == D("-100.00")
    assert sorted(s.amount for s in split.shares) == [D("-33.34"), D("-33.33"), D("-33.33")]


def test_alone_amount_is_prorated_to_presence():
    spells = [spell("a", alone_amount=D("600.00"), joined=date(2026, 11, 16)), spell("b")]
    split = split_period(
        D("300.00"),
        spells,
        key="equal",
        first_day=NOV[0],
        last_day=NOV[1],
        starts_on=date(2026, 1, 1),
    )
    share = next(s for s in split.shares if s.key == "a")
    assert share.alone_amount == D("300.00")
    assert share.saving == D("300.00") - share.amount


def test_one_off_is_split_between_firms_present_that_day():
    spells = [spell("a"), spell("b", joined=date(2026, 11, 10)), spell("c", left=date(2026, 11, 1))]
    split = split_one_off(D("1200.00"), spells, key="weights", day=date(2026, 11, 5))
    assert [s.key for s in split.shares] == ["a"]  # c left on the 1st, b joins on the 10th
    assert split.total == D("1200.00")


def test_zero_weights_are_refused_with_a_message():
    with pytest.raises((CostPoolError, AllocationError), match="nuls"):
        split_period(
            D("100.00"),
            [spell("a", weight=0)],
            key="weights",
            first_day=NOV[0],
            last_day=NOV[1],
            starts_on=date(2026, 1, 1),
        )


@settings(max_examples=200, deadline=None)
@given(
    cents=st.integers(-(10**9), 10**9),
    members=st.lists(
        st.tuples(
            st.integers(0, 40), st.one_of(st.none(), st.integers(0, 40)), st.integers(1, 500)
        ),
        min_size=1,
        max_size=8,
    ),
    key=st.sampled_from(["equal", "weights", "surface"]),
    pool_start=st.integers(0, 45),
)
def test_parts_always_add_up_to_the_period_amount(cents, members, key, pool_start):
    base = date(2026, 10, 20)
    spells = []
    for index, (joined, length, figure) in enumerate(members):
        joined_on = base + timedelta(days=joined)
        left_on = None if length is None else joined_on + timedelta(days=length)
        spells.append(
            spell(index, joined=joined_on, left=left_on, weight=figure, surface=D(figure))
        )
    amount = D(f"{cents}E-2")
    try:
        split = split_period(
            amount,
            spells,
            key=key,
            first_day=NOV[0],
            last_day=NOV[1],
            starts_on=base + timedelta(days=pool_start),
        )
    except CostPoolError:
        return  # nobody present in the period
    if split is None:
        return
    assert split.total == split.amount
    assert all(s.amount == s.amount.quantize(D("0.01")) for s in split.shares)
    assert abs(split.amount) <= abs(amount)
    assert all(s.presence_days > 0 for s in split.shares)
