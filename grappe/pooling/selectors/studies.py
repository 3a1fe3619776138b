"""Reads on pooled studies: lists, the live price per participant, results."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from grappe.core.access import Actor, require
from grappe.engine.allocation import allocate
from grappe.pooling import permissions
from grappe.pooling.models import Pledge, Study, StudyDocument


def study_list(*, actor: Actor, status: str = "") -> QuerySet[Study]:
    require(actor.is_member or actor.is_manager)
    qs = Study.objects.filter(cluster=actor.cluster).annotate(pledge_count=Count("pledges"))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("proposed_for").order_by("status", "pledge_deadline", "-id")


def study_get(*, actor: Actor, pk: int) -> Study:
    return get_object_or_404(study_list(actor=actor), pk=pk)


def pledge_get(*, actor: Actor, study: Study, organisation_id: int) -> Pledge:
    pledge = get_object_or_404(Pledge, study=study, organisation_id=organisation_id)
    require(actor.can_see_private_of(organisation_id))
    return pledge


def on_time_pledges(study: Study) -> list[Pledge]:
    return list(study.pledges.filter(is_late=False).select_related("organisation"))


def study_shares(study: Study) -> dict[int, Decimal]:
    """What each firm pays: the total split equally between the on-time pledges
    (cent-exact), and the late price for those who bought in late."""
    pledges = list(study.pledges.all())
    on_time = {p.organisation_id: 1 for p in pledges if not p.is_late}
    shares = allocate(study.total_price, on_time) if on_time else {}
    shares.update({p.organisation_id: p.late_price for p in pledges if p.is_late})
    return shares


def price_for(study: Study, participants: int) -> Decimal:
    """The highest share when ``participants`` firms split the total (cents differ by one)."""
    participants = max(1, participants)
    return max(allocate(study.total_price, dict.fromkeys(range(participants), 1)).values())


@dataclass(frozen=True)
class StudyPrice:
    participants: int
    minimum: int
    per_participant: Decimal  # today (the total if nobody pledged yet)
    if_one_more: Decimal
    at_minimum: Decimal

    @property
    def missing(self) -> int:
        return max(0, self.minimum - self.participants)


def study_price(study: Study) -> StudyPrice:
    count = study.pledges.filter(is_late=False).count()
    return StudyPrice(
        participants=count,
        minimum=study.min_participants,
        per_participant=price_for(study, count),
        if_one_more=price_for(study, count + 1),
        at_minimum=price_for(study, study.min_participants),
    )


def pledges_visible(*, actor: Actor, study: Study) -> list[Pledge]:
    """Managers see who pledged; members see their own pledges (the count is public)."""
    qs = study.pledges.select_related("organisation", "pledged_by")
    if not actor.is_manager:
        qs = qs.filter(organisation_id__in=actor.organisation_ids)
    return list(qs)


def documents_visible(*, actor: Actor, study: Study) -> list[StudyDocument]:
    if not permissions.can_see_study_results(actor, study):
        return []
    return list(study.documents.all())


def document_get(*, actor: Actor, study: Study, pk: int) -> StudyDocument:
    document = get_object_or_404(StudyDocument, study=study, pk=pk)
    require(permissions.can_see_study_results(actor, study))
    return document
