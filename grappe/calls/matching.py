"""Matching calls to a cluster's members: rows mapped to the engine's dataclasses, the
engine ranks, the results are stored per cluster (``CallMatch``)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from grappe.calls.models import Application, Call, CallMatch
from grappe.core.access import Actor
from grappe.core.models import Cluster
from grappe.core.services import audit_record
from grappe.engine.matching import (
    CallMatcher,
    CallProfile,
    CorpusStats,
    OrgProfile,
    PastApplication,
    Perimeter,
    rank_calls_for_cluster,
)
from grappe.engine.matching.territory import is_commune_code
from grappe.members.models import Membership, Organisation, Post

MATCHES_PER_ORG = 30
CLUSTER_MATCHES = 20
MATCH_STATUSES = (Membership.Status.ACTIVE, Membership.Status.LAPSED)


def call_profile(call: Call) -> CallProfile:
    """The matcher's view of a stored call (its id is the row's primary key)."""
    perimeter = Perimeter(
        call.perimeter_scale,
        call.perimeter_name or call.perimeter_label,
        frozenset(call.perimeter_keys.split()),
    )
    return CallProfile(
        id=str(call.pk),
        title=call.name,
        perimeter=perimeter,
        description=call.description,
        eligibility=call.eligibility,
        categories=tuple(call.categories),
        targeted_audiences=frozenset(call.targeted_audiences),
        aid_types=frozenset(call.aid_types),
        financers=tuple(call.financers),
        programs=tuple(call.programs),
        start_date=call.start_date,
        submission_deadline=call.submission_deadline,
        recurrence=call.recurrence or None,
        is_call_for_project=call.is_call_for_project,
    )


def _need_text(post: Post) -> str:
    text = " ".join(post.text.split())
    if len(text) > 120:
        text = text[:120].rsplit(" ", 1)[0] + "…"
    return f"{post.title} — {text}" if text else post.title


def org_profile(org: Organisation, *, needs=(), past=()) -> OrgProfile | None:
    """An organisation as the matcher sees it; None without a commune (no territory)."""
    if not org.commune_id or not is_commune_code(org.commune_id):
        return None
    return OrgProfile(
        id=str(org.pk),
        name=org.name,
        commune=org.commune_id,
        legal_category=org.legal_form or None,
        naf_codes=(org.naf_code,) if org.naf_code else (),
        size_band=org.size_band or None,
        description=" ".join(p for p in (org.description, org.skills) if p),
        tags=tuple(t.name for t in org.tags.all()),
        needs=tuple(needs),
        past_applications=tuple(past),
    )


def cluster_organisations(cluster: Cluster):
    return (
        Organisation.objects.filter(
            memberships__cluster=cluster, memberships__status__in=MATCH_STATUSES
        )
        .distinct()
        .prefetch_related("tags")
        .order_by("pk")
    )


def org_profiles(cluster: Cluster, organisations=None) -> list[OrgProfile]:
    """Profiles of the cluster's members: data, stated needs, past applications."""
    orgs = list(organisations if organisations is not None else cluster_organisations(cluster))
    ids = [o.pk for o in orgs]
    needs: dict[int, list[str]] = {}
    for post in Post.objects.open().filter(
        cluster=cluster, kind=Post.Kind.NEED, organisation_id__in=ids
    ):
        needs.setdefault(post.organisation_id, []).append(_need_text(post))
    past: dict[int, list[PastApplication]] = {}
    applications = Application.objects.filter(
        cluster=cluster, participants__organisation_id__in=ids
    ).select_related("call")
    for application in applications.values(
        "participants__organisation_id",
        "call_id",
        "call__name",
        "call__categories",
        "call__financers",
        "call__programs",
        "status",
    ):
        status = application["status"]
        obtained = {"obtained": True, "paid": True, "refused": False}.get(status)
        past.setdefault(application["participants__organisation_id"], []).append(
            PastApplication(
                call_id=str(application["call_id"]),
                title=application["call__name"],
                categories=tuple(application["call__categories"]),
                financers=tuple(application["call__financers"]),
                programs=tuple(application["call__programs"]),
                obtained=obtained,
            )
        )
    profiles = []
    for org in orgs:
        profile = org_profile(org, needs=needs.get(org.pk, ()), past=past.get(org.pk, ()))
        if profile is not None:
            profiles.append(profile)
    return profiles


def _catalogue(cluster: Cluster) -> tuple[dict[str, Call], list[CallProfile], CorpusStats]:
    calls = {str(c.pk): c for c in Call.objects.visible_in(cluster).order_by("pk")}
    profiles = [call_profile(c) for c in calls.values()]
    return calls, profiles, CorpusStats.from_calls(profiles)


def recommend(
    *, cluster: Cluster, organisation: Organisation, top: int, as_of: dt.date
) -> list[dict]:
    """The ``top`` best calls open on ``as_of`` for one member, best first, as plain data:
    ``{"id": the call's id in its source, "title", "score", "reasons"}``."""
    profile = next(iter(org_profiles(cluster, [organisation])), None)
    if profile is None or top <= 0:
        return []
    calls, profiles, stats = _catalogue(cluster)
    matches = CallMatcher(profiles, as_of=as_of, stats=stats).rank(profile, top=top)
    return [
        {
            "id": calls[m.call_id].source_id,
            "title": calls[m.call_id].name,
            "score": m.score,
            "reasons": list(m.reasons),
        }
        for m in matches
    ]


def matches_recompute(*, cluster: Cluster, as_of: dt.date | None = None) -> dict[str, int]:
    """Score every open call for every member and for the cluster; replace the stored
    matches of the cluster in one transaction."""
    as_of = as_of or timezone.localdate()
    calls, profiles, stats = _catalogue(cluster)
    orgs = org_profiles(cluster)
    matcher = CallMatcher(profiles, as_of=as_of, stats=stats)
    per_org = matcher.rank_all(orgs, top=MATCHES_PER_ORG)
    joint = rank_calls_for_cluster(profiles, orgs, as_of=as_of, top=CLUSTER_MATCHES, stats=stats)
    now = timezone.now()
    rows = []
    for org_id, matches in per_org.items():
        for rank, match in enumerate(matches, start=1):
            rows.append(
                CallMatch(
                    cluster=cluster,
                    organisation_id=int(org_id),
                    call=calls[match.call_id],
                    score=min(1.0, max(0.0, match.score)),
                    rank=rank,
                    reasons=list(match.reasons),
                    components=dict(match.components),
                    computed_at=now,
                )
            )
    for rank, match in enumerate(joint, start=1):
        rows.append(
            CallMatch(
                cluster=cluster,
                organisation=None,
                call=calls[match.call_id],
                score=min(1.0, max(0.0, match.score)),
                rank=rank,
                reasons=list(match.reasons),
                components={"best_single": match.best_single_score},
                members=[int(m) for m in match.members],
                computed_at=now,
            )
        )
    with transaction.atomic():
        CallMatch.objects.filter(cluster=cluster).delete()
        CallMatch.objects.bulk_create(rows, batch_size=500)
        counts = {
            "organisations": len(orgs),
            "matches": len(rows) - len(joint),
            "cluster_matches": len(joint),
        }
        audit_record(actor=Actor.system(cluster), action="calls.matches.recompute", changes=counts)
    return counts
