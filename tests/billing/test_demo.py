"""The demo: the Paris cluster's last two months invoiced, some paid, seeded once."""

import pytest
from django.utils import timezone

from grappe.billing import demo as billing_demo
from grappe.billing.models import Invoice, LedgerEntry
from grappe.engine.invoicing import previous_month
from grappe.members import demo as members_demo

pytestmark = pytest.mark.django_db


def test_demo_invoices_the_previous_two_months_once():
    members_demo.seed()
    lines = billing_demo.seed()
    assert any("Facturation" in text for text in lines)
    today = timezone.localdate()
    last = previous_month(today.year, today.month)
    before_last = previous_month(*last)
    periods = set(
        Invoice.objects.filter(cluster__slug="musique-paris-18").values_list(
            "period_start__year", "period_start__month"
        )
    )
    assert periods == {before_last, last}
    invoices = Invoice.objects.filter(cluster__slug="musique-paris-18")
    assert list(invoices.order_by("sequence").values_list("sequence", flat=True)) == list(
        range(1, invoices.count() + 1)
    )
    assert invoices.filter(organisation__slug="studio-goutte-dor").count() == 2
    assert invoices.filter(status="paid").exists() and invoices.filter(status="open").exists()
    assert LedgerEntry.objects.filter(kind="payment").exists()
    assert LedgerEntry.objects.filter(alone_amount__isnull=False).exists()
    counts = (Invoice.objects.count(), LedgerEntry.objects.count())
    assert billing_demo.seed() == []
    assert (Invoice.objects.count(), LedgerEntry.objects.count()) == counts
