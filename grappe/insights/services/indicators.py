"""Writes of the indicators: the monthly snapshots, computed through core's registry."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.access import Actor
from grappe.core.indicators import indicators, split_value
from grappe.core.jobs import enqueue_on_commit
from grappe.core.months import last_months
from grappe.core.services import audit_record
from grappe.insights.models import IndicatorSnapshot

log = logging.getLogger(__name__)
_CENT = Decimal("0.01")


def _check_month(month: dt.date) -> None:
    if month.day != 1:
        raise ValidationError(_("Un mois se désigne par son premier jour."))
    if month > timezone.localdate():
        raise ValidationError(_("Ce mois n'a pas encore commencé."))


@transaction.atomic
def snapshot_compute(*, by: Actor, month: dt.date) -> list[IndicatorSnapshot]:
    """Every registered indicator of one Paris month, stored (or replaced) in one write.

    Idempotent: computing a month again replaces its values. An indicator whose function
    fails is logged and left out; the others are stored."""
    if not (by.is_system or by.is_manager):
        raise PermissionDenied
    _check_month(month)
    now = timezone.now()
    rows = []
    for ind in indicators():
        try:
            value, details = split_value(ind.fn(by.cluster, month))
        except Exception:
            log.exception("indicator %s failed for %s %s", ind.key, by.cluster.slug, month)
            continue
        rows.append(
            IndicatorSnapshot(
                cluster=by.cluster,
                month=month,
                key=ind.key,
                value=None if value is None else value.quantize(_CENT),
                details=details,
                computed_at=now,
            )
        )
    IndicatorSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["cluster", "month", "key"],
        update_fields=["value", "details", "computed_at"],
    )
    audit_record(
        actor=by,
        action="indicators.snapshot",
        changes={"month": month.isoformat(), "indicators": len(rows)},
    )
    return rows


def snapshots_backfill(*, by: Actor, until: dt.date, months: int = 12) -> int:
    """The last ``months`` months up to ``until``'s month; returns the snapshots written."""
    return sum(len(snapshot_compute(by=by, month=m)) for m in last_months(until, months))


@transaction.atomic
def snapshots_request(*, by: Actor) -> None:
    """Recompute the last twelve months in a job (the manager's button)."""
    if not by.is_manager:
        raise PermissionDenied
    audit_record(actor=by, action="indicators.request")
    enqueue_on_commit("grappe.insights.tasks.snapshots_cluster_job", by.cluster.pk)
