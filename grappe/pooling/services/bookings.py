"""Writes on shared resources: resources and closures (managers), bookings, cancellations
and waitlists (members). Every write runs in a transaction; managers' writes are audited.

No double booking: the database refuses it (``grappe.pooling.guard``); the service
checks first to answer with the rules that a request breaks, and turns the database's
refusal, when two requests race, into the same French message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.access import Actor, resolve_actor
from grappe.core.emails import absolute_url, send_email_on_commit
from grappe.core.services import audit_record
from grappe.engine import bookings as engine
from grappe.members.models import Organisation
from grappe.pooling import guard, permissions
from grappe.pooling.models import Booking, Closure, Resource, UnmetDemand, WaitlistEntry
from grappe.pooling.periods import days_range, month_of, to_local

CENT = Decimal("0.01")
TAKEN = "taken"

RESOURCE_FIELDS = (
    "kind",
    "name",
    "description",
    "location",
    "capacity",
    "surface",
    "opening_hours",
    "audience",
    "slot_minutes",
    "min_notice_hours",
    "max_hours_per_month",
    "cancellation_deadline_hours",
    "price",
    "price_unit",
    "vat_rate",
    "alone_price_per_hour",
    "cost_pool",
    "is_active",
)


def taken_message() -> str:
    return _(
        "Ce créneau est déjà réservé (ou vient de l'être). Choisissez-en un autre ou "
        "inscrivez-vous sur la liste d'attente."
    )


def _require_manager(by: Actor) -> None:
    if not by.is_manager:
        raise PermissionDenied


def _aware(value: dt.datetime, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise ValidationError({field: _("Date et heure invalides.")})
    return value.astimezone(dt.UTC)


# --- Resources (managers) -----------------------------------------------------------------


def _clean_resource(resource: Resource) -> None:
    try:
        engine.parse_weekly_hours(resource.opening_hours)
    except engine.BookingError as exc:
        raise ValidationError(
            {"opening_hours": _(exc.template) % exc.params if exc.params else _(exc.template)}
        ) from None
    if resource.cost_pool_id and resource.cost_pool.cluster_id != resource.cluster_id:
        raise ValidationError({"cost_pool": _("Ce pool de coûts n'est pas celui de la grappe.")})
    resource.full_clean(exclude=["cluster"], validate_unique=False)
    resource.validate_constraints()
    if (
        Resource.objects.filter(cluster_id=resource.cluster_id, name__iexact=resource.name)
        .exclude(pk=resource.pk)
        .exists()
    ):
        raise ValidationError({"name": _("Une ressource de la grappe porte déjà ce nom.")})


def _set_allowed(resource: Resource, organisation_ids: Iterable[int] | None) -> None:
    if organisation_ids is None:
        return
    ids = set(organisation_ids)
    unknown = [pk for pk in ids if not permissions.is_cluster_member(resource.cluster, pk)]
    if unknown:
        raise ValidationError(
            {"allowed_organisations": _("Seules des structures membres peuvent être choisies.")}
        )
    resource.allowed_organisations.set(ids)


@transaction.atomic
def resource_create(
    *, by: Actor, allowed_organisation_ids: Iterable[int] | None = None, **data
) -> Resource:
    _require_manager(by)
    resource = Resource(
        cluster=by.cluster, **{k: v for k, v in data.items() if k in RESOURCE_FIELDS}
    )
    _clean_resource(resource)
    resource.save()
    _set_allowed(resource, allowed_organisation_ids)
    audit_record(actor=by, action="resource.create", target=resource)
    return resource


@transaction.atomic
def resource_update(
    *,
    resource: Resource,
    by: Actor,
    allowed_organisation_ids: Iterable[int] | None = None,
    **data,
) -> Resource:
    _require_manager(by)
    if resource.cluster_id != by.cluster.pk:
        raise PermissionDenied
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    changes = {}
    for name, value in data.items():
        if name not in RESOURCE_FIELDS:
            raise ValueError(f"not a resource field: {name}")
        old = getattr(resource, name)
        if old != value:
            changes[name] = [str(old), str(value)]
            setattr(resource, name, value)
    _clean_resource(resource)
    resource.save()
    _set_allowed(resource, allowed_organisation_ids)
    if changes:
        audit_record(actor=by, action="resource.update", target=resource, changes=changes)
    return resource


@transaction.atomic
def closure_add(
    *, resource: Resource, by: Actor, first_day: dt.date, last_day: dt.date, reason: str = ""
) -> Closure:
    _require_manager(by)
    if resource.cluster_id != by.cluster.pk:
        raise PermissionDenied
    if last_day < first_day:
        raise ValidationError({"last_day": _("La fermeture finit avant de commencer.")})
    start, end = days_range(first_day, last_day)
    if Booking.objects.confirmed().filter(resource=resource).overlapping(start, end).exists():
        raise ValidationError(
            _(
                "Des réservations confirmées tombent pendant cette fermeture : annulez-les "
                "d'abord (les structures seront prévenues par la liste des réservations)."
            )
        )
    closure = Closure.objects.create(
        resource=resource, first_day=first_day, last_day=last_day, reason=reason.strip()[:200]
    )
    audit_record(
        actor=by,
        action="resource.closure",
        target=resource,
        changes={"first_day": str(first_day), "last_day": str(last_day), "reason": reason},
    )
    return closure


@transaction.atomic
def closure_delete(*, closure: Closure, by: Actor) -> None:
    _require_manager(by)
    if closure.resource.cluster_id != by.cluster.pk:
        raise PermissionDenied
    audit_record(
        actor=by,
        action="resource.closure_delete",
        target=closure.resource,
        changes={"first_day": str(closure.first_day), "last_day": str(closure.last_day)},
    )
    closure.delete()


# --- Bookings -----------------------------------------------------------------------------


def booking_price(resource: Resource, minutes: int) -> tuple[Decimal, Decimal | None]:
    """The price before tax of ``minutes`` of a resource, and what it would cost alone."""
    hours = Decimal(minutes) / Decimal(60)
    if resource.price_unit == Resource.PriceUnit.SLOT:
        amount = resource.price * (Decimal(minutes) / Decimal(resource.slot_minutes))
    else:
        amount = resource.price * hours
    alone = None
    if resource.alone_price_per_hour is not None:
        alone = (resource.alone_price_per_hour * hours).quantize(CENT, ROUND_HALF_UP)
    return amount.quantize(CENT, ROUND_HALF_UP), alone


def _closures(resource: Resource) -> list[engine.Closure]:
    return [(c.first_day, c.last_day) for c in resource.closures.all()]


def month_minutes(
    resource: Resource, organisation_id: int, moment: dt.datetime, *, exclude_pk=None
) -> int:
    """Minutes a firm holds on a resource in the Paris month of ``moment`` (confirmed)."""
    low, high = days_range(*month_of(moment))
    rows = (
        Booking.objects.confirmed()
        .filter(
            resource=resource,
            organisation_id=organisation_id,
            starts_at__gte=low,
            starts_at__lt=high,
        )
        .exclude(pk=exclude_pk)
        .values_list("starts_at", "ends_at")
    )
    return sum(engine.minutes_between(start, end) for start, end in rows)


def booking_refusals(
    *,
    resource: Resource,
    organisation_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    now: dt.datetime,
) -> list[ValidationError]:
    """Every rule a request breaks, as French errors with a code (``taken`` for a slot
    already booked)."""
    errors = []
    if not resource.is_active:
        errors.append(
            ValidationError(_("Cette ressource n'est pas réservable en ce moment."), "inactive")
        )
    if not permissions.resource_open_to(resource, organisation_id):
        errors.append(
            ValidationError(_("Cette ressource est réservée à certaines structures."), "audience")
        )
    rules = resource.rules
    refusals = engine.booking_refusals(
        to_local(starts_at),
        to_local(ends_at),
        now=to_local(now),
        weekly=resource.weekly_hours,
        closures=_closures(resource),
        rules=rules,
        booked_minutes_in_month=month_minutes(resource, organisation_id, starts_at)
        if rules.max_minutes_per_month is not None
        else 0,
    )
    errors += [ValidationError(refusal.render(_), refusal.code) for refusal in refusals]
    if (
        ends_at > starts_at
        and Booking.objects.confirmed()
        .filter(resource=resource)
        .overlapping(starts_at, ends_at)
        .exists()
    ):
        errors.append(ValidationError(taken_message(), TAKEN))
    return errors


def only_taken(exc: ValidationError) -> bool:
    """The request breaks no rule: its slot is just taken (the waitlist may help)."""
    errors = getattr(exc, "error_list", None)  # a field's error (a dict) is never "taken"
    return bool(errors) and all(e.code == TAKEN for e in errors)


def _lock(resource: Resource) -> Resource:
    """Serialize the writes of one resource's bookings (PostgreSQL; SQLite serializes
    every write anyway). Without it, two overlapping bookings inserted at the same instant
    each wait in the exclusion constraint's check for the other's transaction, and
    PostgreSQL aborts one as a deadlock instead of refusing it as taken; a monthly maximum
    is also a sum over rows that must not change under the check. ``NO KEY UPDATE``: rows
    that merely reference the resource (waitlist, unmet demand) are not held up."""
    return Resource.objects.select_for_update(no_key=True).get(pk=resource.pk)


def _check_can_book(by: Actor, resource: Resource, organisation: Organisation) -> None:
    if resource.cluster_id != by.cluster.pk or not permissions.can_act_for(by, organisation.pk):
        raise PermissionDenied


def booking_create(
    *,
    resource: Resource,
    organisation: Organisation,
    by: Actor,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    note: str = "",
    now: dt.datetime | None = None,
    record_unmet: bool = True,
) -> Booking:
    """Book a resource for a firm, or refuse with every broken rule, in French. A request
    refused only because its slot is taken is kept as unmet demand, with its note (unless
    ``record_unmet`` is false: a waitlist promotion retries a demand already kept)."""
    request = {
        "resource": resource,
        "organisation": organisation,
        "by": by,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "note": note,
    }
    try:
        return _booking_create(**request, now=now)
    except ValidationError as exc:
        if record_unmet and only_taken(exc):
            unmet_demand_record(**request)
        raise


def unmet_demand_record(
    *,
    resource: Resource,
    organisation: Organisation,
    by: Actor,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    note: str = "",
) -> UnmetDemand:
    """One row per firm and slot asked for: asking again counts an attempt and keeps the
    latest note given. (A concurrent first insert of the same slot is read back by
    ``get_or_create`` and counted as an attempt.)"""
    note = " ".join(note.split())[:300]
    with transaction.atomic():
        demand, created = UnmetDemand.objects.select_for_update().get_or_create(
            resource=resource,
            organisation=organisation,
            starts_at=_aware(starts_at, "starts_at"),
            ends_at=_aware(ends_at, "ends_at"),
            defaults={"user": by.user, "note": note},
        )
        if not created:
            demand.attempts += 1
            demand.user = by.user or demand.user
            demand.note = note or demand.note
            demand.save(update_fields=["attempts", "user", "note", "updated_at"])
    return demand


@transaction.atomic
def _booking_create(
    *,
    resource: Resource,
    organisation: Organisation,
    by: Actor,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    note: str,
    now: dt.datetime | None,
) -> Booking:
    _check_can_book(by, resource, organisation)
    starts_at, ends_at = _aware(starts_at, "starts_at"), _aware(ends_at, "ends_at")
    now = now or timezone.now()
    resource = _lock(resource)
    errors = booking_refusals(
        resource=resource,
        organisation_id=organisation.pk,
        starts_at=starts_at,
        ends_at=ends_at,
        now=now,
    )
    if errors:
        raise ValidationError(errors)
    minutes = engine.minutes_between(starts_at, ends_at)
    amount, alone = booking_price(resource, minutes)
    booking = Booking(
        resource=resource,
        organisation=organisation,
        booked_by=by.user,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note.strip()[:300],
        amount=amount,
        alone_amount=alone,
        vat_rate=resource.vat_rate,
    )
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:
        if guard.NO_OVERLAP in str(exc):
            raise ValidationError(taken_message(), TAKEN) from exc
        raise
    if not by.acts_for(organisation.pk):
        audit_record(
            actor=by,
            action="booking.create",
            target=booking,
            changes={"organisation": organisation.name},
        )
    return booking


@transaction.atomic
def booking_cancel(*, booking: Booking, by: Actor, now: dt.datetime | None = None) -> Booking:
    """Cancel a booking (its firm before the deadline, a manager until it starts); the
    waitlist's first valid request then gets the slot."""
    now = now or timezone.now()
    resource = _lock(booking.resource)  # first, as every booking write: no lock cycle
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if resource.cluster_id != by.cluster.pk or not (
        by.is_manager or by.acts_for(booking.organisation_id)
    ):
        raise PermissionDenied
    if not booking.is_confirmed:
        raise ValidationError(_("Cette réservation est déjà annulée."))
    refusal = engine.cancellation_refusal(
        to_local(booking.starts_at), now=to_local(now), rules=resource.rules
    )
    if refusal is not None and (refusal.code == "started" or not by.is_manager):
        raise ValidationError(refusal.render(_), refusal.code)
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by = by.user
    booking.save(update_fields=["status", "cancelled_at", "cancelled_by", "updated_at"])
    if not by.acts_for(booking.organisation_id):
        audit_record(actor=by, action="booking.cancel", target=booking)
    waitlist_promote(
        resource=resource, starts_at=booking.starts_at, ends_at=booking.ends_at, now=now
    )
    return booking


