"""Who may do what in the pooling app, in one place.

Answers follow the project's rule: another cluster's rows are a 404 (``require``),
a person of the cluster without the right is refused with a 403 by the views.
"""

from __future__ import annotations

from grappe.core.access import Actor
from grappe.members.models import Membership

ACCESS_STATUSES = (Membership.Status.ACTIVE, Membership.Status.LAPSED)


def is_cluster_member(cluster, organisation_id: int) -> bool:
    """The firm belongs to the cluster (active or lapsed membership)."""
    return Membership.objects.filter(
        cluster=cluster, organisation_id=organisation_id, status__in=ACCESS_STATUSES
    ).exists()


def can_act_for(actor: Actor, organisation_id: int) -> bool:
    """Book, pledge or ask hours for a firm: its own people, or a manager for a member."""
    if actor.acts_for(organisation_id):
        return True
    return (actor.is_manager or actor.is_system) and is_cluster_member(
        actor.cluster, organisation_id
    )


def resource_open_to(resource, organisation_id: int) -> bool:
    if resource.audience == resource.Audience.ALL:
        return True
    return resource.allowed_organisations.filter(pk=organisation_id).exists()


def can_see_study_results(actor: Actor, study) -> bool:
    if actor.is_manager:
        return True
    return study.pledges.filter(organisation_id__in=actor.organisation_ids).exists()
