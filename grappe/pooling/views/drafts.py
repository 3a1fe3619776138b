"""Radar proposals the managers accepted as drafts of a pooled service, on the pooling
pages: listed where a manager creates that kind of service, and turned into one through
the usual creation form (``?draft=<id>``), the draft marked taken up in the same
transaction. The insights app owns the drafts (``pooled_service_drafts``,
``proposal_take_up``); pooling only reads and marks them."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from grappe.core.access import Actor
from grappe.insights.models import ProposalDecision
from grappe.insights.selectors import pooled_service_drafts
from grappe.insights.services import proposal_take_up
from grappe.pooling.models import Study

Kind = ProposalDecision.ServiceKind

POOL_KINDS = (Kind.COST_POOL.value,)
EMPLOYEE_KINDS = (Kind.SHARED_POST.value,)
STUDY_KINDS = (Kind.POOLED_STUDY.value, Kind.GROUP_PURCHASE.value)

# The creation form each kind of draft opens.
CREATE_URLS = {
    Kind.COST_POOL.value: "pooling:pool-create",
    Kind.SHARED_POST.value: "pooling:employee-create",
    Kind.POOLED_STUDY.value: "pooling:study-create",
    Kind.GROUP_PURCHASE.value: "pooling:study-create",
}
# The kind of study a study or purchase draft pre-selects (pooling.models.Study.Kind).
STUDY_KIND = {
    Kind.POOLED_STUDY.value: Study.Kind.STUDY.value,
    Kind.GROUP_PURCHASE.value: Study.Kind.PURCHASE.value,
}


def radar_drafts(*, actor: Actor, kinds) -> list[tuple[ProposalDecision, str]]:
    """The drafts of these kinds not taken up yet, each with the URL of its creation form;
    nothing for anyone but the cluster's managers."""
    if not actor.is_manager:
        return []
    rows = []
    for draft in pooled_service_drafts(actor=actor).filter(service_kind__in=kinds):
        url = reverse(CREATE_URLS[draft.service_kind], kwargs={"cluster_slug": actor.cluster.slug})
        rows.append((draft, f"{url}?draft={draft.pk}"))
    return rows


def draft_description(draft: ProposalDecision) -> str:
    """The service's description: where it comes from, then the manager's notes."""
    origin = _("Proposition du radar des besoins, thème « %(theme)s ».") % {
        "theme": draft.theme_label
    }
    return "\n\n".join(part for part in (origin, draft.notes.strip()) if part)


class DraftMixin:
    """For a creation view: ``?draft=<id>`` (or the hidden ``draft`` field of the posted
    form) names an accepted draft of one of ``draft_kinds``, fetched through the insights
    hook, so another cluster's draft, a dismissed decision or one already taken up is a
    404. Only on creation: an update view ignores it."""

    draft_kinds: tuple = ()

    def is_creation(self) -> bool:
        return not self.kwargs.get("pk")

    def get_draft(self) -> ProposalDecision | None:
        if not hasattr(self, "_draft"):
            self._draft = self._fetch_draft()
        return self._draft

    def _fetch_draft(self) -> ProposalDecision | None:
        raw = self.request.POST.get("draft") or self.request.GET.get("draft")
        if not raw or not self.is_creation():
            return None
        if not self.actor.is_manager:
            raise PermissionDenied
        try:
            pk = int(raw)
        except ValueError:
            raise Http404 from None
        return get_object_or_404(
            pooled_service_drafts(actor=self.actor).filter(service_kind__in=self.draft_kinds),
            pk=pk,
        )

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        draft = self.get_draft()
        if draft is not None:
            form.fields["draft"] = forms.IntegerField(widget=forms.HiddenInput, initial=draft.pk)
        return form

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "draft": self.get_draft()}

    def take_up_draft(self, reference_pk: int) -> None:
        """Inside the creation's transaction: the draft became this service."""
        draft = self.get_draft()
        if draft is not None:
            proposal_take_up(
                decision=draft, by=self.actor, reference=f"{draft.service_kind}:{reference_pk}"
            )
