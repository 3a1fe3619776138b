"""Pooling API: resources and their availability, bookings (members book and cancel),
cost pools (read), studies and pledges. Scoped like the pages: outsiders get a 404,
people of the cluster without the role (funders) a 403, another firm's rows a 404."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from grappe.api.pagination import Pagination
from grappe.api.scoping import allow, cluster_actor
from grappe.core.access import Actor
from grappe.members.models import Organisation
from grappe.pooling import permissions
from grappe.pooling.periods import monday_of, parse_month
from grappe.pooling.selectors import pools as pool_selectors
from grappe.pooling.selectors import resources as resource_selectors
from grappe.pooling.selectors import studies as study_selectors
from grappe.pooling.services import bookings as booking_services
from grappe.pooling.services import studies as study_services

router = Router(tags=["mutualisation"])


def _actor(request, slug: str) -> Actor:
    """Pooling is for member firms and managers."""
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_member or actor.is_manager)
    return actor


def _organisation(actor: Actor, slug: str) -> Organisation:
    """A firm the actor may act for (its own; any member for a manager), else 404."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if not permissions.can_act_for(actor, organisation.pk):
        raise Http404
    return organisation


# --- Resources ----------------------------------------------------------------------------


class ResourceOut(Schema):
    id: int
    kind: str
    name: str
    description: str
    location: str
    capacity: int | None
    surface: Decimal | None
    opening_hours: list[str]
    slot_minutes: int
    min_notice_hours: int
    max_hours_per_month: Decimal | None
    cancellation_deadline_hours: int
    price: Decimal
    price_unit: str
    vat_rate: Decimal


@router.get("/{slug}/resources", response=list[ResourceOut], summary="Ressources réservables")
@paginate(Pagination)
def resource_list(request, slug: str):
    actor = _actor(request, slug)
    return resource_selectors.resource_list(actor=actor)


@router.get("/{slug}/resources/{pk}", response=ResourceOut, summary="Une ressource")
def resource_detail(request, slug: str, pk: int):
    actor = _actor(request, slug)
    return resource_selectors.resource_get(actor=actor, pk=pk)


class SlotOut(Schema):
    start: dt.datetime
    end: dt.datetime
    state: Literal["free", "mine", "taken", "past"]


class AvailabilityQuery(Schema):
    week: dt.date | None = Field(None, description="un jour de la semaine voulue (AAAA-MM-JJ)")


@router.get(
    "/{slug}/resources/{pk}/availability",
    response=list[SlotOut],
    summary="Créneaux d'une semaine : libres, réservés (par vous ou une autre structure), passés",
)
def resource_availability(request, slug: str, pk: int, query: Query[AvailabilityQuery]):
    actor = _actor(request, slug)
    resource = resource_selectors.resource_get(actor=actor, pk=pk)
    monday = monday_of(query.week or timezone.localdate())
    calendar = resource_selectors.week_calendar(actor=actor, resource=resource, monday=monday)
    slots = [cell for _time, cells in calendar.rows for cell in cells if cell.state != "closed"]
    return [
        {"start": cell.start, "end": cell.end, "state": cell.state}
        for cell in sorted(slots, key=lambda c: c.start)
    ]


# --- Bookings -----------------------------------------------------------------------------


class BookingOut(Schema):
    id: int
    resource: int = Field(alias="resource_id")
    resource_name: str = Field(alias="resource.name")
    organisation: str = Field(alias="organisation.slug")
    start: dt.datetime = Field(alias="starts_at")
    end: dt.datetime = Field(alias="ends_at")
    status: str
    note: str
    amount: Decimal
    vat_rate: Decimal


class BookingIn(Schema):
    resource: int
    organisation: str = Field(..., min_length=1, max_length=80, description="slug de la structure")
    start: dt.datetime = Field(..., description="avec le fuseau, ex. 2026-11-05T10:00:00+01:00")
    end: dt.datetime
    note: str = Field("", max_length=300)


class BookingQuery(Schema):
    when: Literal["upcoming", "past"] = "upcoming"


@router.get("/{slug}/bookings", response=list[BookingOut], summary="Réservations de vos structures")
@paginate(Pagination)
def booking_list(request, slug: str, query: Query[BookingQuery]):
    actor = _actor(request, slug)
    return resource_selectors.booking_list_for_actor(actor=actor, upcoming=query.when == "upcoming")


@router.post(
    "/{slug}/bookings",
    response={201: BookingOut},
    summary="Réserver (refus en français si une règle n'est pas respectée ou le créneau pris)",
)
def booking_create(request, slug: str, payload: BookingIn):
    actor = _actor(request, slug)
    resource = resource_selectors.resource_get(actor=actor, pk=payload.resource)
    organisation = _organisation(actor, payload.organisation)
    if timezone.is_naive(payload.start) or timezone.is_naive(payload.end):
        raise ValidationError("Indiquez le fuseau horaire des dates (par exemple +01:00).")
    booking = booking_services.booking_create(
        resource=resource,
        organisation=organisation,
        by=actor,
        starts_at=payload.start,
        ends_at=payload.end,
        note=payload.note,
    )
    return Status(201, booking)


