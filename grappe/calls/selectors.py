"""Reads of the calls app, scoped by the acting person and the cluster."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import ExtractYear
from django.shortcuts import get_object_or_404
from django.utils import timezone

from grappe.calls import permissions
from grappe.calls.importers import theme_slug
from grappe.calls.models import (
    AlertPreference,
    Application,
    Call,
    CallImport,
    CallMatch,
    CallSource,
    DuplicateDismissal,
    SavedSearch,
)
from grappe.core.access import Actor, require
from grappe.core.models import Cluster
from grappe.core.search import search_rank
from grappe.engine.call_duplicates import CallKey, near_duplicates
from grappe.engine.matching.territory import is_commune_code, territory_keys
from grappe.engine.text import query_terms
from grappe.territory.codes import SIZE_BAND_MIDPOINTS

# --- Catalogue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CallFilters:
    query: str = ""
    open: bool = True
    deadline_before: dt.date | None = None
    audience: str = ""
    aid_type: str = ""
    theme: str = ""
    territory: str = ""  # an INSEE commune code: calls for it, its department, region...

    @classmethod
    def from_saved(cls, search: SavedSearch) -> CallFilters:
        filters = search.filters or {}
        before = filters.get("deadline_before") or None
        try:
            before = dt.date.fromisoformat(before) if before else None
        except ValueError:
            before = None
        return cls(
            query=search.query,
            open=True,
            deadline_before=before,
            audience=filters.get("audience", ""),
            aid_type=filters.get("aid_type", ""),
            theme=filters.get("theme", ""),
            territory=filters.get("territory", ""),
        )


def _private_scope(actor: Actor | None) -> Cluster | None:
    """The cluster whose private calls the actor may read: its own, for its people only."""
    if actor is None or not actor.is_insider:
        return None
    return actor.cluster


def _catalogue(cluster: Cluster | None) -> QuerySet[Call]:
    return Call.objects.visible_in(cluster) if cluster else Call.objects.public()


def call_search(
    *, actor: Actor | None, filters: CallFilters, today: dt.date | None = None
) -> QuerySet[Call]:
    """Calls of the public catalogue, plus the cluster's own private calls for its people
    (``actor=None``: the public catalogue alone): French-aware search, filters; by
    relevance (a term in the title weighs more), then deadline (soonest first)."""
    today = today or timezone.localdate()
    qs = _catalogue(_private_scope(actor))
    if filters.open:
        qs = qs.open_on(today)
    if filters.deadline_before:
        qs = qs.filter(submission_deadline__lte=filters.deadline_before)
    for prefix, value in (
        ("aud", filters.audience),
        ("type", filters.aid_type),
        ("theme", filters.theme),
    ):
        if value:
            qs = qs.filter(facets__contains=f" {prefix}:{value} ")
    if filters.territory:
        if not is_commune_code(filters.territory):
            return qs.none()
        keys = territory_keys(filters.territory)
        place = Q()
        for key in sorted(keys):
            place |= Q(perimeter_keys__contains=f" {key} ")
        qs = qs.filter(place)
    terms = query_terms(filters.query)
    qs = qs.search(terms)
    deadline_order = (
        Case(
            When(submission_deadline__isnull=True, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        "submission_deadline",
        "name",
        "pk",
    )
    if terms:
        return qs.annotate(rank=search_rank(terms)).order_by("-rank", *deadline_order)
    return qs.order_by(*deadline_order)


FACETS_TTL = 600


def call_facets(*, actor: Actor | None) -> dict:
    """Themes present in the catalogue the actor searches (cached, versioned by each
    import and each change of a manual call)."""
    cluster = _private_scope(actor)
    version = cache.get_or_set("calls:catalogue-version", 0, timeout=None)
    key = f"calls:facets:{cluster.pk if cluster else 0}:{version}"
    return cache.get_or_set(key, lambda: _facets(cluster), timeout=FACETS_TTL)


def _facets(cluster: Cluster | None) -> dict:
    themes: dict[str, str] = {}
    for categories in _catalogue(cluster).values_list("categories", flat=True):
        for category in categories or []:
            theme = category.partition("|")[0] if "|" in category else category
            themes.setdefault(theme_slug(theme), theme)
    return {"themes": sorted(themes.items(), key=lambda item: item[1])}


def call_get_public(*, pk: int) -> Call:
    return get_object_or_404(Call.objects.public(), pk=pk)


def call_get(*, actor: Actor, pk: int) -> Call:
    """A call of the catalogue seen from a cluster; another cluster's private call is a 404."""
    call = get_object_or_404(Call.objects.current().select_related("owner_cluster"), pk=pk)
    require(permissions.can_see_call(actor, call))
    return call


