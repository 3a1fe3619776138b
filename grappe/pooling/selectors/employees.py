"""Reads on shared employees: the week's plan, requests, hours worked, the month's bills
and the demand for a new shared post."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from grappe.core.access import Actor, require
from grappe.engine import staffneeds, timeshare
from grappe.members import selectors as members_selectors
from grappe.members.models import Organisation, Post
from grappe.pooling.models import HoursRequest, SharedEmployee, StaffNeed, TimeLog


def employee_list(*, actor: Actor) -> QuerySet[SharedEmployee]:
    require(actor.is_member or actor.is_manager)
    qs = SharedEmployee.objects.filter(cluster=actor.cluster)
    if not actor.is_manager:
        qs = qs.filter(is_active=True)
    return qs.order_by("name")


def employee_get(*, actor: Actor, pk: int) -> SharedEmployee:
    """Members and managers of the cluster, and the employee themself."""
    employee = get_object_or_404(SharedEmployee, cluster=actor.cluster, pk=pk)
    is_self = actor.user is not None and employee.user_id == actor.user.pk
    require(is_self or actor.is_manager or (actor.is_member and employee.is_active))
    return employee


def requests_for(*, actor: Actor, employee: SharedEmployee) -> QuerySet[HoursRequest]:
    """Managers see every request; a firm sees its own."""
    qs = employee.hours_requests.select_related("organisation", "requested_by")
    if not actor.is_manager:
        qs = qs.filter(organisation_id__in=actor.organisation_ids)
    return qs.order_by("-created_at", "-id")


def hours_request_get(*, actor: Actor, pk: int) -> HoursRequest:
    request = get_object_or_404(
        HoursRequest.objects.select_related("employee", "organisation"),
        employee__cluster=actor.cluster,
        pk=pk,
    )
    require(actor.can_see_private_of(request.organisation_id))
    return request


@dataclass(frozen=True)
class PlanDay:
    day: dt.date
    capacity: Decimal
    booked: Decimal
    entries: list[tuple[str, Decimal, bool]]  # label, hours, is the actor's firm

    @property
    def free(self) -> Decimal:
        return max(Decimal(0), self.capacity - self.booked)


def week_plan(*, actor: Actor, employee: SharedEmployee, monday: dt.date) -> list[PlanDay]:
    """The validated hours of a week, day by day; other firms' names for managers only."""
    capacity = employee.capacity
    requests = list(
        employee.hours_requests.filter(status=HoursRequest.Status.VALIDATED).select_related(
            "organisation"
        )
    )
    days = []
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        entries = []
        for request in requests:
            if request.as_allocation().applies_on(day):
                mine = actor.acts_for(request.organisation_id)
                label = request.organisation.name if (mine or actor.is_manager) else _("Réservé")
                entries.append((label, request.hours, mine))
        days.append(
            PlanDay(
                day=day,
                capacity=capacity.daily_hours[offset],
                booked=sum((hours for _l, hours, _m in entries), Decimal(0)),
                entries=entries,
            )
        )
    return days


def timelog_list(
    *, actor: Actor, employee: SharedEmployee, first_day: dt.date, last_day: dt.date
) -> QuerySet[TimeLog]:
    qs = employee.time_logs.filter(day__gte=first_day, day__lte=last_day).select_related(
        "organisation", "logged_by"
    )
    is_self = actor.user is not None and employee.user_id == actor.user.pk
    if not (actor.is_manager or is_self):
        qs = qs.filter(organisation_id__in=actor.organisation_ids)
    return qs.order_by("-day", "-id")


def timelog_get(*, actor: Actor, pk: int) -> TimeLog:
    log = get_object_or_404(
        TimeLog.objects.select_related("employee"), employee__cluster=actor.cluster, pk=pk
    )
    is_self = actor.user is not None and log.employee.user_id == actor.user.pk
    require(actor.is_manager or is_self)
    return log


