"""The pooling app's free texts for the needs radar: what firms said they needed a shared
resource for when their booking was refused for lack of room."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone

from grappe.core import texts
from grappe.pooling.models import UnmetDemand


def refused_booking_notes(cluster) -> Iterator[texts.SourceText]:
    """Notes of bookings refused because the slot was taken: private to the firm and the
    managers, as the booking itself. No heading: the resource's name would pull every note
    towards the room rather than towards what the firm needed it for."""
    rows = UnmetDemand.objects.filter(resource__cluster=cluster).exclude(note="").order_by("pk")
    for demand in rows.iterator(chunk_size=500):
        yield texts.SourceText(
            id=str(demand.pk),
            text=demand.note,
            organisation_id=demand.organisation_id,
            date=timezone.localdate(demand.created_at),
            visibility=texts.PRIVATE,
        )
