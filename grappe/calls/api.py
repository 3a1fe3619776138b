"""Calls API: the catalogue (public), a member's matches, applications, funding totals."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from grappe.api.pagination import Pagination
from grappe.api.scoping import allow, cluster_actor
from grappe.calls import selectors, services
from grappe.members.models import Organisation

router = Router(tags=["appels"])


class CallOut(Schema):
    id: int
    source: str
    source_id: str
    name: str
    financers: list[str]
    perimeter: str = Field(alias="perimeter_label")
    perimeter_scale: str
    targeted_audiences: list[str]
    aid_types: list[str]
    categories: list[str]
    start_date: dt.date | None
    submission_deadline: dt.date | None
    recurrence: str
    subvention_rate_lower_bound: int | None
    subvention_rate_upper_bound: int | None
    max_amount: Decimal | None
    loan_amount: Decimal | None
    origin_url: str
    application_url: str
    licence: str
    is_public: bool
    is_live: bool


class CallDetailOut(CallOut):
    description: str
    eligibility: str
    contact: str


class CallQuery(Schema):
    q: str = Field("", max_length=200)
    open: bool = True
    deadline_before: dt.date | None = None
    audience: str = Field("", max_length=30)
    aid_type: str = Field("", max_length=30)
    theme: str = Field("", max_length=60)
    territory: str = Field("", max_length=5, description="code commune INSEE")


@router.get(
    "/{slug}/calls",
    response=list[CallOut],
    summary="Appels à projets et aides : recherche (données publiques)",
)
@paginate(Pagination)
def call_list(request, slug: str, filters: Query[CallQuery]):
    return selectors.call_search(
        actor=cluster_actor(request, slug),
        filters=selectors.CallFilters(
            query=filters.q,
            open=filters.open,
            deadline_before=filters.deadline_before,
            audience=filters.audience,
            aid_type=filters.aid_type,
            theme=filters.theme,
            territory=filters.territory,
        ),
    )


class MatchOut(Schema):
    call: CallOut
    organisation: str | None
    score: float
    reasons: list[str]
    computed_at: dt.datetime

    @staticmethod
    def resolve_organisation(obj) -> str | None:
        return obj.organisation.slug if obj.organisation_id else None


class MatchQuery(Schema):
    organisation: str = Field("", max_length=80, description="slug de la structure")
    level: Literal["members", "cluster"] = "members"


@router.get(
    "/{slug}/calls/matches",
    response=list[MatchOut],
    summary="Appels recommandés : ceux de ma structure (animateurs : tous, ou la grappe)",
)
@paginate(Pagination)
def match_list(request, slug: str, filters: Query[MatchQuery]):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_member or actor.is_manager)
    if filters.level == "cluster":
        allow(actor, actor.is_manager)
        return selectors.match_list(actor=actor, cluster_level=True)
    org_id = None
    if filters.organisation:
        org_id = get_object_or_404(Organisation, slug=filters.organisation).pk
    return selectors.match_list(actor=actor, organisation_id=org_id)


@router.get("/{slug}/calls/{call_id}", response=CallDetailOut, summary="Un appel")
def call_detail(request, slug: str, call_id: int):
    actor = cluster_actor(request, slug)
    return selectors.call_get(actor=actor, pk=call_id)


class ManualCallIn(Schema):
    """A call entered by hand; ``perimeter``: ``com:<INSEE code>``, ``dep:<code>``,
    ``reg:<code>``, ``fr`` or ``eu``."""

    name: str = Field(..., min_length=1, max_length=400)
    perimeter: str = Field(..., min_length=2, max_length=12)
    description: str = Field("", max_length=20_000)
    eligibility: str = Field("", max_length=20_000)
    financers: list[Annotated[str, Field(max_length=200)]] = Field([], max_length=20)
    targeted_audiences: list[Annotated[str, Field(max_length=40)]] = Field([], max_length=20)
    aid_types: list[Annotated[str, Field(max_length=40)]] = Field([], max_length=20)
    categories: list[Annotated[str, Field(max_length=200)]] = Field([], max_length=20)
    start_date: dt.date | None = None
    submission_deadline: dt.date | None = None
    recurrence: Literal["", "oneoff", "ongoing", "recurring"] = ""
    max_amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    subvention_rate_upper_bound: int | None = Field(None, ge=0, le=100)
    origin_url: str = Field("", max_length=500)
    application_url: str = Field("", max_length=500)
    is_public: bool = True


@router.post(
    "/{slug}/calls",
    response={201: CallDetailOut},
    summary="Saisir un appel à la main (animateurs)",
)
def call_create(request, slug: str, payload: ManualCallIn):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_manager)
    return Status(201, services.call_create_manual(by=actor, **payload.model_dump()))


def _manual_call(request, slug: str, call_id: int):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_manager)
    return actor, selectors.manual_call_get(actor=actor, pk=call_id)


@router.put(
    "/{slug}/calls/{call_id}",
    response=CallDetailOut,
    summary="Corriger un appel saisi par la grappe (animateurs)",
)
def call_update(request, slug: str, call_id: int, payload: ManualCallIn):
    actor, call = _manual_call(request, slug, call_id)
    return services.call_update_manual(by=actor, call=call, **payload.model_dump())


@router.post(
    "/{slug}/calls/{call_id}/withdraw",
    response=CallDetailOut,
    summary="Retirer du catalogue un appel saisi par la grappe",
)
def call_withdraw(request, slug: str, call_id: int):
    actor, call = _manual_call(request, slug, call_id)
    return services.call_set_live(by=actor, call=call, live=False)


@router.post(
    "/{slug}/calls/{call_id}/publish",
    response=CallDetailOut,
    summary="Remettre au catalogue un appel retiré",
)
def call_publish(request, slug: str, call_id: int):
    actor, call = _manual_call(request, slug, call_id)
    return services.call_set_live(by=actor, call=call, live=True)


class ParticipantOut(Schema):
    organisation: str = Field(alias="organisation.slug")
    organisation_name: str = Field(alias="organisation.name")
    role: str
    weight: Decimal
    budget_share: Decimal


class ApplicationOut(Schema):
    id: int
    call: int = Field(alias="call_id")
    call_name: str = Field(alias="call.name")
    kind: str
    title: str
    status: str
    deadline: dt.date | None
    budget_total: Decimal
    requested_amount: Decimal
    co_financing: Decimal
    obtained_amount: Decimal | None
    paid_amount: Decimal | None
    submitted_on: dt.date | None
    decided_on: dt.date | None
    paid_on: dt.date | None


class ApplicationDetailOut(ApplicationOut):
    participants: list[ParticipantOut]

    @staticmethod
    def resolve_participants(obj):
        return obj.participants.select_related("organisation")


class ApplicationQuery(Schema):
    status: Literal["", "draft", "submitted", "obtained", "refused", "paid"] = ""


@router.get(
    "/{slug}/applications",
    response=list[ApplicationOut],
    summary="Candidatures : celles de mes structures (animateurs : toutes)",
)
@paginate(Pagination)
def application_list(request, slug: str, filters: Query[ApplicationQuery]):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_member or actor.is_manager)
    return selectors.application_list(actor=actor, status=filters.status)


@router.get(
    "/{slug}/applications/{application_id}",
    response=ApplicationDetailOut,
    summary="Une candidature, ses participants et leur part du budget",
)
def application_detail(request, slug: str, application_id: int):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_member or actor.is_manager)
    return selectors.application_get(actor=actor, pk=application_id)


class YearOut(Schema):
    year: int
    amount: Decimal
    count: int


class FundingOut(Schema):
    applications: int
    collective: int
    obtained_count: int
    refused_count: int
    submitted_count: int
    obtained_amount: Decimal
    paid_amount: Decimal
    pending_amount: Decimal
    by_year: list[YearOut]


@router.get(
    "/{slug}/funding",
    response=FundingOut,
    summary="Financements obtenus par la grappe : totaux (animateurs, financeurs)",
)
def funding(request, slug: str):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_manager or actor.is_observer)
    return selectors.funding_obtained(cluster=actor.cluster)
