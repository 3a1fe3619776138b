"""Jobs of the pooling app (run by `grappe worker`)."""

from django.utils import timezone

from grappe.core.models import Cluster
from grappe.pooling.services import studies


def close_due_studies() -> int:
    """Daily: decide the studies whose pledge deadline has passed (go ahead or cancel)."""
    today = timezone.localdate()
    return sum(
        len(studies.study_close_due(cluster=cluster, today=today))
        for cluster in Cluster.objects.filter(studies__status="open").distinct()
    )
