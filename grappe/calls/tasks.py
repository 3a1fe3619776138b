"""Jobs of the calls app (django-q2). They act as the system actor."""

from __future__ import annotations

from grappe.calls import alerts, matching, services
from grappe.calls.models import AlertPreference, CallSource
from grappe.core.models import Cluster


def recompute_all_matches() -> dict[str, dict[str, int]]:
    """Every cluster's matches (after an import, and nightly)."""
    return {
        cluster.slug: matching.matches_recompute(cluster=cluster)
        for cluster in Cluster.objects.order_by("pk")
    }


def read_sources() -> dict[str, str]:
    """Re-read every active source into the catalogue."""
    return {
        source.name: services.source_run(source=source)
        for source in CallSource.objects.filter(is_active=True).select_related("cluster")
    }


def send_alerts_immediate() -> int:
    return alerts.alerts_send(frequency=AlertPreference.Frequency.IMMEDIATE)


def send_alerts_daily() -> int:
    return alerts.alerts_send(frequency=AlertPreference.Frequency.DAILY)


def send_alerts_weekly() -> int:
    return alerts.alerts_send(frequency=AlertPreference.Frequency.WEEKLY)
