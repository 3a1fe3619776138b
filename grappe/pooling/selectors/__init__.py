"""Reads of the pooling app, always scoped by the actor (see each module)."""

from __future__ import annotations

from grappe.core.models import User
from grappe.pooling.models import (
    Booking,
    HoursRequest,
    Pledge,
    TimeLog,
    UnmetDemand,
    WaitlistEntry,
)
from grappe.pooling.periods import to_local


def personal_data_for_user(user: User) -> dict:
    """What the pooling app holds on a person: what they booked, asked, pledged, logged."""

    def when(moment):
        return to_local(moment).isoformat(timespec="minutes")

    return {
        "bookings": [
            {
                "cluster": b.resource.cluster.slug,
                "resource": b.resource.name,
                "organisation": b.organisation.name,
                "start": when(b.starts_at),
                "end": when(b.ends_at),
                "status": b.status,
                "note": b.note,
            }
            for b in Booking.objects.filter(booked_by=user).select_related(
                "resource__cluster", "organisation"
            )
        ],
        "waitlist": [
            {"resource": w.resource.name, "start": when(w.starts_at), "status": w.status}
            for w in WaitlistEntry.objects.filter(user=user).select_related("resource")
        ],
        "unmet_demand": [
            {
                "resource": d.resource.name,
                "organisation": d.organisation.name,
                "start": when(d.starts_at),
                "end": when(d.ends_at),
                "note": d.note,
            }
            for d in UnmetDemand.objects.filter(user=user).select_related(
                "resource", "organisation"
            )
        ],
        "hours_requests": [
            {
                "employee": r.employee.name,
                "organisation": r.organisation.name,
                "hours": str(r.hours),
                "when": r.when,
                "status": r.status,
                "note": r.note,
            }
            for r in HoursRequest.objects.filter(requested_by=user).select_related(
                "employee", "organisation"
            )
        ],
        "pledges": [
            {"study": p.study.title, "organisation": p.organisation.name}
            for p in Pledge.objects.filter(pledged_by=user).select_related("study", "organisation")
        ],
        "time_logs": [
            {"employee": t.employee.name, "day": t.day.isoformat(), "hours": str(t.hours)}
            for t in TimeLog.objects.filter(logged_by=user).select_related("employee")
        ],
    }
