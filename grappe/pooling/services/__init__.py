"""Writes of the pooling app (see each module): bookings, pools, employees, studies."""

from __future__ import annotations

from django.db import transaction

from grappe.core.models import User
from grappe.pooling.models import (
    Booking,
    HoursRequest,
    Pledge,
    TimeLog,
    UnmetDemand,
    WaitlistEntry,
)


@transaction.atomic
def personal_data_erase(user: User) -> None:
    """Bookings, requests and pledges belong to the firms: only the person's name goes.
    Waitlist entries are the person's own wish: they are withdrawn."""
    Booking.objects.filter(booked_by=user).update(booked_by=None)
    Booking.objects.filter(cancelled_by=user).update(cancelled_by=None)
    WaitlistEntry.objects.filter(user=user, status=WaitlistEntry.Status.WAITING).update(
        status=WaitlistEntry.Status.WITHDRAWN
    )
    WaitlistEntry.objects.filter(user=user).update(user=None)
    UnmetDemand.objects.filter(user=user).update(user=None)
    HoursRequest.objects.filter(requested_by=user).update(requested_by=None)
    Pledge.objects.filter(pledged_by=user).update(pledged_by=None)
    TimeLog.objects.filter(logged_by=user).update(logged_by=None)
