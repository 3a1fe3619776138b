"""Scoping shared by every app's API router: the acting person in the cluster named by the
URL, and the refusal the pages give (see ``grappe.core.mixins.ClusterMixin``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from grappe.core.access import Actor, resolve_actor
from grappe.core.models import Cluster


def cluster_actor(request, slug: str) -> Actor:
    """The request's user (token or anonymous) acting in cluster ``slug``; 404 if none."""
    return resolve_actor(request.user, get_object_or_404(Cluster, slug=slug))


def allow(actor: Actor, condition: bool) -> None:
    """As on the pages: outsiders get a 404, people of the cluster without the role a 403."""
    if condition:
        return
    if not actor.is_insider:
        raise Http404
    raise PermissionDenied
