"""Jobs of the insights app (django-q2), acting as the system actor."""

from __future__ import annotations

from django.utils import timezone

from grappe.core.access import Actor
from grappe.core.models import Cluster
from grappe.core.months import month_start, previous_month
from grappe.insights import services
from grappe.insights.models import RadarRun


def radar_run_job(run_id: int) -> int:
    """Compute a requested radar run; returns its number of themes."""
    run = RadarRun.objects.select_related("cluster").get(pk=run_id)
    if run.status != RadarRun.Status.PENDING:
        return run.theme_count
    return services.radar_compute(run=run).theme_count


def radar_weekly() -> int:
    """Every cluster's radar, computed afresh (scheduled weekly)."""
    count = 0
    for cluster in Cluster.objects.order_by("pk"):
        run = RadarRun.objects.create(cluster=cluster)
        services.radar_compute(run=run)
        count += 1
    return count


def snapshots_monthly() -> int:
    """On the first of the month: the month that just ended, for every cluster."""
    month = previous_month(month_start(timezone.localdate()))
    return sum(
        len(services.snapshot_compute(by=Actor.system(cluster), month=month))
        for cluster in Cluster.objects.order_by("pk")
    )


def snapshots_cluster_job(cluster_id: int) -> int:
    """The last twelve months of one cluster (the managers' button)."""
    cluster = Cluster.objects.get(pk=cluster_id)
    return services.snapshots_backfill(
        by=Actor.system(cluster), until=timezone.localdate(), months=12
    )
