"""Reads of the members app, always scoped by the acting user and the cluster."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from grappe.core.access import Actor, require
from grappe.core.models import Cluster, User
from grappe.core.search import search_rank
from grappe.engine.text import query_terms
from grappe.members.models import (
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
    Person,
    Post,
    Prospect,
    Tag,
)

ACCESS_STATUSES = (Membership.Status.ACTIVE, Membership.Status.LAPSED)


def organisation_ids_for_user(user: User, cluster: Cluster) -> frozenset[int]:
    """Organisations a user acts for in a cluster (affiliation provider for core.access)."""
    return frozenset(
        Person.objects.filter(
            user=user,
            is_active=True,
            organisation__memberships__cluster=cluster,
            organisation__memberships__status__in=ACCESS_STATUSES,
        ).values_list("organisation_id", flat=True)
    )


def clusters_for_user(user: User) -> QuerySet[Cluster]:
    """Clusters where a user has a staff role or acts for a member firm."""
    return (
        Cluster.objects.filter(
            Q(roles__user=user)
            | Q(
                memberships__status__in=ACCESS_STATUSES,
                memberships__organisation__people__user=user,
                memberships__organisation__people__is_active=True,
            )
        )
        .distinct()
        .order_by("name")
    )


# --- Directory ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryFilters:
    query: str = ""
    naf: str = ""
    commune: str = ""
    tag: str = ""
    size_band: str = ""


def _directory_base(cluster: Cluster) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        memberships__cluster=cluster, memberships__status=Membership.Status.ACTIVE
    )


def directory_search(*, cluster: Cluster, filters: DirectoryFilters) -> QuerySet[Organisation]:
    """Active members of a cluster: public fields, French-aware search, filters, ranking."""
    qs = _directory_base(cluster)
    if filters.naf:
        qs = qs.filter(naf_code=filters.naf)
    if filters.commune:
        qs = qs.filter(commune_id=filters.commune)
    if filters.tag:
        qs = qs.filter(tags__slug=filters.tag)
    if filters.size_band:
        qs = qs.filter(size_band=filters.size_band)
    terms = query_terms(filters.query)
    qs = qs.search(terms)
    qs = qs.select_related("commune").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("name"))
    )
    if terms:
        # Ranking: a term in the name weighs more than one in the description.
        return qs.annotate(rank=search_rank(terms)).order_by("-rank", "name", "id")
    return qs.order_by("name", "id")


def cluster_public_stats(*, cluster: Cluster) -> dict:
    """Figures anyone may see: counts only."""
    base = _directory_base(cluster)
    return {
        "members": base.count(),
        "communes": base.exclude(commune__isnull=True).values("commune_id").distinct().count(),
        "sectors": base.exclude(naf_code="").values("naf_code").distinct().count(),
        "open_public_posts": Post.objects.open()
        .filter(cluster=cluster, visibility=Post.Visibility.PUBLIC)
        .count(),
    }


FACETS_TTL = 600


def directory_version_key(cluster_id: int) -> str:
    return f"members:directory-version:{cluster_id}"


def directory_facets(*, cluster: Cluster) -> dict:
    """Values offered by the directory filters, with counts.

    They do not depend on the search, so they are cached per cluster; every write that
    changes the directory bumps the cluster's version (``services.directory_changed``)."""
    version = cache.get_or_set(directory_version_key(cluster.pk), 0, timeout=None)
    return cache.get_or_set(
        f"members:directory-facets:{cluster.pk}:{version}",
        lambda: _directory_facets(cluster),
        timeout=FACETS_TTL,
    )


