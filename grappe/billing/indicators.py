"""The billing app's indicators for the insights app: what pooling saved the members each
Paris calendar month, and what was invoiced and collected (cluster totals only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from grappe.billing.models import LedgerEntry
from grappe.core.months import next_month

ZERO = Decimal("0.00")


def _entries(cluster, month: dt.date):
    return LedgerEntry.objects.filter(cluster=cluster, date__gte=month, date__lt=next_month(month))


def savings_in_month(cluster, month: dt.date) -> Decimal:
    """Alone cost minus pooled cost of the month's charges that state an alone cost."""
    totals = (
        _entries(cluster, month)
        .filter(
            kind__in=[LedgerEntry.Kind.CHARGE, LedgerEntry.Kind.CREDIT],
            alone_amount__isnull=False,
        )
        .aggregate(pooled=Sum("amount"), alone=Sum("alone_amount"))
    )
    return (totals["alone"] or ZERO) - (totals["pooled"] or ZERO)


def charged_in_month(cluster, month: dt.date) -> Decimal:
    """Amounts charged to members in the month (before tax), credits deducted."""
    total = (
        _entries(cluster, month)
        .filter(kind__in=[LedgerEntry.Kind.CHARGE, LedgerEntry.Kind.CREDIT])
        .aggregate(total=Sum("amount"))["total"]
    )
    return total or ZERO