def manual_call_list(*, actor: Actor) -> QuerySet[Call]:
    """The calls the cluster's managers entered by hand, withdrawn ones included."""
    require(actor.is_manager)
    return (
        Call.objects.current()
        .filter(source=Call.Source.MANUAL, owner_cluster=actor.cluster)
        .order_by("-is_live", "-created_at", "-pk")
    )


def manual_call_get(*, actor: Actor, pk: int) -> Call:
    """One of the cluster's manual calls, to edit; any other call is a 404."""
    require(actor.is_manager)
    return get_object_or_404(manual_call_list(actor=actor), pk=pk)


# --- Matches -----------------------------------------------------------------------------


def match_list(
    *, actor: Actor, organisation_id: int | None = None, cluster_level: bool = False
) -> QuerySet[CallMatch]:
    """Stored matches of open calls: a member sees its own firms', a manager every
    member's and the cluster's."""
    qs = CallMatch.objects.filter(cluster=actor.cluster).select_related("call", "organisation")
    qs = qs.filter(call__in=Call.objects.listed().open_on(timezone.localdate()))
    if cluster_level:
        require(actor.is_manager)
        return qs.filter(organisation__isnull=True).order_by("-score", "call_id")
    if organisation_id is not None:
        require(actor.can_see_private_of(organisation_id))
        return qs.filter(organisation_id=organisation_id).order_by("-score", "call_id")
    if actor.is_manager:
        return qs.filter(organisation__isnull=False).order_by("-score", "call_id")
    return qs.filter(organisation_id__in=actor.organisation_ids).order_by("-score", "call_id")


def matches_for_call(*, actor: Actor, call: Call) -> list[CallMatch]:
    """The matches of one call the actor may see (own firms; all for managers)."""
    if not (actor.is_member or actor.is_manager):
        return []
    qs = CallMatch.objects.filter(cluster=actor.cluster, call=call).select_related("organisation")
    if not actor.is_manager:
        qs = qs.filter(organisation_id__in=actor.organisation_ids)
    return list(qs.order_by(F("organisation").asc(nulls_first=True), "-score"))


def cluster_match_summary(*, actor: Actor) -> dict:
    require(actor.is_manager)
    qs = CallMatch.objects.filter(cluster=actor.cluster)
    latest = qs.order_by("-computed_at").values_list("computed_at", flat=True).first()
    return {
        "computed_at": latest,
        "organisations": qs.exclude(organisation=None).values("organisation").distinct().count(),
        "calls": qs.values("call").distinct().count(),
    }


# --- Alerts ------------------------------------------------------------------------------


def alert_preference_for(*, actor: Actor) -> AlertPreference:
    """The person's preference, or the defaults (unsaved) if they never set one."""
    require(actor.user is not None)
    found = AlertPreference.objects.filter(user=actor.user, cluster=actor.cluster).first()
    return found or AlertPreference(user=actor.user, cluster=actor.cluster, is_active=False)


def saved_search_list(*, actor: Actor) -> QuerySet[SavedSearch]:
    require(actor.user is not None)
    return SavedSearch.objects.filter(user=actor.user, cluster=actor.cluster)


def saved_search_get(*, actor: Actor, pk: int) -> SavedSearch:
    return get_object_or_404(saved_search_list(actor=actor), pk=pk)


# --- Sources, imports, duplicates (managers) ---------------------------------------------


def source_list(*, actor: Actor) -> QuerySet[CallSource]:
    require(actor.is_manager)
    return CallSource.objects.filter(cluster=actor.cluster)


def source_get(*, actor: Actor, pk: int) -> CallSource:
    return get_object_or_404(source_list(actor=actor), pk=pk)


def import_list(*, actor: Actor) -> QuerySet[CallImport]:
    require(actor.is_manager)
    return CallImport.objects.select_related("source").order_by("-created_at", "-id")


def duplicate_candidates(*, actor: Actor, limit: int = 50) -> list[tuple[Call, Call, float]]:
    """Near-duplicate pairs across sources among the calls the cluster sees, not dismissed."""
    require(actor.is_manager)
    today = timezone.localdate()
    calls = {
        c.pk: c
        for c in _catalogue(actor.cluster)
        .open_on(today - dt.timedelta(days=31))
        .only("pk", "source", "name", "submission_deadline", "financers", "source_id")
    }
    keys = [
        CallKey(c.pk, c.source, c.name, c.submission_deadline, tuple(c.financers))
        for c in calls.values()
    ]
    dismissed = set(
        DuplicateDismissal.objects.filter(first_id__in=calls).values_list("first_id", "second_id")
    )
    pairs = []
    for pair in near_duplicates(keys):
        if (pair.first, pair.second) in dismissed:
            continue
        pairs.append((calls[pair.first], calls[pair.second], pair.similarity))
        if len(pairs) == limit:
            break
    return pairs


# --- Applications ------------------------------------------------------------------------


