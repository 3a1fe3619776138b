"""Helpers shared by the pooling pages."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from grappe.core.access import Actor
from grappe.members.models import Organisation
from grappe.pooling import permissions
from grappe.pooling.periods import monday_of


def member_organisations(cluster):
    """The cluster's member firms (active or lapsed membership)."""
    return Organisation.objects.filter(
        memberships__cluster=cluster, memberships__status__in=permissions.ACCESS_STATUSES
    ).order_by("name")


def organisations_for(actor: Actor):
    """The firms the actor may act for in pooling: its own, or every member for a manager."""
    if actor.is_manager:
        return member_organisations(actor.cluster)
    return Organisation.objects.filter(pk__in=actor.organisation_ids).order_by("name")


def own_organisations(actor: Actor):
    return Organisation.objects.filter(pk__in=actor.organisation_ids).order_by("name")


def parse_monday(value: str | None, today: dt.date) -> dt.date:
    try:
        return monday_of(dt.date.fromisoformat(value or ""))
    except ValueError:
        return monday_of(today)


def require_member_or_manager(actor: Actor) -> None:
    """Inside a view already open to insiders: funders may not act (403)."""
    if not (actor.is_member or actor.is_manager):
        if not actor.is_insider:
            raise Http404
        raise PermissionDenied


def back(request, default: str) -> HttpResponse:
    """Back where the form was (htmx asks the page to reload itself there)."""
    target = request.POST.get("next") or default
    if not target.startswith("/") or target.startswith("//"):
        target = default
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)
