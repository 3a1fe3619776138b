"""The pooling app's indicators for the insights app: how much the pooled services are
used each Paris calendar month, and who uses them (aggregates only: a resource's kind or a
post's trade, never a firm)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Max, Q, Sum
from django.utils.translation import gettext as _

from grappe.core.months import bounds, month_end, next_month
from grappe.engine.bookings import minutes_between
from grappe.pooling.models import (
    Booking,
    CostPool,
    Pledge,
    Resource,
    SharedEmployee,
    Study,
    TimeLog,
    UnmetDemand,
)

TENTH = Decimal("0.1")


def _bookings_in(cluster, month: dt.date):
    start, end = bounds(month)
    return Booking.objects.confirmed().filter(
        resource__cluster=cluster, starts_at__gte=start, starts_at__lt=end
    )


def _hours_by_kind(rows) -> dict:
    """(kind, starts_at, ends_at) rows → hours by the kind's label."""
    kinds = dict(Resource.Kind.choices)
    hours: dict[str, Decimal] = defaultdict(Decimal)
    for kind, starts_at, ends_at in rows.values_list("resource__kind", "starts_at", "ends_at"):
        minutes = minutes_between(starts_at, ends_at)
        hours[str(kinds.get(kind, kind))] += Decimal(minutes) / 60
    return {label: value.quantize(TENTH) for label, value in sorted(hours.items())}


def booked_hours_by_kind(cluster, month: dt.date) -> dict:
    """Hours of confirmed bookings starting in the month, by kind of resource."""
    return _hours_by_kind(_bookings_in(cluster, month).order_by())


def shared_hours_by_trade(cluster, month: dt.date) -> dict:
    """Hours the shared employees worked for member firms in the month, by trade."""
    rows = (
        TimeLog.objects.filter(employee__cluster=cluster, day__gte=month, day__lt=next_month(month))
        .values("employee__role")
        .annotate(hours=Sum("hours"))
        .order_by("employee__role")
    )
    return {row["employee__role"]: row["hours"].quantize(TENTH) for row in rows}


def firms_using_pooled_services(cluster, month: dt.date) -> int:
    """Member firms that booked, had a shared employee's hours or pledged in the month."""
    following = next_month(month)
    start, end = bounds(month)
    firms = set(_bookings_in(cluster, month).values_list("organisation_id", flat=True))
    firms |= set(
        TimeLog.objects.filter(
            employee__cluster=cluster, day__gte=month, day__lt=following
        ).values_list("organisation_id", flat=True)
    )
    firms |= set(
        Pledge.objects.filter(
            study__cluster=cluster, created_at__gte=start, created_at__lt=end
        ).values_list("organisation_id", flat=True)
    )
    return len(firms)


def booking_activity(cluster, since: dt.datetime) -> dict[int, dt.datetime]:
    """Activity source: each firm's last booking made since ``since``."""
    rows = (
        Booking.objects.filter(resource__cluster=cluster, created_at__gte=since)
        .values("organisation_id")
        .annotate(last=Max("created_at"))
        .order_by()
    )
    return {row["organisation_id"]: row["last"] for row in rows}


def services_in_place(cluster, month: dt.date) -> dict:
    """Pooled services running at the month's end, by family (the self-assessment's
    « services mutualisés en place »)."""
    last_day = month_end(month)
    end = bounds(month)[1]
    counts = {
        _("Ressources partagées"): Resource.objects.filter(
            cluster=cluster, is_active=True, created_at__lt=end
        ).count(),
        _("Pools de coûts"): CostPool.objects.filter(cluster=cluster, starts_on__lte=last_day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=month))
        .count(),
        _("Salariés partagés"): SharedEmployee.objects.filter(
            cluster=cluster, is_active=True, created_at__lt=end
        ).count(),
        _("Études et achats groupés"): Study.objects.filter(
            cluster=cluster,
            status__in=[Study.Status.CONFIRMED, Study.Status.DELIVERED],
            decided_at__lt=end,
        ).count(),
    }
    return {label: n for label, n in counts.items() if n}


def unmet_hours_by_kind(cluster, month: dt.date) -> dict:
    """Hours asked for but refused because the slot was taken, for slots starting in the
    month, by kind of resource: where the cluster lacks room."""
    start, end = bounds(month)
    return _hours_by_kind(
        UnmetDemand.objects.filter(
            resource__cluster=cluster, starts_at__gte=start, starts_at__lt=end
        ).order_by()
    )
