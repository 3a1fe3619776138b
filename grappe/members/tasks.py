"""Jobs of the members app (run by `grappe worker`)."""

from django.utils import timezone

from grappe.core.access import Actor
from grappe.core.models import Cluster
from grappe.members import services
from grappe.members.registry import import_registry_job  # noqa: F401 - queued by path


def send_renewal_reminders() -> int:
    """Daily: remind members whose renewal is near, lapse the overdue ones."""
    today = timezone.localdate()
    return sum(
        services.membership_send_renewal_reminders(by=Actor.system(cluster), today=today)
        for cluster in Cluster.objects.all()
    )
