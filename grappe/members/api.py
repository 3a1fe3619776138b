"""Members API: directory, profiles, memberships, needs and offers, prospects."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints

from grappe.api.pagination import Pagination
from grappe.api.scoping import allow, cluster_actor
from grappe.core.models import Cluster
from grappe.members import selectors, services
from grappe.members.models import Organisation

router = Router(tags=["membres"])


class OrganisationOut(Schema):
    slug: str
    name: str
    siret: str
    siren: str
    rna: str
    legal_form: str
    naf_code: str
    naf_nomenclature: str
    size_band: str
    address: str
    postcode: str
    commune: str | None = Field(None, alias="commune_id")
    latitude: Decimal | None
    longitude: Decimal | None
    website: str
    description: str
    skills: str
    tags: list[str]

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        return [t.name for t in obj.tags.all()]


class OrganisationPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    legal_form: str | None = Field(None, pattern=r"^(\d{4})?$")
    naf_code: str | None = Field(None, pattern=r"^(\d{2}\.\d{2}[A-Z])?$")
    size_band: str | None = Field(None, max_length=2)
    address: str | None = Field(None, max_length=300)
    postcode: str | None = Field(None, pattern=r"^(\d{5})?$")
    website: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=30)
    description: str | None = Field(None, max_length=10_000)
    skills: str | None = Field(None, max_length=5_000)
    tags: list[Annotated[str, StringConstraints(min_length=1, max_length=60)]] | None = Field(
        None, max_length=30
    )


class DirectoryQuery(Schema):
    q: str = Field("", max_length=200)
    naf: str = Field("", max_length=6)
    commune: str = Field("", max_length=5)
    tag: str = Field("", max_length=70)
    size_band: str = Field("", max_length=2)


@router.get(
    "/{slug}/organisations",
    response=list[OrganisationOut],
    summary="Annuaire : membres actifs (données publiques)",
)
@paginate(Pagination)
def organisation_list(request, slug: str, filters: Query[DirectoryQuery]):
    cluster = get_object_or_404(Cluster, slug=slug)
    return selectors.directory_search(
        cluster=cluster,
        filters=selectors.DirectoryFilters(
            query=filters.q,
            naf=filters.naf,
            commune=filters.commune,
            tag=filters.tag,
            size_band=filters.size_band,
        ),
    )


@router.get("/{slug}/organisations/{org_slug}", response=OrganisationOut, summary="Profil public")
def organisation_detail(request, slug: str, org_slug: str):
    cluster = get_object_or_404(Cluster, slug=slug)
    return selectors.organisation_get_public(cluster=cluster, slug=org_slug)


@router.patch(
    "/{slug}/organisations/{org_slug}",
    response=OrganisationOut,
    summary="Modifier le profil (personnes de la structure, animateurs)",
)
def organisation_update(request, slug: str, org_slug: str, payload: OrganisationPatch):
    actor = cluster_actor(request, slug)
    org = selectors.organisation_get_for_actor(actor=actor, slug=org_slug)
    data = payload.dict(exclude_unset=True, exclude_none=True)
    tags = data.pop("tags", None)
    return services.organisation_update(organisation=org, by=actor, tags=tags, **data)


class MembershipOut(Schema):
    id: int
    organisation: str = Field(alias="organisation.slug")
    organisation_name: str = Field(alias="organisation.name")
    status: str
    joined_on: dt.date | None
    renewal_on: dt.date | None
    left_on: dt.date | None
    fee_amount: Decimal
    fee_status: str


class MembershipQuery(Schema):
    status: Literal["", "applicant", "active", "lapsed", "left"] = ""
    q: str = Field("", max_length=200)


@router.get(
    "/{slug}/memberships",
    response=list[MembershipOut],
    summary="Adhésions et cotisations (animateurs)",
)
@paginate(Pagination)
def membership_list(request, slug: str, filters: Query[MembershipQuery]):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_manager)
    return selectors.membership_list(actor=actor, status=filters.status, query=filters.q)


class PostOut(Schema):
    id: int
    kind: str
    title: str
    text: str
    visibility: str
    organisation: str = Field(alias="organisation.slug")
    organisation_name: str = Field(alias="organisation.name")
    created_at: dt.datetime


class PostIn(Schema):
    organisation: str = Field(..., min_length=1, max_length=80, description="slug de la structure")
    kind: Literal["need", "offer"]
    title: str = Field(..., min_length=1, max_length=160)
    text: str = Field(..., min_length=1, max_length=10_000)
    visibility: Literal["public", "cluster", "managers"] = "cluster"


class PostQuery(Schema):
    kind: Literal["", "need", "offer"] = ""


@router.get("/{slug}/posts", response=list[PostOut], summary="Besoins et offres visibles")
@paginate(Pagination)
def post_list(request, slug: str, filters: Query[PostQuery]):
    actor = cluster_actor(request, slug)
    return selectors.post_list(actor=actor, kind=filters.kind)


@router.post("/{slug}/posts", response={201: PostOut}, summary="Publier un besoin ou une offre")
def post_create(request, slug: str, payload: PostIn):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_member)
    org = get_object_or_404(
        Organisation.objects.filter(pk__in=actor.organisation_ids), slug=payload.organisation
    )
    post = services.post_create(
        by=actor,
        organisation=org,
        kind=payload.kind,
        title=payload.title,
        text=payload.text,
        visibility=payload.visibility,
    )
    return Status(201, post)


class ProspectOut(Schema):
    id: int
    status: str
    note: str
    siret: str = Field(alias="establishment.siret")
    name: str = Field(alias="establishment.display_name")
    naf_code: str = Field(alias="establishment.naf_code")
    commune: str = Field(alias="establishment.commune_code")
    address: str = Field(alias="establishment.address")


class ProspectQuery(Schema):
    status: Literal["", "new", "contacted", "invited", "member", "dismissed"] = ""
    commune: str = Field("", max_length=5)


@router.get("/{slug}/prospects", response=list[ProspectOut], summary="Prospects (animateurs)")
@paginate(Pagination)
def prospect_list(request, slug: str, filters: Query[ProspectQuery]):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_manager)
    return selectors.prospect_list(actor=actor, status=filters.status, commune=filters.commune)


class CoverageOut(Schema):
    code: str
    name: str
    members: int
    prospects: int
    coverage: float | None


@router.get(
    "/{slug}/coverage", response=list[CoverageOut], summary="Couverture du secteur par commune"
)
def coverage(request, slug: str):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_manager or actor.is_observer)
    return selectors.coverage_by_commune(actor=actor)
