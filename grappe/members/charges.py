"""Membership fees as charges (core.charges registry): a yearly fee is charged in the
Paris calendar month its membership period starts (the anniversary of joining)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from grappe.core.charges import ChargeLine
from grappe.members.models import Membership


def _period_start(membership: Membership) -> dt.date | None:
    if membership.renewal_on is None:
        return membership.joined_on
    try:
        return membership.renewal_on.replace(year=membership.renewal_on.year - 1)
    except ValueError:  # 29 February
        return membership.renewal_on.replace(year=membership.renewal_on.year - 1, day=28)


def membership_fee_charges(cluster, first_day: dt.date, last_day: dt.date) -> list[ChargeLine]:
    lines = []
    memberships = Membership.objects.filter(
        cluster=cluster,
        status__in=(Membership.Status.ACTIVE, Membership.Status.LAPSED),
        fee_amount__gt=0,
    ).exclude(fee_status=Membership.FeeStatus.WAIVED)
    for membership in memberships:
        start = _period_start(membership)
        if start is None or not (first_day <= start <= last_day):
            continue
        end = membership.renewal_on or start
        lines.append(
            ChargeLine(
                source_key=f"membership-fee:{membership.pk}:{start.isoformat()}",
                organisation_id=membership.organisation_id,
                date=start,
                category="membership_fee",
                label=_("Cotisation annuelle du %(start)s au %(end)s")
                % {"start": start.strftime("%d/%m/%Y"), "end": end.strftime("%d/%m/%Y")},
                quantity=Decimal("1"),
                unit=_("an"),
                unit_price=membership.fee_amount,
                amount=membership.fee_amount,
            )
        )
    return lines