# --- Waitlist -----------------------------------------------------------------------------


@transaction.atomic
def waitlist_join(
    *,
    resource: Resource,
    organisation: Organisation,
    by: Actor,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    now: dt.datetime | None = None,
) -> WaitlistEntry:
    """Wait for a taken slot: the request must break no rule but the slot being taken."""
    _check_can_book(by, resource, organisation)
    starts_at, ends_at = _aware(starts_at, "starts_at"), _aware(ends_at, "ends_at")
    errors = booking_refusals(
        resource=resource,
        organisation_id=organisation.pk,
        starts_at=starts_at,
        ends_at=ends_at,
        now=now or timezone.now(),
    )
    rules_broken = [e for e in errors if e.code != TAKEN]
    if rules_broken:
        raise ValidationError(rules_broken)
    if not errors:
        raise ValidationError(_("Ce créneau est libre : réservez-le directement."), "free")
    if WaitlistEntry.objects.filter(
        resource=resource,
        organisation=organisation,
        starts_at=starts_at,
        ends_at=ends_at,
        status=WaitlistEntry.Status.WAITING,
    ).exists():
        raise ValidationError(_("Votre structure attend déjà ce créneau."), "duplicate")
    return WaitlistEntry.objects.create(
        resource=resource,
        organisation=organisation,
        user=by.user,
        starts_at=starts_at,
        ends_at=ends_at,
    )


