"""Reads of the core app."""

from __future__ import annotations

from django.db.models import QuerySet

from grappe.core.access import Actor, require
from grappe.core.models import ApiToken, AuditEntry, Cluster, ClusterRole, User


def cluster_list_listed() -> QuerySet[Cluster]:
    return Cluster.objects.filter(is_listed=True).order_by("name")


def audit_list(*, actor: Actor) -> QuerySet[AuditEntry]:
    require(actor.is_manager)
    return AuditEntry.objects.filter(cluster=actor.cluster).select_related("actor")


def staff_list(*, actor: Actor) -> QuerySet[ClusterRole]:
    require(actor.is_manager)
    return (
        ClusterRole.objects.filter(cluster=actor.cluster)
        .select_related("user")
        .order_by("role", "user__email")
    )


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)
