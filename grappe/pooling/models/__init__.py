"""Pooling: shared resources and bookings, cost pools, shared employees, pooled studies."""

from grappe.pooling.models.employees import HoursRequest, SharedEmployee, StaffNeed, TimeLog
from grappe.pooling.models.pools import CostPool, CustomShare, Participation
from grappe.pooling.models.resources import (
    Booking,
    Closure,
    Resource,
    UnmetDemand,
    WaitlistEntry,
)
from grappe.pooling.models.studies import Pledge, Study, StudyDocument

__all__ = [
    "Booking",
    "Closure",
    "CostPool",
    "CustomShare",
    "HoursRequest",
    "Participation",
    "Pledge",
    "Resource",
    "SharedEmployee",
    "StaffNeed",
    "Study",
    "StudyDocument",
    "TimeLog",
    "UnmetDemand",
    "WaitlistEntry",
]
