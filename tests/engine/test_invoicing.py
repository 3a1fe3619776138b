"""Invoice arithmetic: VAT by rate, cent-exact splits over the lines, numbering, months."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grappe.engine.invoicing import (
    InvoicingError,
    Line,
    compute_totals,
    invoice_number,
    month_bounds,
    parse_month,
    previous_month,
)

RATES = [Decimal("0"), Decimal("2.1"), Decimal("5.5"), Decimal("10"), Decimal("20")]
amounts = st.integers(min_value=-1_000_000, max_value=10_000_000).map(
    lambda cents: Decimal(cents) / 100
)
lines = st.lists(
    st.builds(Line, amount=amounts, vat_rate=st.sampled_from(RATES)), min_size=1, max_size=30
)


def test_vat_is_computed_per_rate_on_the_sum_not_line_by_line():
    # Three lines of 0.05 € at 20 %: 0.01 each rounded would be 0.03; on the sum, 0.03.
    # Three lines of 0.025 → not possible (cents); take 0.07 × 3 at 5.5 %: per line
    # 0.00385 → 0.00 each, on the sum 0.21 × 5.5 % = 0.01155 → 0.01.
    totals = compute_totals([Line(Decimal("0.07"), Decimal("5.5"))] * 3)
    assert totals.total_vat == Decimal("0.01")
    assert sum(totals.line_vat) == Decimal("0.01")
    assert sorted(totals.line_vat) == [Decimal("0.00"), Decimal("0.00"), Decimal("0.01")]


def test_two_rates_give_two_groups_and_exact_totals():
    totals = compute_totals(
        [
            Line(Decimal("46.50"), Decimal("20")),
            Line(Decimal("10.00"), Decimal("5.5")),
            Line(Decimal("3.33"), Decimal("20.00")),
        ]
    )
    assert [(g.rate, g.base, g.vat) for g in totals.groups] == [
        (Decimal("5.5"), Decimal("10.00"), Decimal("0.55")),
        (Decimal("20"), Decimal("49.83"), Decimal("9.97")),
    ]
    assert totals.line_vat == (Decimal("9.30"), Decimal("0.55"), Decimal("0.67"))
    assert (totals.total_ht, totals.total_vat, totals.total_ttc) == (
        Decimal("59.83"),
        Decimal("10.52"),
        Decimal("70.35"),
    )


def test_half_cent_rounds_up():
    assert compute_totals([Line(Decimal("0.25"), Decimal("10"))]).total_vat == Decimal("0.03")


@given(lines)
def test_totals_add_up_to_the_cent(items):
    totals = compute_totals(items)
    assert totals.total_ht == sum(i.amount for i in items)
    assert totals.total_vat == sum(g.vat for g in totals.groups) == sum(totals.line_vat)
    assert totals.total_ttc == totals.total_ht + totals.total_vat
    for group in totals.groups:
        exact = group.base * group.rate / 100
        assert abs(group.vat - exact) <= Decimal("0.005")
        members = [i for i, item in enumerate(items) if item.vat_rate == group.rate]
        assert sum(totals.line_vat[i] for i in members) == group.vat
    for value in (*totals.line_vat, totals.total_vat):
        assert value == value.quantize(Decimal("0.01"))


@given(
    st.lists(
        st.builds(Line, amount=amounts.map(abs), vat_rate=st.sampled_from(RATES)),
        min_size=1,
        max_size=20,
    )
)
def test_same_sign_lines_get_their_share_within_a_cent(items):
    totals = compute_totals(items)
    rate_of = {g.rate: g for g in totals.groups}
    for item, vat in zip(items, totals.line_vat, strict=True):
        group = rate_of[item.vat_rate.normalize()]
        if group.base:
            share = group.vat * item.amount / group.base
            assert abs(vat - share) < Decimal("0.01")


@given(lines)
def test_order_of_lines_does_not_change_the_totals(items):
    forward, backward = compute_totals(items), compute_totals(list(reversed(items)))
    assert (forward.total_ht, forward.total_vat, forward.groups) == (
        backward.total_ht,
        backward.total_vat,
        backward.groups,
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (Line(Decimal("1.001"), Decimal("20")), "deux décimales"),
        (Line(1.5, Decimal("20")), "décimal exact"),  # type: ignore[arg-type]
        (Line(Decimal("1.00"), Decimal("120")), "entre 0 et 100"),
        (Line(Decimal("NaN"), Decimal("20")), "n'est pas fini"),
        (Line(True, Decimal("20")), "décimal exact"),  # type: ignore[arg-type]
    ],
)
def test_bad_lines_are_refused_in_french(line, message):
    with pytest.raises(InvoicingError, match=message):
        compute_totals([line])


def test_numbers_and_months():
    assert invoice_number(2026, 123) == "2026-000123"
    with pytest.raises(InvoicingError):
        invoice_number(2026, 0)
    assert parse_month("2026-02") == (2026, 2)
    assert month_bounds(2028, 2) == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert previous_month(2026, 1) == (2025, 12)
    for bad in ["2026-13", "26-01", "2026/01", "", "abcd-ef", "2026-1-1"]:
        with pytest.raises(InvoicingError, match="mois"):
            parse_month(bad)
