"""Writes on shared employees: the employee (managers), hours requests (members ask,
managers decide), time logs (the employee or a manager) and stated staff needs.

The plan never exceeds the employee's capacity: a request is checked against the
validated hours (``engine.timeshare.plan``) when it is made and again, under a lock on
the employee, when a manager validates it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.access import Actor
from grappe.core.emails import absolute_url, send_email_on_commit
from grappe.core.services import audit_record
from grappe.engine import timeshare
from grappe.members.models import Organisation, Post
from grappe.pooling import permissions
from grappe.pooling.models import HoursRequest, SharedEmployee, StaffNeed, TimeLog

EMPLOYEE_FIELDS = (
    "name",
    "role",
    "user",
    "yearly_cost",
    "yearly_hours",
    "coefficient",
    "monthly_fee",
    "weekly_hours",
    "daily_hours",
    "vat_rate",
    "alone_hourly_price",
    "is_active",
)


class PlanConflict(ValidationError):
    """The request does not fit: the plan's explanation and its alternatives."""

    def __init__(self, result: timeshare.PlanResult):
        self.result = result
        lines = [result.message.render(_)] + [c.message.render(_) for c in result.conflicts]
        super().__init__(" ".join(lines), code="conflict")

    @property
    def alternatives(self) -> list[tuple[timeshare.Allocation, str]]:
        return [(a.request, a.message.render(_)) for a in self.result.alternatives]


def _require_manager(by: Actor, cluster_id: int | None = None) -> None:
    if not by.is_manager or (cluster_id is not None and cluster_id != by.cluster.pk):
        raise PermissionDenied


def _timeshare_error(exc: timeshare.TimeshareError) -> ValidationError:
    return ValidationError(_(exc.template) % exc.params if exc.params else _(exc.template))


def _clean_employee(employee: SharedEmployee) -> None:
    hours = employee.daily_hours
    if not isinstance(hours, list | tuple) or len(hours) != 7:
        raise ValidationError({"daily_hours": _("Il faut les heures de chaque jour (7 valeurs).")})
    try:
        employee.daily_hours = [str(Decimal(str(h))) for h in hours]
        employee.capacity  # noqa: B018 - validated by the engine
    except (ArithmeticError, ValueError) as exc:
        if isinstance(exc, timeshare.TimeshareError):
            raise ValidationError({"daily_hours": _timeshare_error(exc).messages}) from None
        raise ValidationError({"daily_hours": _("Heures par jour invalides.")}) from None
    if sum(Decimal(h) for h in employee.daily_hours) < employee.weekly_hours:
        raise ValidationError(
            {
                "daily_hours": _(
                    "Les heures par jour (%(days)s h au total) ne couvrent pas la capacité "
                    "hebdomadaire (%(week)s h)."
                )
                % {
                    "days": timeshare.fr_number(sum(Decimal(h) for h in employee.daily_hours)),
                    "week": timeshare.fr_number(employee.weekly_hours),
                }
            }
        )
    employee.full_clean(exclude=["cluster"])


@transaction.atomic
def employee_create(*, by: Actor, **data) -> SharedEmployee:
    _require_manager(by)
    employee = SharedEmployee(
        cluster=by.cluster, **{k: v for k, v in data.items() if k in EMPLOYEE_FIELDS}
    )
    _clean_employee(employee)
    employee.save()
    audit_record(actor=by, action="shared_employee.create", target=employee)
    return employee


@transaction.atomic
def employee_update(*, employee: SharedEmployee, by: Actor, **data) -> SharedEmployee:
    _require_manager(by, employee.cluster_id)
    employee = SharedEmployee.objects.select_for_update().get(pk=employee.pk)
    changes = {}
    for name, value in data.items():
        if name not in EMPLOYEE_FIELDS:
            raise ValueError(f"not an employee field: {name}")
        if getattr(employee, name) != value:
            changes[name] = [str(getattr(employee, name)), str(value)]
            setattr(employee, name, value)
    _clean_employee(employee)
    employee.save()
    if changes:
        audit_record(actor=by, action="shared_employee.update", target=employee, changes=changes)
    return employee


def validated_allocations(
    employee: SharedEmployee, *, exclude_pk: int | None = None
) -> list[timeshare.Allocation]:
    rows = employee.hours_requests.filter(status=HoursRequest.Status.VALIDATED).exclude(
        pk=exclude_pk
    )
    return [row.as_allocation() for row in rows]


