"""Jobs of the billing app (run by `grappe worker`), as the system actor."""

from django.utils import timezone

from grappe.billing import services
from grappe.core.access import Actor
from grappe.core.models import Cluster


def send_invoice_reminders() -> int:
    """Daily: remind members of their overdue invoices (once per invoice and stage)."""
    today = timezone.localdate()
    return sum(
        services.invoice_send_reminders(by=Actor.system(cluster), today=today)
        for cluster in Cluster.objects.filter(invoices__isnull=False).distinct()
    )


def issue_month_job(cluster_id: int, year: int, month: int) -> int:
    """The month's invoice run as a job (large clusters)."""
    cluster = Cluster.objects.get(pk=cluster_id)
    return services.invoices_issue_month(by=Actor.system(cluster), year=year, month=month).count
