"""Who may see and do what with calls, matches and applications: one tested place."""

from __future__ import annotations

from grappe.calls.models import Application, Call
from grappe.core.access import Actor


def can_see_call(actor: Actor, call: Call) -> bool:
    """Public calls for everyone; a cluster's private calls for its own people."""
    if call.is_public:
        return True
    return call.owner_cluster_id == actor.cluster.pk and actor.is_insider


def participant_ids(application: Application) -> set[int]:
    cached = getattr(application, "_participant_ids", None)
    if cached is None:
        cached = set(application.participants.values_list("organisation_id", flat=True))
        application._participant_ids = cached
    return cached


def can_see_application(actor: Actor, application: Application) -> bool:
    """Managers see all of the cluster's; a member firm's people see those it is in."""
    if application.cluster_id != actor.cluster.pk:
        return False
    if actor.is_manager:
        return True
    return bool(participant_ids(application) & set(actor.organisation_ids))


def can_edit_application(actor: Actor, application: Application) -> bool:
    """Managers edit any; a firm's people edit their own individual application."""
    if application.cluster_id != actor.cluster.pk:
        return False
    if actor.is_manager:
        return True
    return application.kind == Application.Kind.INDIVIDUAL and bool(
        participant_ids(application) & set(actor.organisation_ids)
    )


def can_contribute(actor: Actor, application: Application) -> bool:
    """Add documents and tick tasks: editors and the participants' people."""
    return can_edit_application(actor, application) or can_see_application(actor, application)