def hours_by_organisation(
    employee: SharedEmployee, first_day: dt.date, last_day: dt.date
) -> dict[int, Decimal]:
    """Hours worked per firm in a period, and 0 for the other firms with validated hours
    planned in the period (they share the fee if nobody worked)."""
    hours: dict[int, Decimal] = {}
    planned = employee.hours_requests.filter(status=HoursRequest.Status.VALIDATED).filter(
        Q(kind=HoursRequest.Kind.ONE_OFF, day__gte=first_day, day__lte=last_day)
        | Q(
            Q(starts_on__isnull=True) | Q(starts_on__lte=last_day),
            Q(ends_on__isnull=True) | Q(ends_on__gte=first_day),
            kind=HoursRequest.Kind.RECURRING,
        )
    )
    for org_id in planned.values_list("organisation_id", flat=True).distinct():
        hours[org_id] = Decimal(0)
    for org_id, total in (
        employee.time_logs.filter(day__gte=first_day, day__lte=last_day)
        .values_list("organisation_id")
        .annotate(total=Sum("hours"))
    ):
        hours[org_id] = total
    return dict(sorted(hours.items()))


def month_bills(
    employee: SharedEmployee, first_day: dt.date, last_day: dt.date
) -> dict[int, timeshare.MemberBill]:
    """Each firm's month: hours × hourly cost × coefficient + its share of the fee."""
    hours = hours_by_organisation(employee, first_day, last_day)
    if not hours:
        return {}
    return timeshare.monthly_bills(
        hours,
        hourly_cost=employee.hourly_cost,
        coefficient=employee.coefficient,
        monthly_fee=employee.monthly_fee,
    )


@dataclass(frozen=True)
class BillRow:
    organisation: Organisation
    bill: timeshare.MemberBill


def month_bill_rows(
    *, actor: Actor, employee: SharedEmployee, first_day: dt.date, last_day: dt.date
) -> list[BillRow]:
    bills = month_bills(employee, first_day, last_day)
    if not actor.is_manager:
        bills = {k: v for k, v in bills.items() if k in actor.organisation_ids}
    names = Organisation.objects.in_bulk(list(bills))
    return [BillRow(names[org_id], bill) for org_id, bill in bills.items()]


# --- Demand for a new shared post ---------------------------------------------------------


@dataclass(frozen=True)
class DetectedNeed:
    post: Post
    need: staffneeds.StatedNeed


def needs_detected_in_posts(*, actor: Actor) -> list[DetectedNeed]:
    """Open need posts whose text states a role and weekly hours, not yet recorded."""
    require(actor.is_manager)
    recorded = set(
        StaffNeed.objects.filter(cluster=actor.cluster, post__isnull=False).values_list(
            "post_id", flat=True
        )
    )
    detected = []
    for post in members_selectors.post_list(actor=Actor.system(actor.cluster), kind="need"):
        if post.pk in recorded:
            continue
        need = staffneeds.parse_staff_need(f"{post.title}. {post.text}")
        if need is not None:
            detected.append(DetectedNeed(post=post, need=need))
    return detected


def staff_need_list(*, actor: Actor) -> QuerySet[StaffNeed]:
    require(actor.is_manager)
    return StaffNeed.objects.filter(cluster=actor.cluster).select_related("organisation", "post")


def demand(*, actor: Actor) -> list[timeshare.Proposal]:
    """Roles for which the firms' recorded and posted needs add up to a shared post,
    then the others with what they lack. Names of firms replace their ids."""
    needs = [
        timeshare.Need(member=n.organisation.name, role=n.role, weekly_hours=n.weekly_hours)
        for n in staff_need_list(actor=actor)
    ]
    needs += [
        timeshare.Need(
            member=d.post.organisation.name, role=d.need.role, weekly_hours=d.need.weekly_hours
        )
        for d in needs_detected_in_posts(actor=actor)
    ]
    return timeshare.demand_for_new_post(needs, include_insufficient=True)


def render_message(message: timeshare.Message) -> str:
    return message.render(_)


def members_hours_total(employee: SharedEmployee) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for request in employee.hours_requests.filter(
        status=HoursRequest.Status.VALIDATED, kind=HoursRequest.Kind.RECURRING
    ):
        totals[request.organisation_id] += request.hours
    return dict(totals)