def _request_allocation(**data) -> timeshare.Allocation:
    try:
        if data["kind"] == HoursRequest.Kind.RECURRING:
            return timeshare.Recurring(
                member=data["organisation_id"],
                weekday=data["weekday"],
                hours=data["hours"],
                starts=data.get("starts_on"),
                ends=data.get("ends_on"),
            )
        return timeshare.OneOff(
            member=data["organisation_id"], day=data["day"], hours=data["hours"]
        )
    except timeshare.TimeshareError as exc:
        raise _timeshare_error(exc) from None


@transaction.atomic
def hours_request_submit(
    *,
    employee: SharedEmployee,
    organisation: Organisation,
    by: Actor,
    kind: str,
    hours: Decimal,
    weekday: int | None = None,
    day: dt.date | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> HoursRequest:
    """Ask for hours. Refused with `PlanConflict` (explanation and alternatives) when the
    validated plan has no room; a manager's request for a firm is validated at once."""
    if employee.cluster_id != by.cluster.pk or not permissions.can_act_for(by, organisation.pk):
        raise PermissionDenied
    if not employee.is_active:
        raise ValidationError(_("Cette personne n'est plus en poste."))
    today = today or timezone.localdate()
    if kind not in HoursRequest.Kind.values:
        raise ValidationError({"kind": _("Choisissez une fréquence.")})
    if kind == HoursRequest.Kind.ONE_OFF:
        weekday, starts_on, ends_on = None, None, None
        if day is None:
            raise ValidationError({"day": _("Indiquez la date.")})
        if day < today:
            raise ValidationError({"day": _("Cette date est passée.")})
    else:
        day = None
        if weekday is None:
            raise ValidationError({"weekday": _("Choisissez le jour de la semaine.")})
        starts_on = starts_on or today
    employee = SharedEmployee.objects.select_for_update().get(pk=employee.pk)
    allocation = _request_allocation(
        kind=kind,
        organisation_id=organisation.pk,
        weekday=weekday,
        day=day,
        hours=hours,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    result = timeshare.plan(employee.capacity, validated_allocations(employee), allocation)
    if not result.accepted:
        raise PlanConflict(result)
    manager_for_firm = by.is_manager and not by.acts_for(organisation.pk)
    request = HoursRequest.objects.create(
        employee=employee,
        organisation=organisation,
        requested_by=by.user,
        kind=kind,
        weekday=weekday,
        day=day,
        hours=hours,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note.strip()[:300],
        status=HoursRequest.Status.VALIDATED if manager_for_firm else HoursRequest.Status.REQUESTED,
        decided_by=by.user if manager_for_firm else None,
        decided_at=timezone.now() if manager_for_firm else None,
    )
    if manager_for_firm:
        audit_record(
            actor=by,
            action="shared_employee.hours_validate",
            target=request,
            changes={"organisation": organisation.name, "hours": str(hours)},
        )
    return request


@transaction.atomic
def hours_request_decide(
    *, request: HoursRequest, by: Actor, validate: bool, note: str = ""
) -> HoursRequest:
    """Validate (if it still fits the plan) or refuse a request; the firm is told."""
    _require_manager(by, request.employee.cluster_id)
    employee = SharedEmployee.objects.select_for_update().get(pk=request.employee_id)
    request = HoursRequest.objects.select_related("organisation", "requested_by").get(pk=request.pk)
    if request.status != HoursRequest.Status.REQUESTED:
        raise ValidationError(_("Cette demande a déjà été traitée."))
    if validate:
        result = timeshare.plan(
            employee.capacity,
            validated_allocations(employee, exclude_pk=request.pk),
            request.as_allocation(),
        )
        if not result.accepted:
            raise PlanConflict(result)
    elif not note.strip():
        raise ValidationError({"note": _("Expliquez le refus à la structure.")})
    request.status = HoursRequest.Status.VALIDATED if validate else HoursRequest.Status.REFUSED
    request.decided_by = by.user
    request.decided_at = timezone.now()
    request.decision_note = note.strip()[:500]
    request.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"]
    )
    audit_record(
        actor=by,
        action="shared_employee.hours_validate" if validate else "shared_employee.hours_refuse",
        target=request,
        changes={"organisation": request.organisation.name, "note": request.decision_note},
    )
    if request.requested_by and request.requested_by.email:
        cluster = employee.cluster
        send_email_on_commit(
            to=request.requested_by.email,
            subject=(
                _("Heures de %(name)s : demande validée")
                if validate
                else _("Heures de %(name)s : demande refusée")
            )
            % {"name": employee.name},
            template="pooling/email/hours_decided",
            context={
                "cluster": cluster,
                "request": request,
                "employee": employee,
                "url": absolute_url(
                    reverse(
                        "pooling:employee-detail",
                        kwargs={"cluster_slug": cluster.slug, "pk": employee.pk},
                    )
                ),
            },
        )
    return request


@transaction.atomic
def hours_request_cancel(*, request: HoursRequest, by: Actor) -> HoursRequest:
    """A firm withdraws its request, or ends its recurring hours (a manager may too)."""
    if request.employee.cluster_id != by.cluster.pk or not (
        by.is_manager or by.acts_for(request.organisation_id)
    ):
        raise PermissionDenied
    if request.status not in (HoursRequest.Status.REQUESTED, HoursRequest.Status.VALIDATED):
        raise ValidationError(_("Cette demande n'est plus active."))
    request.status = HoursRequest.Status.CANCELLED
    request.save(update_fields=["status", "updated_at"])
    if not by.acts_for(request.organisation_id):
        audit_record(actor=by, action="shared_employee.hours_cancel", target=request)
    return request


def can_log_time(by: Actor, employee: SharedEmployee) -> bool:
    return by.is_manager or (by.user is not None and employee.user_id == by.user.pk)


@transaction.atomic
def timelog_add(
    *,
    employee: SharedEmployee,
    organisation: Organisation,
    by: Actor,
    day: dt.date,
    hours: Decimal,
    note: str = "",
    today: dt.date | None = None,
) -> TimeLog:
    """Hours actually worked for a firm on a day: by the employee or a manager."""
    if employee.cluster_id != by.cluster.pk or not can_log_time(by, employee):
        raise PermissionDenied
    if not permissions.is_cluster_member(employee.cluster, organisation.pk):
        raise ValidationError({"organisation": _("Cette structure n'est pas membre de la grappe.")})
    if day > (today or timezone.localdate()):
        raise ValidationError({"day": _("On saisit les heures faites, pas à venir.")})
    if not isinstance(hours, Decimal) or not Decimal("0") < hours <= Decimal("24"):
        raise ValidationError({"hours": _("Entre 0 et 24 heures.")})
    logged = sum(
        TimeLog.objects.filter(employee=employee, day=day).values_list("hours", flat=True),
        Decimal(0),
    )
    if logged + hours > Decimal("24"):
        raise ValidationError(
            {"hours": _("Plus de 24 heures saisies pour cette journée : vérifiez la saisie.")}
        )
    log = TimeLog.objects.create(
        employee=employee,
        organisation=organisation,
        day=day,
        hours=hours,
        note=note.strip()[:300],
        logged_by=by.user,
    )
    if by.is_manager:
        audit_record(
            actor=by,
            action="shared_employee.timelog",
            target=log,
            changes={"organisation": organisation.name, "day": str(day), "hours": str(hours)},
        )
    return log


@transaction.atomic
def timelog_delete(*, log: TimeLog, by: Actor) -> None:
    if log.employee.cluster_id != by.cluster.pk or not can_log_time(by, log.employee):
        raise PermissionDenied
    if by.is_manager:
        audit_record(
            actor=by,
            action="shared_employee.timelog_delete",
            target=log,
            changes={"day": str(log.day), "hours": str(log.hours)},
        )
    log.delete()


@transaction.atomic
def staff_need_create(
    *,
    by: Actor,
    organisation: Organisation,
    role: str,
    weekly_hours: Decimal,
    post: Post | None = None,
) -> StaffNeed:
    """A firm's need for a kind of role, stated to a manager or read from its post."""
    _require_manager(by)
    if not permissions.is_cluster_member(by.cluster, organisation.pk):
        raise ValidationError({"organisation": _("Cette structure n'est pas membre de la grappe.")})
    role = " ".join((role or "").split())
    if not role:
        raise ValidationError({"role": _("Indiquez le métier.")})
    if not isinstance(weekly_hours, Decimal) or not Decimal("0") < weekly_hours <= Decimal("48"):
        raise ValidationError({"weekly_hours": _("Entre 0 et 48 heures par semaine.")})
    if post is not None and (
        post.cluster_id != by.cluster.pk or post.organisation_id != organisation.pk
    ):
        raise ValidationError(_("Ce besoin publié n'est pas celui de cette structure."))
    if post is not None and StaffNeed.objects.filter(post=post).exists():
        raise ValidationError(_("Ce besoin publié est déjà pris en compte."))
    need = StaffNeed.objects.create(
        cluster=by.cluster,
        organisation=organisation,
        role=role[:120],
        weekly_hours=weekly_hours,
        post=post,
    )
    audit_record(
        actor=by,
        action="shared_employee.need",
        target=need,
        changes={"organisation": organisation.name, "role": role, "hours": str(weekly_hours)},
    )
    return need


@transaction.atomic
def staff_need_delete(*, need: StaffNeed, by: Actor) -> None:
    _require_manager(by, need.cluster_id)
    audit_record(actor=by, action="shared_employee.need_delete", target=need)
    need.delete()