def _directory_facets(cluster: Cluster) -> dict:
    base = _directory_base(cluster)
    return {
        "naf": list(
            base.exclude(naf_code="")
            .values("naf_code")
            .annotate(n=Count("id"))
            .order_by("naf_code")
        ),
        "communes": list(
            base.exclude(commune__isnull=True)
            .values("commune_id", "commune__name")
            .annotate(n=Count("id"))
            .order_by("commune_id")
        ),
        "tags": list(
            Tag.objects.filter(organisations__in=base)
            .values("slug", "name")
            .annotate(n=Count("organisations"))
            .order_by("-n", "name")[:40]
        ),
        "size_bands": list(
            base.exclude(size_band="")
            .values("size_band")
            .annotate(n=Count("id"))
            .order_by("size_band")
        ),
    }


def organisation_get_public(*, cluster: Cluster, slug: str) -> Organisation:
    """A member's public profile; another cluster's organisation is a 404."""
    return get_object_or_404(
        _directory_base(cluster).select_related("commune").prefetch_related("tags"), slug=slug
    )


def people_visible(*, organisation: Organisation, actor: Actor) -> list[Person]:
    """The people a visitor may see: their own choice, wider for their firm and managers."""
    qs = organisation.people.filter(is_active=True)
    if not actor.can_see_private_of(organisation.pk):
        qs = qs.exclude(visibility=Person.Visibility.HIDDEN)
    return list(qs)


def organisation_get_for_actor(*, actor: Actor, slug: str) -> Organisation:
    """An organisation whose private side the actor may see (own firm or manager)."""
    org = get_object_or_404(
        Organisation.objects.filter(memberships__cluster=actor.cluster)
        .select_related("commune")
        .prefetch_related("tags"),
        slug=slug,
    )
    require(actor.can_see_private_of(org.pk))
    return org


def membership_get(*, actor: Actor, organisation: Organisation) -> Membership:
    membership = get_object_or_404(Membership, cluster=actor.cluster, organisation=organisation)
    require(actor.can_see_private_of(organisation.pk))
    return membership


def membership_list(*, actor: Actor, status: str = "", query: str = "") -> QuerySet[Membership]:
    require(actor.is_manager)
    qs = Membership.objects.filter(cluster=actor.cluster).select_related(
        "organisation", "organisation__commune"
    )
    if status:
        qs = qs.filter(status=status)
    terms = query_terms(query)
    for term in terms:
        qs = qs.filter(organisation__search_document__contains=" " + term)
    return qs.order_by("organisation__name")


def organisations_for_actor(*, actor: Actor) -> QuerySet[Organisation]:
    """The firms the actor acts for in this cluster."""
    return Organisation.objects.filter(pk__in=actor.organisation_ids).order_by("name")


# --- Needs and offers --------------------------------------------------------------------


def post_visibility_q(actor: Actor) -> Q:
    if actor.is_manager:
        return Q()
    q = Q(visibility=Post.Visibility.PUBLIC)
    if actor.is_member:
        q |= Q(visibility=Post.Visibility.CLUSTER)
        q |= Q(organisation_id__in=actor.organisation_ids)
    return q


def post_list(
    *, actor: Actor, kind: str = "", organisation: Organisation | None = None, include_closed=False
) -> QuerySet[Post]:
    qs = Post.objects.filter(cluster=actor.cluster).filter(post_visibility_q(actor))
    if not include_closed:
        qs = qs.open()
    if kind:
        qs = qs.filter(kind=kind)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.select_related("organisation", "author").order_by("-created_at", "-id")


def post_get(*, actor: Actor, pk: int) -> Post:
    return get_object_or_404(
        Post.objects.filter(cluster=actor.cluster)
        .filter(post_visibility_q(actor))
        .select_related("organisation"),
        pk=pk,
    )


def post_list_public(*, cluster: Cluster, organisation: Organisation) -> QuerySet[Post]:
    return Post.objects.open().filter(
        cluster=cluster, organisation=organisation, visibility=Post.Visibility.PUBLIC
    )


# --- Join requests, invitations ----------------------------------------------------------


def join_request_list(*, actor: Actor, status: str = JoinRequest.Status.PENDING):
    require(actor.is_manager)
    qs = JoinRequest.objects.filter(cluster=actor.cluster).select_related("commune")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("created_at")


