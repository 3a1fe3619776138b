"""Reads on shared resources, always scoped by the actor: resources, calendars,
bookings, waitlists and occupancy.

Another firm's bookings show as "Réservé" to members (the firm's name is private);
managers see the names; funders see occupancy figures only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.access import Actor, require
from grappe.engine import bookings as engine
from grappe.pooling.models import Booking, Resource, UnmetDemand, WaitlistEntry
from grappe.pooling.periods import days_range, from_local, to_local


def resource_list(*, actor: Actor, include_inactive: bool = False) -> QuerySet[Resource]:
    require(actor.is_member or actor.is_manager)
    qs = Resource.objects.filter(cluster=actor.cluster)
    if not (include_inactive and actor.is_manager):
        qs = qs.filter(is_active=True)
    return qs.select_related("cost_pool").order_by("kind", "name")


def resource_get(*, actor: Actor, pk: int) -> Resource:
    """A resource of the actor's cluster; an inactive one exists for managers only."""
    require(actor.is_member or actor.is_manager)
    qs = Resource.objects.filter(cluster=actor.cluster).prefetch_related("closures")
    if not actor.is_manager:
        qs = qs.filter(is_active=True)
    return get_object_or_404(qs, pk=pk)


def booking_list_for_actor(
    *, actor: Actor, upcoming: bool | None = True, now: dt.datetime | None = None
) -> QuerySet[Booking]:
    """The bookings of the firms the actor acts for (confirmed), upcoming or past."""
    now = now or timezone.now()
    qs = Booking.objects.confirmed().filter(
        resource__cluster=actor.cluster, organisation_id__in=actor.organisation_ids
    )
    if upcoming is True:
        qs = qs.filter(ends_at__gt=now).order_by("starts_at", "id")
    elif upcoming is False:
        qs = qs.filter(ends_at__lte=now).order_by("-starts_at", "-id")
    return qs.select_related("resource", "organisation")


def booking_get(*, actor: Actor, pk: int) -> Booking:
    """A booking of the cluster that the actor's firm holds, or any for a manager."""
    booking = get_object_or_404(
        Booking.objects.select_related("resource", "organisation"),
        resource__cluster=actor.cluster,
        pk=pk,
    )
    require(actor.can_see_private_of(booking.organisation_id))
    return booking


def waitlist_for_actor(*, actor: Actor) -> QuerySet[WaitlistEntry]:
    return (
        WaitlistEntry.objects.filter(
            resource__cluster=actor.cluster,
            organisation_id__in=actor.organisation_ids,
            status=WaitlistEntry.Status.WAITING,
        )
        .select_related("resource", "organisation")
        .order_by("starts_at")
    )


def waitlist_get(*, actor: Actor, pk: int) -> WaitlistEntry:
    entry = get_object_or_404(
        WaitlistEntry.objects.select_related("resource"), resource__cluster=actor.cluster, pk=pk
    )
    require(actor.can_see_private_of(entry.organisation_id))
    return entry


def resource_bookings(
    *, actor: Actor, resource: Resource, first_day: dt.date, last_day: dt.date
) -> list[Booking]:
    """A resource's confirmed bookings between two Paris days (all firms: the calendar)."""
    require(resource.cluster_id == actor.cluster.pk)
    low, high = days_range(first_day, last_day)
    return list(
        Booking.objects.confirmed()
        .filter(resource=resource)
        .overlapping(low, high)
        .select_related("organisation")
        .order_by("starts_at")
    )


# --- The week calendar --------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    state: str  # closed, past, free, mine, taken
    start: dt.datetime | None = None  # aware
    end: dt.datetime | None = None
    label: str = ""
    booking_id: int | None = None


@dataclass(frozen=True)
class WeekCalendar:
    resource: Resource
    monday: dt.date
    days: list[dt.date]
    rows: list[tuple[str, list[Cell]]]  # ("10:00", seven cells)

    @property
    def previous(self) -> dt.date:
        return self.monday - dt.timedelta(days=7)

    @property
    def next(self) -> dt.date:
        return self.monday + dt.timedelta(days=7)

    @property
    def free_count(self) -> int:
        return sum(cell.state == "free" for _time, cells in self.rows for cell in cells)


