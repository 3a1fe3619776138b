"""The calls app's indicators for the insights app (aggregates only, per Paris month)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from grappe.calls.models import AlertDelivery, Application
from grappe.core.months import bounds, next_month


def funding_obtained_in_month(cluster, month: dt.date) -> Decimal:
    """Amounts obtained (applications decided obtained or since paid) during the month."""
    total = Application.objects.filter(
        cluster=cluster,
        status__in=(Application.Status.OBTAINED, Application.Status.PAID),
        decided_on__gte=month,
        decided_on__lt=next_month(month),
    ).aggregate(total=Sum("obtained_amount"))["total"]
    return total or Decimal("0.00")


def applications_submitted_in_month(cluster, month: dt.date) -> dict:
    """Applications submitted during the month, individual and collective."""
    rows = Application.objects.filter(
        cluster=cluster, submitted_on__gte=month, submitted_on__lt=next_month(month)
    )
    return {
        str(Application.Kind.INDIVIDUAL.label): rows.filter(kind="individual").count(),
        str(Application.Kind.COLLECTIVE.label): rows.filter(kind="collective").count(),
    }


def calls_signalled_in_month(cluster, month: dt.date) -> int:
    """Distinct calls the cluster's alerts sent to members' people during the month."""
    start, end = bounds(month)
    return (
        AlertDelivery.objects.filter(cluster=cluster, sent_at__gte=start, sent_at__lt=end)
        .values("call_id")
        .distinct()
        .count()
    )


def applications_decided_in_month(cluster, month: dt.date) -> dict:
    """Applications decided during the month: obtained (or since paid) and refused."""
    rows = Application.objects.filter(
        cluster=cluster, decided_on__gte=month, decided_on__lt=next_month(month)
    )
    won = (Application.Status.OBTAINED, Application.Status.PAID)
    return {
        str(_("Obtenues")): rows.filter(status__in=won).count(),
        str(_("Refusées")): rows.filter(status=Application.Status.REFUSED).count(),
    }