def application_list(*, actor: Actor, status: str = "") -> QuerySet[Application]:
    """Managers: all the cluster's applications; a firm's people: those it is in."""
    qs = Application.objects.filter(cluster=actor.cluster).select_related("call")
    if not actor.is_manager:
        require(actor.is_member)
        qs = qs.filter(participants__organisation_id__in=actor.organisation_ids).distinct()
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(firms=Count("participants", distinct=True)).order_by("-created_at", "-id")


def application_get(*, actor: Actor, pk: int) -> Application:
    application = get_object_or_404(
        Application.objects.select_related("call", "cluster", "created_by"),
        cluster=actor.cluster,
        pk=pk,
    )
    require(permissions.can_see_application(actor, application))
    return application


def application_figures(*, application: Application) -> dict:
    """The aggregated figures that give a dossier weight."""
    participants = list(
        application.participants.select_related("organisation", "organisation__commune")
    )
    jobs, unknown_size = 0.0, 0
    for p in participants:
        band = p.organisation.size_band
        if band and band != "NN":
            jobs += SIZE_BAND_MIDPOINTS.get(band, 0)
        else:
            unknown_size += 1
    turnovers = [p.turnover for p in participants if p.turnover is not None]
    previous = (
        Application.objects.filter(
            cluster=application.cluster,
            participants__organisation__in=[p.organisation_id for p in participants],
            status__in=(Application.Status.OBTAINED, Application.Status.PAID),
        )
        .exclude(pk=application.pk)
        .distinct()
    )
    previous_amount = sum((a.obtained_amount or Decimal("0.00") for a in previous), Decimal("0.00"))
    budget = application.budget_total
    return {
        "participants": participants,
        "firms": len(participants),
        "communes": len({p.organisation.commune_id for p in participants if p.organisation_id}),
        "jobs": round(jobs),
        "jobs_unknown": unknown_size,
        "turnover": sum(turnovers, Decimal("0.00")) if turnovers else None,
        "turnover_known": len(turnovers),
        "budget_total": budget,
        "requested_amount": application.requested_amount,
        "co_financing": application.co_financing,
        "self_financing": max(
            Decimal("0.00"), budget - application.requested_amount - application.co_financing
        ),
        "requested_rate": (
            round(application.requested_amount * 100 / budget) if budget > 0 else None
        ),
        "previous_funding": previous_amount,
        "previous_count": len(previous),
        "shares_total": sum((p.budget_share for p in participants), Decimal("0.00")),
    }


def funding_obtained(*, cluster: Cluster) -> dict:
    """Aggregates for the insights app and funders: no firm's detail."""
    qs = Application.objects.filter(cluster=cluster)
    won = qs.filter(status__in=(Application.Status.OBTAINED, Application.Status.PAID))
    totals = won.aggregate(obtained=Sum("obtained_amount"), paid=Sum("paid_amount"))
    pending = qs.filter(status=Application.Status.SUBMITTED).aggregate(
        requested=Sum("requested_amount")
    )
    by_year = (
        won.exclude(decided_on=None)
        .annotate(year=ExtractYear("decided_on"))
        .values("year")
        .annotate(amount=Sum("obtained_amount"), count=Count("id"))
        .order_by("year")
    )
    zero = Decimal("0.00")
    return {
        "applications": qs.count(),
        "collective": qs.filter(kind=Application.Kind.COLLECTIVE).count(),
        "obtained_count": won.count(),
        "refused_count": qs.filter(status=Application.Status.REFUSED).count(),
        "submitted_count": qs.filter(status=Application.Status.SUBMITTED).count(),
        "obtained_amount": totals["obtained"] or zero,
        "paid_amount": totals["paid"] or zero,
        "pending_amount": pending["requested"] or zero,
        "by_year": [
            {"year": row["year"], "amount": row["amount"] or zero, "count": row["count"]}
            for row in by_year
        ],
    }


def member_organisations(*, actor: Actor):
    """Member firms a manager may pick for an application (or the actor's own firms)."""
    from grappe.calls.matching import cluster_organisations

    if actor.is_manager:
        return cluster_organisations(actor.cluster).order_by("name")
    return cluster_organisations(actor.cluster).filter(pk__in=actor.organisation_ids)


# --- People's data -----------------------------------------------------------------------


def personal_data_for_user(user) -> dict:
    return {
        "alerts": [
            {
                "cluster": p.cluster.slug,
                "matched_calls": p.matched_calls,
                "threshold": p.threshold,
                "frequency": p.frequency,
                "is_active": p.is_active,
            }
            for p in AlertPreference.objects.filter(user=user).select_related("cluster")
        ],
        "saved_searches": [
            {"cluster": s.cluster.slug, "name": s.name, "query": s.query, "filters": s.filters}
            for s in SavedSearch.objects.filter(user=user).select_related("cluster")
        ],
    }
