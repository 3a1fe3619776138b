"""Billing reads: balances, savings by month and year (aggregates for funders), scoping."""

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from grappe.billing import selectors, services
from tests.billing.conftest import line

pytestmark = pytest.mark.django_db


@pytest.fixture
def charged(world, profile, source):
    source.lines["paris"] = [
        line(world.org_a, "a:1", "40.00", alone="100.00", day=dt.date(2026, 3, 3)),
        line(world.org_a, "a:2", "30.00", alone="50.00", day=dt.date(2026, 4, 3)),
        line(world.org_b, "b:1", "10.00", alone="25.00", day=dt.date(2026, 4, 9)),
        line(world.org_b, "b:2", "99.00", day=dt.date(2026, 4, 9)),  # no alone cost
        line(world.org_a, "a:3", "5.00", alone="9.00", day=dt.date(2025, 12, 9)),
    ]
    manager = world.actor(world.manager)
    for day in (dt.date(2025, 12, 1), dt.date(2026, 3, 1), dt.date(2026, 4, 1)):
        services.charges_collect(by=manager, first_day=day, last_day=day.replace(day=28))
    return manager


def test_savings_by_month_and_year_are_aggregates(world, charged):
    months = selectors.savings_by_month(cluster=world.paris)
    assert [(s.period, s.alone, s.pooled, s.saving, s.members) for s in months] == [
        ("2025-12", Decimal("9.00"), Decimal("5.00"), Decimal("4.00"), 1),
        ("2026-03", Decimal("100.00"), Decimal("40.00"), Decimal("60.00"), 1),
        ("2026-04", Decimal("75.00"), Decimal("40.00"), Decimal("35.00"), 2),
    ]
    assert months[1].rate == Decimal("60.0")
    years = selectors.savings_by_year(cluster=world.paris)
    assert [(s.period, s.saving) for s in years] == [
        ("2025", Decimal("4.00")),
        ("2026", Decimal("95.00")),
    ]
    # No firm's detail in the aggregate.
    assert not any(hasattr(s, "organisation") for s in months)
    assert selectors.savings_by_month(cluster=world.lyon) == []


def test_member_savings_and_report(world, charged):
    own = selectors.savings_for_organisation(
        actor=world.actor(world.member_a), organisation=world.org_a
    )
    assert [(s.period, s.saving) for s in own["years"]] == [
        ("2025", Decimal("4.00")),
        ("2026", Decimal("80.00")),
    ]
    with pytest.raises(Http404):
        selectors.savings_for_organisation(
            actor=world.actor(world.member_b), organisation=world.org_a
        )
    report = selectors.savings_report(actor=charged)
    assert report["year_keys"] == ["2025", "2026"]
    assert [m.organisation for m in report["members"]] == [world.org_b, world.org_a]
    with pytest.raises(Http404):
        selectors.savings_report(actor=world.actor(world.observer))


def test_balances_and_scoping(world, charged):
    services.invoices_issue_month(by=charged, year=2026, month=3, issue_date=dt.date(2026, 4, 1))
    rows = {r.organisation: r.balance for r in selectors.balance_list(actor=charged)}
    assert rows[world.org_a].invoiced == Decimal("48.00")  # 40 + 20 % VAT
    assert rows[world.org_a].uninvoiced == Decimal("35.00")  # April 30.00 + Dec 5.00
    assert rows[world.org_b].invoiced == Decimal("0.00")
    member_b = world.actor(world.member_b)
    assert list(selectors.invoice_list(actor=member_b)) == []
    invoice = selectors.invoice_list(actor=charged).get()
    with pytest.raises(Http404):
        selectors.invoice_get(actor=member_b, pk=invoice.pk)
    with pytest.raises(Http404):
        selectors.invoice_get(actor=world.actor(world.lyon_manager, world.lyon), pk=invoice.pk)
    assert selectors.invoice_get(actor=world.actor(world.member_a), pk=invoice.pk) == invoice
    overview = selectors.month_overview(actor=charged, year=2026, month=4)
    assert (overview.uninvoiced_members, overview.uninvoiced_total) == (2, Decimal("139.00"))
