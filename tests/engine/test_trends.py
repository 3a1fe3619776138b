"""Falls worth flagging in monthly series."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from grappe.engine.trends import falling


def test_a_series_that_fell_by_a_third_is_flagged_steady_ones_not():
    falls = falling({"Studio": [10, 12, 11, 4, 3, 2], "Camion": [5, 5, 5, 5, 5, 5]})
    assert [(f.name, f.before, f.after, f.change) for f in falls] == [
        ("Studio", Decimal("11.0"), Decimal("3.0"), Decimal("-72.7"))
    ]


def test_small_levels_and_short_series_are_not_flagged():
    assert falling({"Rare": [1, 1, 1, 0, 0, 0], "Court": [9, 9, 1]}) == []


def test_missing_months_count_as_zero():
    assert [f.name for f in falling({"Salle": [6, None, 6, None, None, 0]})] == ["Salle"]


@given(st.lists(st.integers(0, 50), min_size=6, max_size=6))
def test_a_flagged_series_always_fell(values):
    for f in falling({"s": values}):
        assert f.after < f.before and f.change < 0