@transaction.atomic
def waitlist_withdraw(*, entry: WaitlistEntry, by: Actor) -> WaitlistEntry:
    if entry.resource.cluster_id != by.cluster.pk or not (
        by.is_manager or by.acts_for(entry.organisation_id)
    ):
        raise PermissionDenied
    if entry.status != WaitlistEntry.Status.WAITING:
        raise ValidationError(_("Cette demande n'est plus en attente."))
    entry.status = WaitlistEntry.Status.WITHDRAWN
    entry.save(update_fields=["status", "updated_at"])
    return entry


def _expire(entry: WaitlistEntry, reason: str) -> None:
    entry.status = WaitlistEntry.Status.EXPIRED
    entry.reason = reason[:300]
    entry.save(update_fields=["status", "reason", "updated_at"])


@transaction.atomic
def waitlist_promote(
    *,
    resource: Resource,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    now: dt.datetime | None = None,
) -> list[Booking]:
    """Freed time: book it for the waiting firms, first come first served.

    An entry whose slot is still (partly) taken keeps waiting; one that breaks a rule
    now (past, quota, no longer a member) expires with the reason; each promoted
    firm's person is told by e-mail.
    """
    now = now or timezone.now()
    system = Actor.system(resource.cluster)
    entries = (
        WaitlistEntry.objects.filter(
            resource=resource,
            status=WaitlistEntry.Status.WAITING,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        .select_related("user", "organisation")
        .order_by("created_at", "id")
    )
    promoted = []
    for entry in entries:
        actor = resolve_actor(entry.user, resource.cluster) if entry.user else None
        if actor is None or not actor.acts_for(entry.organisation_id):
            _expire(entry, _("La personne inscrite n'agit plus pour cette structure."))
            continue
        try:
            booking = booking_create(
                resource=resource,
                organisation=entry.organisation,
                by=actor,
                starts_at=entry.starts_at,
                ends_at=entry.ends_at,
                note=_("Réservée depuis la liste d'attente"),
                now=now,
                record_unmet=False,
            )
        except ValidationError as exc:
            if only_taken(exc):
                continue
            _expire(entry, " ".join(exc.messages))
            continue
        entry.status = WaitlistEntry.Status.PROMOTED
        entry.booking = booking
        entry.save(update_fields=["status", "booking", "updated_at"])
        audit_record(
            actor=system,
            action="booking.waitlist_promote",
            target=booking,
            changes={"organisation": entry.organisation.name},
        )
        _tell_promoted(entry, booking)
        promoted.append(booking)
    return promoted


def _tell_promoted(entry: WaitlistEntry, booking: Booking) -> None:
    if not entry.user or not entry.user.email:
        return
    cluster = booking.resource.cluster
    start = to_local(booking.starts_at)
    send_email_on_commit(
        to=entry.user.email,
        subject=_("Créneau libéré : %(resource)s le %(day)s est à vous")
        % {"resource": booking.resource.name, "day": start.strftime("%d/%m/%Y")},
        template="pooling/email/waitlist_promoted",
        context={
            "cluster": cluster,
            "booking": booking,
            "organisation": entry.organisation,
            "start": start,
            "end": to_local(booking.ends_at),
            "url": absolute_url(
                reverse("pooling:dashboard", kwargs={"cluster_slug": cluster.slug})
            ),
        },
    )
