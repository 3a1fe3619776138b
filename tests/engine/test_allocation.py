"""Cent-exact allocation: behaviour and properties of grappe.engine.allocation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from grappe.engine.allocation import (
    AllocationError,
    allocate,
    combine_weights,
    days_between,
    month_bounds,
    period_weights,
    prorate,
)

D = Decimal
PROPERTY = settings(max_examples=200, deadline=None)


# ------------------------------------------------------------------------ strategies

cents = st.integers(min_value=-(10**12), max_value=10**12)
totals = cents.map(lambda c: Decimal(f"{c}E-2"))
keys = st.one_of(
    st.text(min_size=0, max_size=6),
    st.integers(min_value=-50, max_value=50),
    st.tuples(st.integers(0, 3), st.text(max_size=2)),
)
weight_values = st.one_of(
    st.integers(min_value=0, max_value=10**6),
    st.just(0),
    st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False),
    st.sampled_from([D("1"), D("1.0"), D("0.5"), D("1E+2"), D("3.333")]),
)
weight_maps = st.dictionaries(keys, weight_values, min_size=1, max_size=12).filter(
    lambda weights: any(weights.values())
)


def exact_share(total: Decimal, weights: dict, key) -> Fraction:
    weight_sum = sum(Fraction(w) for w in weights.values())
    return Fraction(total) * Fraction(weights[key]) / weight_sum


def cents_of(amount: Decimal) -> int:
    value = Fraction(amount) * 100
    assert value.denominator == 1
    return value.numerator


# -------------------------------------------------------------------------- examples


def test_equal_split_gives_the_leftover_cent_by_key_order():
    assert allocate(D("100"), {"c": 1, "a": 1, "b": 1}) == {
        "a": D("33.34"),
        "b": D("33.33"),
        "c": D("33.33"),
    }


def test_result_keeps_the_keys_in_input_order():
    assert list(allocate(D("10"), {"z": 1, "a": 2, "m": 0})) == ["z", "a", "m"]


def test_split_by_surface_with_decimal_weights():
    shares = allocate(D("1500.00"), {"label": D("42.5"), "studio": D("30"), "salle": D("27.5")})
    assert shares == {"label": D("637.50"), "studio": D("450.00"), "salle": D("412.50")}


def test_largest_remainder_wins_before_the_tie_break():
    # exact shares: a 0.0333.., b 0.0666..: b has the larger remainder and gets the cent
    assert allocate(D("0.10"), {"a": 1, "b": 2}) == {"a": D("0.03"), "b": D("0.07")}


def test_credit_is_split_like_a_charge():
    assert allocate(D("-100"), {"b": 1, "a": 1, "c": 1}) == {
        "a": D("-33.34"),
        "b": D("-33.33"),
        "c": D("-33.33"),
    }


def test_zero_total_gives_zero_to_everyone():
    assert allocate(D("0"), {"a": 1, "b": 0}) == {"a": D("0.00"), "b": D("0.00")}


def test_integer_total_is_accepted_as_euros():
    assert allocate(7, {"a": 1, "b": 1}) == {"a": D("3.50"), "b": D("3.50")}


def test_trailing_zeros_beyond_cents_are_not_extra_decimals():
    assert allocate(D("1.500"), {"a": 1}) == {"a": D("1.50")}


def test_single_key_takes_everything_with_two_decimals():
    (part,) = allocate(D("12"), {"seul": 3}).values()
    assert part == D("12") and part.as_tuple().exponent == -2


def test_keys_with_the_same_string_form_are_ordered_by_repr():
    # str(1) == str("1"): repr decides ("'1'" < "1"), whatever the insertion order
    assert allocate(D("0.01"), {1: 1, "1": 1}) == {1: D("0.00"), "1": D("0.01")}
    assert allocate(D("0.01"), {"1": 1, 1: 1}) == {1: D("0.00"), "1": D("0.01")}


def test_huge_amounts_stay_exact():
    total = D("123456789012345678901234567.89")  # more digits than the default context
    shares = allocate(total, {"a": 1, "b": 1, "c": 1})
    assert sum(cents_of(part) for part in shares.values()) == cents_of(total)


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("total", "weights", "message"),
    [
        (D("10"), {}, "Aucune clé de répartition : il faut au moins un participant."),
        (
            D("10"),
            {"a": 1, "b": -2},
            "Le poids de « b » est négatif (-2) : impossible.",
        ),
        (
            D("10"),
            {"a": 0, "b": D("0.000")},
            "Tous les poids sont nuls : rien ne permet de répartir le montant.",
        ),
        (
            10.0,
            {"a": 1},
            "Le montant à répartir est un nombre à virgule flottante (10.0) : les montants "
            "et les poids doivent être exacts, utilisez un Decimal ou un entier.",
        ),
        (
            D("10"),
            {"a": 0.5},
            "Le poids de « a » est un nombre à virgule flottante (0.5) : les montants "
            "et les poids doivent être exacts, utilisez un Decimal ou un entier.",
        ),
        (True, {"a": 1}, "Le montant à répartir doit être un nombre, pas un booléen (True)."),
        (D("10"), {"a": True}, "Le poids de « a » doit être un nombre, pas un booléen (True)."),
        (D("NaN"), {"a": 1}, "Le montant à répartir doit être un nombre fini, pas NaN."),
        (
            D("10"),
            {"a": D("Infinity")},
            "Le poids de « a » doit être un nombre fini, pas Infinity.",
        ),
        (
            D("10.005"),
            {"a": 1},
            "Le montant à répartir (10.005) a plus de deux décimales : "
            "il doit être exprimé en euros et centimes.",
        ),
        (
            "10",
            {"a": 1},
            "Le montant à répartir doit être un Decimal ou un entier, pas str ('10').",
        ),
        (
            D("10"),
            [("a", 1)],
            "Les poids doivent être donnés par clé (un dictionnaire), pas list.",
        ),
        (
            D("1E+40"),
            {"a": 1},
            "Le montant à répartir est hors des limites acceptées (1E+40).",
        ),
    ],
    ids=[
        "empty",
        "negative-weight",
        "all-zero",
        "float-total",
        "float-weight",
        "bool-total",
        "bool-weight",
        "nan-total",
        "infinite-weight",
        "sub-cent-total",
        "string-total",
        "not-a-mapping",
        "absurd-magnitude",
    ],
)
def test_refusals_explain_why(total, weights, message):
    with pytest.raises(AllocationError) as refused:
        allocate(total, weights)
    assert str(refused.value) == message
    assert isinstance(refused.value, ValueError)


def test_refusal_carries_template_and_params_for_translation():
    with pytest.raises(AllocationError) as refused:
        allocate(D("10"), {"a": -1})
    assert refused.value.template == "Le poids de « %(key)s » est négatif (%(value)s) : impossible."
    assert refused.value.params == {"key": "a", "value": "-1"}


# ------------------------------------------------------------------------- properties


@PROPERTY
@given(total=totals, weights=weight_maps)
def test_parts_add_up_exactly_and_have_two_decimals(total, weights):
    shares = allocate(total, weights)
    assert shares.keys() == weights.keys()
    assert all(part.as_tuple().exponent == -2 for part in shares.values())
    assert sum(cents_of(part) for part in shares.values()) == cents_of(total)


@PROPERTY
@given(total=totals, weights=weight_maps)
def test_each_part_is_within_one_cent_of_its_exact_share(total, weights):
    shares = allocate(total, weights)
    for key, part in shares.items():
        assert abs(Fraction(part) - exact_share(total, weights, key)) < Fraction(1, 100)


@PROPERTY
@given(total=totals, weights=weight_maps)
def test_zero_weights_get_exactly_zero(total, weights):
    shares = allocate(total, weights)
    for key, weight in weights.items():
        if weight == 0:
            assert shares[key] == 0


@PROPERTY
@given(total=totals, weights=weight_maps, data=st.data())
def test_result_does_not_depend_on_insertion_order(total, weights, data):
    permuted = dict(data.draw(st.permutations(list(weights.items()))))
    assert allocate(total, permuted) == allocate(total, weights)


@PROPERTY
@given(total=totals, weights=weight_maps)
def test_a_credit_is_the_exact_opposite_of_the_charge(total, weights):
    negated = {key: -part for key, part in allocate(total, weights).items()}
    assert allocate(-total, weights) == negated


@PROPERTY
@given(total=totals, weights=weight_maps, factor=st.integers(min_value=1, max_value=1000))
def test_scaling_every_weight_changes_nothing(total, weights, factor):
    scaled = {key: weight * factor for key, weight in weights.items()}
    assert allocate(total, scaled) == allocate(total, weights)


@PROPERTY
@given(
    total=cents.filter(lambda c: c >= 0).map(lambda c: Decimal(f"{c}E-2")),
    weights=weight_maps,
)
def test_a_heavier_key_never_pays_less_than_a_lighter_one(total, weights):
    shares = allocate(total, weights)
    for first in weights:
        for second in weights:
            if weights[first] > weights[second]:
                assert shares[first] >= shares[second]


# -------------------------------------------------------------------------- prorate


def test_prorate_charges_the_days_of_presence():
    assert prorate(D("310.00"), days_in=10, days_total=31) == D("100.00")
    assert prorate(D("100"), days_in=15, days_total=31) == D("48.39")


def test_prorate_rounds_halves_away_from_zero():
    assert prorate(D("0.05"), days_in=1, days_total=2) == D("0.03")
    assert prorate(D("-0.05"), days_in=1, days_total=2) == D("-0.03")


@pytest.mark.parametrize(
    ("days_in", "days_total", "message"),
    [
        (
            32,
            31,
            "Nombre de jours incohérent : 32 jours sur 31 (il faut 0 ≤ jours de présence "
            "≤ jours de la période, période non vide).",
        ),
        (
            0,
            0,
            "Nombre de jours incohérent : 0 jours sur 0 (il faut 0 ≤ jours de présence "
            "≤ jours de la période, période non vide).",
        ),
        (1.5, 31, "Le nombre de jours (days_in) doit être un entier, pas 1.5."),
    ],
)
def test_prorate_refuses_incoherent_days(days_in, days_total, message):
    with pytest.raises(AllocationError) as refused:
        prorate(D("10"), days_in=days_in, days_total=days_total)
    assert str(refused.value) == message


def test_prorate_refuses_a_float_amount():
    with pytest.raises(AllocationError, match="virgule flottante"):
        prorate(10.0, days_in=1, days_total=2)


@PROPERTY
@given(
    amount=totals,
    days=st.integers(min_value=1, max_value=366).flatmap(
        lambda total: st.tuples(st.integers(0, total), st.just(total))
    ),
)
def test_prorate_is_within_half_a_cent(amount, days):
    days_in, days_total = days
    exact = Fraction(amount) * days_in / days_total
    assert abs(Fraction(prorate(amount, days_in=days_in, days_total=days_total)) - exact) <= (
        Fraction(1, 200)
    )


# -------------------------------------------------------------------------- periods


def test_month_bounds_know_leap_years():
    assert month_bounds(2024, 2) == (date(2024, 2, 1), date(2024, 2, 29))
    assert month_bounds(2025, 2) == (date(2025, 2, 1), date(2025, 2, 28))
    assert days_between(*month_bounds(2025, 3)) == 31


def test_month_bounds_refuse_month_13():
    with pytest.raises(AllocationError, match=r"Mois invalide : 13\."):
        month_bounds(2025, 13)


def test_member_joining_mid_month_pays_for_its_days():
    march = month_bounds(2025, 3)
    presence = period_weights(
        {
            "label": [(date(2024, 9, 1), None)],  # all month
            "studio": [(date(2025, 3, 17), None)],  # joins on the 17th: 15 days
            "salle": [(date(2024, 1, 1), date(2025, 2, 28))],  # left before March
        },
        *march,
    )
    assert presence == {"label": 31, "studio": 15, "salle": 0}
    shares = allocate(D("920.00"), presence)
    assert shares == {"label": D("620.00"), "studio": D("300.00"), "salle": D("0.00")}


def test_last_day_of_membership_is_a_day_of_presence():
    presence = period_weights({"a": [(date(2025, 3, 1), date(2025, 3, 1))]}, *month_bounds(2025, 3))
    assert presence == {"a": 1}


def test_overlapping_spells_are_counted_once():
    presence = period_weights(
        {
            "a": [
                (date(2025, 3, 1), date(2025, 3, 10)),
                (date(2025, 3, 5), date(2025, 3, 12)),
                (date(2025, 3, 12), date(2025, 3, 12)),
                (date(2025, 3, 20), None),
            ],
            "b": [],
        },
        *month_bounds(2025, 3),
    )
    assert presence == {"a": 12 + 12, "b": 0}


def test_surface_times_presence_splits_the_rent():
    surface = {"label": D("40"), "studio": D("20")}
    presence = period_weights(
        {"label": [(date(2025, 1, 1), None)], "studio": [(date(2025, 4, 16), None)]},
        *month_bounds(2025, 4),
    )
    weights = combine_weights(surface, presence)
    assert weights == {"label": D("1200"), "studio": D("300")}
    assert allocate(D("1000"), weights) == {"label": D("800.00"), "studio": D("200.00")}


def test_combine_weights_keeps_integers_and_stays_exact():
    assert combine_weights({"a": 3}, {"a": 31}) == {"a": 93}
    left, right = D("1234567890123456.789"), D("98765432109876.54321")
    (product,) = combine_weights({"a": left}, {"a": right}).values()
    assert Fraction(product) == Fraction(left) * Fraction(right)  # 36 digits, none rounded


@pytest.mark.parametrize(
    ("base", "presence", "message"),
    [
        (
            {"a": 1, "b": 1},
            {"a": 1, "c": 1},
            "Les clés de répartition et les présences ne concernent pas les mêmes "
            "participants (sans présence : b ; sans clé : c).",
        ),
        ({"a": D("-1")}, {"a": 3}, "Le poids de « a » est négatif (-1) : impossible."),
        (
            {"a": 1.5},
            {"a": 3},
            "Le poids de « a » est un nombre à virgule flottante (1.5) : les montants et les "
            "poids doivent être exacts, utilisez un Decimal ou un entier.",
        ),
    ],
)
def test_combine_weights_refusals(base, presence, message):
    with pytest.raises(AllocationError) as refused:
        combine_weights(base, presence)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("memberships", "start", "end", "message"),
    [
        (
            {},
            date(2025, 3, 31),
            date(2025, 3, 1),
            "La période finit (2025-03-01) avant de commencer (2025-03-31).",
        ),
        (
            {"a": [(date(2025, 3, 10), date(2025, 3, 9))]},
            date(2025, 3, 1),
            date(2025, 3, 31),
            "L'adhésion de « a » finit (2025-03-09) avant de commencer (2025-03-10).",
        ),
        (
            {"a": [date(2025, 3, 10)]},
            date(2025, 3, 1),
            date(2025, 3, 31),
            "Période d'adhésion invalide pour « a » : il faut un couple (début, fin).",
        ),
        (
            {},
            "2025-03-01",
            date(2025, 3, 31),
            "Le début de la période doit être une date (sans heure), pas '2025-03-01'.",
        ),
    ],
)
def test_period_weights_refusals(memberships, start, end, message):
    with pytest.raises(AllocationError) as refused:
        period_weights(memberships, start, end)
    assert str(refused.value) == message


ORIGIN = date(2025, 1, 1)
day_offsets = st.integers(min_value=0, max_value=120)
spells = st.tuples(day_offsets, st.one_of(st.none(), st.integers(0, 60))).map(
    lambda spell: (
        ORIGIN + timedelta(days=spell[0]),
        None if spell[1] is None else ORIGIN + timedelta(days=spell[0] + spell[1]),
    )
)


@PROPERTY
@given(
    memberships=st.dictionaries(st.text(max_size=3), st.lists(spells, max_size=4), max_size=5),
    period=st.tuples(day_offsets, st.integers(0, 60)),
)
def test_presence_counts_each_day_of_the_period_once(memberships, period):
    start = ORIGIN + timedelta(days=period[0])
    end = start + timedelta(days=period[1])
    presence = period_weights(memberships, start, end)
    assert presence.keys() == memberships.keys()
    for key, member_spells in memberships.items():
        days = {
            start + timedelta(days=offset)
            for offset in range(days_between(start, end))
            if any(
                low <= start + timedelta(days=offset)
                and (high is None or start + timedelta(days=offset) <= high)
                for low, high in member_spells
            )
        }
        assert presence[key] == len(days)
        assert 0 <= presence[key] <= days_between(start, end)


@PROPERTY
@given(total=totals, data=st.data())
def test_periods_split_a_total_exactly(total, data):
    memberships = data.draw(
        st.dictionaries(st.text(max_size=3), st.lists(spells, min_size=1, max_size=3), min_size=1)
    )
    presence = period_weights(memberships, ORIGIN, ORIGIN + timedelta(days=200))
    assume(any(presence.values()))
    shares = allocate(total, presence)
    assert sum(cents_of(part) for part in shares.values()) == cents_of(total)