def join_request_get(*, actor: Actor, pk: int) -> JoinRequest:
    require(actor.is_manager)
    return get_object_or_404(JoinRequest, cluster=actor.cluster, pk=pk)


def invitation_list(*, actor: Actor) -> QuerySet[Invitation]:
    require(actor.is_manager)
    return (
        Invitation.objects.filter(cluster=actor.cluster)
        .select_related("organisation", "invited_by")
        .order_by("-created_at")
    )


# --- Prospects ---------------------------------------------------------------------------


def prospect_list(*, actor: Actor, status: str = "", commune: str = "") -> QuerySet[Prospect]:
    require(actor.is_manager)
    qs = Prospect.objects.filter(cluster=actor.cluster, is_current=True).select_related(
        "establishment"
    )
    if status:
        qs = qs.filter(status=status)
    if commune:
        qs = qs.filter(establishment__commune_code=commune)
    return qs.order_by("establishment__commune_code", "establishment__name", "pk")


def prospect_get(*, actor: Actor, pk: int) -> Prospect:
    require(actor.is_manager)
    return get_object_or_404(
        Prospect.objects.select_related("establishment"), cluster=actor.cluster, pk=pk
    )


def coverage_by_commune(*, actor: Actor) -> list[dict]:
    """Per commune: active members and registry establishments of the cluster's sectors."""
    require(actor.is_manager or actor.is_observer)
    from grappe.territory.models import Commune

    cluster = actor.cluster
    members = dict(
        _directory_base(cluster)
        .exclude(commune__isnull=True)
        .values_list("commune_id")
        .annotate(n=Count("id"))
    )
    establishments = dict(
        Prospect.objects.filter(cluster=cluster, is_current=True)
        .values_list("establishment__commune_code")
        .annotate(n=Count("id"))
    )
    codes = sorted(set(members) | set(establishments))
    names = dict(Commune.objects.filter(code__in=codes).values_list("code", "name"))
    rows = []
    for code in codes:
        m, e = members.get(code, 0), establishments.get(code, 0)
        total = m + e
        rows.append(
            {
                "code": code,
                "name": names.get(code, code),
                "members": m,
                "prospects": e,
                "coverage": (m / total) if total else None,
            }
        )
    return rows


# --- Map ---------------------------------------------------------------------------------


def directory_geojson(*, cluster: Cluster) -> dict:
    """Active members as GeoJSON points (own coordinates, else their commune's centroid)."""
    rows = (
        _directory_base(cluster)
        .select_related("commune")
        .only(
            "name",
            "slug",
            "naf_code",
            "latitude",
            "longitude",
            "commune__name",
            "commune__latitude",
            "commune__longitude",
        )
        .order_by("name")
    )
    features = []
    for org in rows:
        lat, lon = org.latitude, org.longitude
        approximate = False
        if lat is None and org.commune is not None and org.commune.latitude is not None:
            lat, lon, approximate = org.commune.latitude, org.commune.longitude, True
        if lat is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
                "properties": {
                    "name": org.name,
                    "url": org.url_in(cluster),
                    "naf": org.naf_code,
                    "commune": org.commune.name if org.commune else "",
                    "approximate": approximate,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


# --- People's data -----------------------------------------------------------------------


def personal_data_for_user(user: User) -> dict:
    people = Person.objects.filter(user=user).select_related("organisation")
    return {
        "people": [
            {
                "organisation": p.organisation.name,
                "first_name": p.first_name,
                "last_name": p.last_name,
                "job_title": p.job_title,
                "email": p.email,
                "phone": p.phone,
                "visibility": p.visibility,
            }
            for p in people
        ],
        "posts": [
            {
                "cluster": p.cluster.slug,
                "kind": p.kind,
                "title": p.title,
                "text": p.text,
                "created_at": p.created_at.isoformat(),
            }
            for p in Post.objects.filter(author=user).select_related("cluster")
        ],
    }