def week_calendar(
    *, actor: Actor, resource: Resource, monday: dt.date, now: dt.datetime | None = None
) -> WeekCalendar:
    """Slots of a week, each free, taken (by the actor's firm or another), past or closed."""
    now_local = to_local(now or timezone.now())
    # Too late to book (past, or inside the notice period) shows as past.
    earliest = now_local + dt.timedelta(hours=resource.min_notice_hours)
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    weekly = resource.weekly_hours
    closures = [(c.first_day, c.last_day) for c in resource.closures.all()]
    bookings = [
        (to_local(b.starts_at), to_local(b.ends_at), b)
        for b in resource_bookings(
            actor=actor, resource=resource, first_day=days[0], last_day=days[-1]
        )
    ]
    by_time: dict[dt.time, list[Cell]] = {}
    for index, day in enumerate(days):
        for start, end in engine.day_slots(day, weekly, closures, resource.slot_minutes):
            cells = by_time.setdefault(start.time(), [Cell("closed")] * 7)
            cells[index] = _cell(actor, start, end, bookings, earliest)
    rows = [(t.strftime("%H:%M"), cells) for t, cells in sorted(by_time.items())]
    return WeekCalendar(resource=resource, monday=monday, days=days, rows=rows)


def _cell(actor: Actor, start, end, bookings, earliest) -> Cell:
    aware = (from_local(start), from_local(end))
    for b_start, b_end, booking in bookings:
        if b_start < end and start < b_end:
            if actor.acts_for(booking.organisation_id):
                return Cell("mine", *aware, label=booking.organisation.name, booking_id=booking.pk)
            label = booking.organisation.name if actor.is_manager else _("Réservé")
            return Cell("taken", *aware, label=label, booking_id=booking.pk)
    if start <= earliest:
        return Cell("past", *aware)
    return Cell("free", *aware)


def free_run(*, resource: Resource, start: dt.datetime, limit: int = 12) -> list[dt.datetime]:
    """The possible end times of a booking starting at ``start``: whole slots while the
    resource stays open and free, at most ``limit`` slots."""
    weekly = resource.weekly_hours
    closures = [(c.first_day, c.last_day) for c in resource.closures.all()]
    local = to_local(start)
    spans = engine.open_spans(local.date(), local.date() + dt.timedelta(days=2), weekly, closures)
    span = next((s for s in spans if s[0] <= local < s[1]), None)
    if span is None:
        return []
    next_booking = (
        Booking.objects.confirmed()
        .filter(resource=resource, ends_at__gt=start)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    ends = []
    step = dt.timedelta(minutes=resource.slot_minutes)
    end = local + step
    while end <= span[1] and len(ends) < limit:
        if next_booking is not None and from_local(end) > next_booking:
            break
        ends.append(from_local(end))
        end += step
    return ends


# --- Occupancy ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OccupancyRow:
    resource: Resource
    occupancy: engine.Occupancy
    bookings: int
    unmet_minutes: int = 0  # asked for but refused because the slot was taken
    unmet_firms: int = 0

    @property
    def unmet_hours(self):
        return round(self.unmet_minutes / 60, 1)


def occupancy_table(*, actor: Actor, first_day: dt.date, last_day: dt.date) -> list[OccupancyRow]:
    """Per resource: booked hours over open hours in a period. Managers and funders
    (figures only, no firm names)."""
    require(actor.is_manager or actor.is_observer)
    low, high = days_range(first_day, last_day)
    rows = []
    resources = Resource.objects.filter(cluster=actor.cluster, is_active=True).prefetch_related(
        "closures"
    )
    unmet_minutes: dict[int, int] = defaultdict(int)
    unmet_firms: dict[int, set[int]] = defaultdict(set)
    for resource_id, org_id, start, end in (
        UnmetDemand.objects.filter(resource__cluster=actor.cluster, starts_at__lt=high)
        .filter(ends_at__gt=low)
        .values_list("resource_id", "organisation_id", "starts_at", "ends_at")
    ):
        unmet_minutes[resource_id] += engine.minutes_between(start, end)
        unmet_firms[resource_id].add(org_id)
    for resource in resources.order_by("kind", "name"):
        spans = [
            (to_local(start), to_local(end))
            for start, end in Booking.objects.confirmed()
            .filter(resource=resource)
            .overlapping(low, high)
            .values_list("starts_at", "ends_at")
        ]
        rows.append(
            OccupancyRow(
                resource=resource,
                occupancy=engine.occupancy(
                    spans,
                    first_day,
                    last_day,
                    resource.weekly_hours,
                    [(c.first_day, c.last_day) for c in resource.closures.all()],
                ),
                bookings=len(spans),
                unmet_minutes=unmet_minutes[resource.pk],
                unmet_firms=len(unmet_firms[resource.pk]),
            )
        )
    return rows


def unmet_demand_list(*, actor: Actor, first_day: dt.date, last_day: dt.date):
    """Requests refused for lack of room in a period, with the firm and its note: for the
    cluster's managers only (funders see the hours in the occupancy table)."""
    require(actor.is_manager)
    low, high = days_range(first_day, last_day)
    return (
        UnmetDemand.objects.filter(
            resource__cluster=actor.cluster, starts_at__lt=high, ends_at__gt=low
        )
        .select_related("resource", "organisation")
        .order_by("starts_at", "pk")
    )
