"""Survey arithmetic: NPS, distributions, rates."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grappe.engine.surveys import distribution, mean, net_promoter_score, nps_groups, rate


def test_nps_counts_promoters_minus_detractors():
    assert net_promoter_score([10, 9, 8, 7, 6, 0]) == Decimal("0.0")
    assert net_promoter_score([10, 10, 9]) == Decimal("100.0")
    assert net_promoter_score([6, 9, 9]) == Decimal("33.3")
    assert net_promoter_score([]) is None
    assert nps_groups([10, 8, 3]) == {"promoters": 1, "passives": 1, "detractors": 1}


def test_out_of_range_score_is_refused():
    with pytest.raises(ValueError):
        net_promoter_score([11])


@given(st.lists(st.integers(0, 10), min_size=1, max_size=200))
def test_nps_bounds_and_distribution_total(scores):
    nps = net_promoter_score(scores)
    assert Decimal(-100) <= nps <= Decimal(100)
    assert sum(distribution(scores)) == len(scores)
    assert Decimal(0) <= mean(scores) <= Decimal(10)
    groups = nps_groups(scores)
    assert sum(groups.values()) == len(scores)


def test_rate_is_one_decimal_and_none_without_base():
    assert rate(1, 3) == Decimal("33.3")
    assert rate(2, 0) is None
