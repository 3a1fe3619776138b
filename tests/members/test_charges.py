import datetime as dt
from decimal import Decimal

import pytest

from grappe.core.charges import charge_sources
from grappe.members.charges import membership_fee_charges
from grappe.members.models import Membership

pytestmark = pytest.mark.django_db


def test_fee_is_charged_in_the_month_the_period_starts(world):
    Membership.objects.filter(organisation=world.org_a).update(
        fee_amount=Decimal("240.00"), renewal_on=dt.date(2027, 3, 15), fee_status="due"
    )
    Membership.objects.filter(organisation=world.org_b).update(
        fee_amount=Decimal("120.00"), renewal_on=dt.date(2027, 4, 1), fee_status="waived"
    )
    march = membership_fee_charges(world.paris, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert [(line.organisation_id, line.amount, line.date) for line in march] == [
        (world.org_a.pk, Decimal("240.00"), dt.date(2026, 3, 15))
    ]
    assert march[0].source_key == f"membership-fee:{world.org_a.memberships.get().pk}:2026-03-15"
    assert "15/03/2026" in march[0].label and "15/03/2027" in march[0].label
    assert membership_fee_charges(world.paris, dt.date(2026, 4, 1), dt.date(2026, 4, 30)) == []
    assert "membership_fee" in charge_sources()
