"""The billing indicators insights snapshots: members' savings and what they were charged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from grappe.billing import indicators
from grappe.billing.services import ledger
from grappe.core import indicators as registry
from tests.billing.conftest import line

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)


def test_savings_and_charges_of_a_month(world, profile, source):
    source.lines["paris"] = [
        line(world.org_a, "a1", "24.00", alone="50.00"),
        line(world.org_b, "b1", "100.00", alone="180.50", day=dt.date(2026, 3, 31)),
        line(world.org_b, "b2", "30.00"),  # no alone cost stated: no saving counted
        line(world.org_a, "a2", "10.00", alone="15.00", day=dt.date(2026, 4, 1)),
    ]
    source.lines["lyon"] = [line(world.org_lyon, "l1", "5.00", alone="9.00")]
    manager = world.actor(world.manager)
    ledger.charges_collect(by=manager, first_day=MARCH, last_day=dt.date(2026, 4, 30))
    assert indicators.savings_in_month(world.paris, MARCH) == D("106.50")  # 230.50 - 124.00
    assert indicators.charged_in_month(world.paris, MARCH) == D("154.00")
    assert indicators.savings_in_month(world.paris, dt.date(2026, 4, 1)) == D("5.00")
    assert indicators.savings_in_month(world.paris, dt.date(2026, 2, 1)) == D("0.00")
    assert indicators.charged_in_month(world.lyon, MARCH) == D("0.00")  # not collected
    assert registry.indicator("billing.savings").unit == "€"