@router.post("/{slug}/bookings/{pk}/cancel", response=BookingOut, summary="Annuler une réservation")
def booking_cancel(request, slug: str, pk: int):
    actor = _actor(request, slug)
    booking = resource_selectors.booking_get(actor=actor, pk=pk)
    return booking_services.booking_cancel(booking=booking, by=actor)


# --- Cost pools ---------------------------------------------------------------------------


class CostPoolOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    amount: Decimal
    vat_rate: Decimal
    allocation_key: str
    starts_on: dt.date
    ends_on: dt.date | None


class ShareOut(Schema):
    organisation: str
    presence_days: int
    amount: Decimal
    alone_amount: Decimal | None


class SplitOut(Schema):
    month: str
    amount: Decimal | None
    shares: list[ShareOut]
    error: str = ""


class MonthQuery(Schema):
    month: str = Field("", pattern=r"^(\d{4}-\d{2})?$", description="AAAA-MM (ce mois par défaut)")


@router.get(
    "/{slug}/cost-pools",
    response=list[CostPoolOut],
    summary="Pools de coûts (tous pour l'équipe ; ceux de vos structures pour un membre)",
)
@paginate(Pagination)
def cost_pool_list(request, slug: str):
    actor = _actor(request, slug)
    return pool_selectors.pool_list(actor=actor)


@router.get(
    "/{slug}/cost-pools/{pk}/split",
    response=SplitOut,
    summary="Répartition d'un mois (toutes les parts pour l'équipe ; la vôtre pour un membre)",
)
def cost_pool_split(request, slug: str, pk: int, query: Query[MonthQuery]):
    actor = _actor(request, slug)
    pool = pool_selectors.pool_get(actor=actor, pk=pk)
    first_day, last_day = parse_month(query.month, timezone.localdate())
    system = Actor.system(actor.cluster)
    preview = pool_selectors.pool_preview(
        actor=system, pool=pool, first_day=first_day, last_day=last_day
    )
    month = first_day.strftime("%Y-%m")
    if preview.split is None:
        error = preview.error if actor.is_manager else ""
        return {"month": month, "amount": None, "shares": [], "error": error}
    participations = {p.pk: p for p in pool.participations.select_related("organisation")}
    shares = [
        {
            "organisation": participations[share.key].organisation.slug,
            "presence_days": share.presence_days,
            "amount": share.amount,
            "alone_amount": share.alone_amount,
        }
        for share in preview.split.shares
        if actor.is_manager or actor.acts_for(participations[share.key].organisation_id)
    ]
    return {"month": month, "amount": preview.split.amount, "shares": shares}


# --- Studies ------------------------------------------------------------------------------


class StudyOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    status: str
    total_price: Decimal
    vat_rate: Decimal
    min_participants: int
    pledge_deadline: dt.date
    late_price: Decimal | None
    alone_price: Decimal | None
    participants: int
    price_per_participant: Decimal
    price_if_one_more: Decimal

    @staticmethod
    def resolve_participants(obj) -> int:
        return study_selectors.study_price(obj).participants

    @staticmethod
    def resolve_price_per_participant(obj) -> Decimal:
        return study_selectors.study_price(obj).per_participant

    @staticmethod
    def resolve_price_if_one_more(obj) -> Decimal:
        return study_selectors.study_price(obj).if_one_more


class StudyQuery(Schema):
    status: Literal["", "open", "confirmed", "cancelled", "delivered"] = ""


@router.get("/{slug}/studies", response=list[StudyOut], summary="Études et achats groupés")
@paginate(Pagination)
def study_list(request, slug: str, query: Query[StudyQuery]):
    actor = _actor(request, slug)
    return study_selectors.study_list(actor=actor, status=query.status)


@router.get("/{slug}/studies/{pk}", response=StudyOut, summary="Une étude, avec son prix du jour")
def study_detail(request, slug: str, pk: int):
    actor = _actor(request, slug)
    return study_selectors.study_get(actor=actor, pk=pk)


class PledgeIn(Schema):
    organisation: str = Field(..., min_length=1, max_length=80, description="slug de la structure")


class PledgeOut(Schema):
    study: int = Field(alias="study_id")
    organisation: str = Field(alias="organisation.slug")
    is_late: bool
    late_price: Decimal | None
    created_at: dt.datetime


@router.post(
    "/{slug}/studies/{pk}/pledges",
    response={201: PledgeOut},
    summary="Engager une structure (au prix tardif si l'étude est déjà confirmée)",
)
def pledge_create(request, slug: str, pk: int, payload: PledgeIn):
    actor = _actor(request, slug)
    study = study_selectors.study_get(actor=actor, pk=pk)
    organisation = _organisation(actor, payload.organisation)
    pledge = study_services.pledge_add(study=study, organisation=organisation, by=actor)
    return Status(201, pledge)


@router.delete(
    "/{slug}/studies/{pk}/pledges/{org_slug}",
    response={204: None},
    summary="Retirer l'engagement d'une structure (avant la date limite)",
)
def pledge_delete(request, slug: str, pk: int, org_slug: str):
    actor = _actor(request, slug)
    study = study_selectors.study_get(actor=actor, pk=pk)
    organisation = get_object_or_404(Organisation, slug=org_slug)
    pledge = study_selectors.pledge_get(actor=actor, study=study, organisation_id=organisation.pk)
    study_services.pledge_withdraw(pledge=pledge, by=actor)
    return Status(204, None)
