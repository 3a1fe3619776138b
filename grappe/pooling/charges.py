"""What members owe for pooled items, as charge sources (core.charges registry).

Billing collects these lines per Paris calendar month; pooling never imports billing.
Each line's ``source_key`` is stable, so collecting a month again adds nothing:

- ``booking:<booking>`` — a confirmed, priced booking, in the month it starts;
- ``cost-pool:<pool>:<YYYY-MM>:<participation>`` — a firm's share of a pool's month
  (a one-off pool: in the month of its date);
- ``shared-employee:<employee>:<YYYY-MM>:<firm>:hours`` and ``...:fee`` — hours worked
  × hourly cost × coefficient, and the share of the monthly management fee;
- ``study:<study>:<firm>`` — a firm's share of a study that goes ahead (when it was
  decided), or its late buy-in price (when it bought in); a cancelled study bills
  nobody.

``alone_amount`` is what the firm would have paid alone, as stated on the item.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from grappe.core.charges import ChargeLine
from grappe.engine import costpools, timeshare
from grappe.engine.allocation import AllocationError
from grappe.pooling.models import Booking, CostPool, SharedEmployee, Study
from grappe.pooling.periods import days_range, to_local
from grappe.pooling.selectors.employees import month_bills
from grappe.pooling.selectors.pools import pool_split
from grappe.pooling.selectors.studies import study_shares

logger = logging.getLogger(__name__)
CENT = Decimal("0.01")


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / Decimal(60)).quantize(CENT)


def _unit_price(amount: Decimal, quantity: Decimal) -> Decimal | None:
    """A unit price with 2 (else 4) decimals such that quantity × price is the amount."""
    if not quantity:
        return None
    exact = amount / quantity
    for places in (CENT, Decimal("0.0001")):
        price = exact.quantize(places, ROUND_HALF_UP)
        if price * quantity == amount:
            return price
    return None


def booking_charges(cluster, first_day: dt.date, last_day: dt.date) -> list[ChargeLine]:
    low, high = days_range(first_day, last_day)
    bookings = (
        Booking.objects.confirmed()
        .filter(resource__cluster=cluster, starts_at__gte=low, starts_at__lt=high, amount__gt=0)
        .select_related("resource")
        .order_by("starts_at", "id")
    )
    lines = []
    for booking in bookings:
        start, end = to_local(booking.starts_at), to_local(booking.ends_at)
        hours = _hours(booking.minutes)
        unit_price = _unit_price(booking.amount, hours)
        if unit_price is not None:
            quantity, unit = hours, _("h")
        else:
            quantity, unit, unit_price = Decimal(1), _("réservation"), booking.amount
        lines.append(
            ChargeLine(
                source_key=f"booking:{booking.pk}",
                organisation_id=booking.organisation_id,
                date=start.date(),
                category="booking",
                label=_("%(resource)s, le %(day)s de %(start)s à %(end)s")
                % {
                    "resource": booking.resource.name,
                    "day": start.strftime("%d/%m/%Y"),
                    "start": start.strftime("%H:%M"),
                    "end": end.strftime("%H:%M")
                    if end.date() == start.date()
                    else end.strftime("%d/%m/%Y %H:%M"),
                },
                quantity=quantity,
                unit=unit,
                unit_price=unit_price,
                amount=booking.amount,
                vat_rate=booking.vat_rate,
                alone_amount=booking.alone_amount,
            )
        )
    return lines


def cost_pool_charges(cluster, first_day: dt.date, last_day: dt.date) -> list[ChargeLine]:
    pools = CostPool.objects.filter(cluster=cluster, starts_on__lte=last_day).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=first_day) | Q(kind=CostPool.Kind.ONE_OFF)
    )
    month = first_day.strftime("%Y-%m")
    lines = []
    for pool in pools.order_by("pk"):
        try:
            split = pool_split(pool, first_day, last_day)
        except (costpools.CostPoolError, AllocationError) as exc:
            logger.warning("cost pool %s, %s: not split: %s", pool.pk, month, exc)
            continue
        if split is None:
            continue
        organisations = dict(pool.participations.values_list("pk", "organisation_id"))
        for share in split.shares:
            if share.amount == 0:
                continue
            if pool.kind == CostPool.Kind.ONE_OFF:
                label, unit, day = pool.name, _("forfait"), pool.starts_on
            else:
                label = _("%(pool)s, %(month)s") % {
                    "pool": pool.name,
                    "month": date_format(first_day, "F Y"),
                }
                if share.presence_days < split.days_in_period:
                    label += " " + _("(%(days)s jours sur %(total)s)") % {
                        "days": share.presence_days,
                        "total": split.days_in_period,
                    }
                unit, day = _("mois"), max(first_day, pool.starts_on)
            lines.append(
                ChargeLine(
                    source_key=f"cost-pool:{pool.pk}:{month}:{share.key}",
                    organisation_id=organisations[share.key],
                    date=day,
                    category="cost_pool",
                    label=label,
                    quantity=Decimal(1),
                    unit=unit,
                    unit_price=share.amount,
                    amount=share.amount,
                    vat_rate=pool.vat_rate,
                    alone_amount=share.alone_amount,
                )
            )
    return lines


def shared_employee_charges(cluster, first_day: dt.date, last_day: dt.date) -> list[ChargeLine]:
    month = first_day.strftime("%Y-%m")
    month_label = date_format(first_day, "F Y")
    lines = []
    for employee in SharedEmployee.objects.filter(cluster=cluster).order_by("pk"):
        try:
            bills = month_bills(employee, first_day, last_day)
        except timeshare.TimeshareError as exc:
            logger.warning("shared employee %s, %s: not billed: %s", employee.pk, month, exc)
            continue
        for org_id, bill in bills.items():
            key = f"shared-employee:{employee.pk}:{month}:{org_id}"
            if bill.hours_amount:
                alone = None
                if employee.alone_hourly_price is not None:
                    alone = (bill.hours * employee.alone_hourly_price).quantize(CENT, ROUND_HALF_UP)
                lines.append(
                    ChargeLine(
                        source_key=f"{key}:hours",
                        organisation_id=org_id,
                        date=last_day,
                        category="shared_employee",
                        label=_("%(name)s (%(role)s), heures de %(month)s")
                        % {"name": employee.name, "role": employee.role, "month": month_label},
                        quantity=bill.hours,
                        unit=_("h"),
                        unit_price=bill.hourly_rate,
                        amount=bill.hours_amount,
                        vat_rate=employee.vat_rate,
                        alone_amount=alone,
                    )
                )
            if bill.fee_share:
                lines.append(
                    ChargeLine(
                        source_key=f"{key}:fee",
                        organisation_id=org_id,
                        date=last_day,
                        category="shared_employee",
                        label=_("%(name)s, frais de gestion de %(month)s")
                        % {"name": employee.name, "month": month_label},
                        quantity=Decimal(1),
                        unit=_("mois"),
                        unit_price=bill.fee_share,
                        amount=bill.fee_share,
                        vat_rate=employee.vat_rate,
                    )
                )
    return lines


def study_charges(cluster, first_day: dt.date, last_day: dt.date) -> list[ChargeLine]:
    studies = Study.objects.filter(
        cluster=cluster, status__in=(Study.Status.CONFIRMED, Study.Status.DELIVERED)
    ).prefetch_related("pledges")
    lines = []
    for study in studies.order_by("pk"):
        shares = study_shares(study)
        decided_on = to_local(study.decided_at).date() if study.decided_at else None
        for pledge in study.pledges.all():
            day = to_local(pledge.created_at).date() if pledge.is_late else decided_on
            if day is None or not first_day <= day <= last_day:
                continue
            amount = shares[pledge.organisation_id]
            label = (
                _("%(title)s (participation après la date limite)") % {"title": study.title}
                if pledge.is_late
                else _("%(title)s (part de %(count)s structures)")
                % {
                    "title": study.title,
                    "count": sum(1 for p in study.pledges.all() if not p.is_late),
                }
            )
            lines.append(
                ChargeLine(
                    source_key=f"study:{study.pk}:{pledge.organisation_id}",
                    organisation_id=pledge.organisation_id,
                    date=day,
                    category="study",
                    label=label,
                    quantity=Decimal(1),
                    unit=_("forfait"),
                    unit_price=amount,
                    amount=amount,
                    vat_rate=study.vat_rate,
                    alone_amount=study.alone_price,
                )
            )
    return lines
