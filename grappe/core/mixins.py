"""The cluster view mixin: resolves the cluster from the URL and the acting user."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from grappe.core.access import Actor, resolve_actor
from grappe.core.models import Cluster

PUBLIC, INSIDER, MEMBER, MANAGER, STAFF = "public", "insider", "member", "manager", "staff"


def allowed(actor: Actor, access: str) -> bool:
    return {
        PUBLIC: True,
        INSIDER: actor.is_insider,
        MEMBER: actor.is_member or actor.is_manager,
        MANAGER: actor.is_manager,
        STAFF: actor.is_manager or actor.is_observer,
    }[access]


class ClusterMixin:
    """Every page under /c/<slug>/. ``access`` says who may open it.

    Anonymous visitors are sent to the login page; people with no role in the
    cluster get a 404 (the page does not exist for them); people of the cluster
    without the right role get a 403.
    """

    access = PUBLIC
    cluster: Cluster
    actor: Actor

    def dispatch(self, request, *args, **kwargs):
        self.cluster = get_object_or_404(Cluster, slug=kwargs["cluster_slug"])
        self.actor = resolve_actor(request.user, self.cluster)
        request.actor = self.actor
        if not allowed(self.actor, self.access):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not self.actor.is_insider:
                raise Http404
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(cluster=self.cluster, actor=self.actor)
        return context
