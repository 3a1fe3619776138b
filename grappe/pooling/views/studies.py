"""Pages of pooled studies and group purchases: list, propose, pledge with the live price,
results for participants; managers decide, deliver and upload the results."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from grappe.core.files import serve_private
from grappe.core.forms import add_service_errors
from grappe.core.mixins import MANAGER, MEMBER, ClusterMixin
from grappe.pooling import permissions
from grappe.pooling.forms import DocumentForm, PledgeForm, StudyForm
from grappe.pooling.models import Study
from grappe.pooling.selectors import studies as selectors
from grappe.pooling.services import studies as services
from grappe.pooling.templatetags.pooling import euros
from grappe.pooling.views.common import organisations_for
from grappe.pooling.views.drafts import (
    STUDY_KIND,
    STUDY_KINDS,
    DraftMixin,
    draft_description,
    radar_drafts,
)


class StudyListView(ClusterMixin, TemplateView):
    access = MEMBER
    template_name = "pooling/study_list.html"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", "open")
        status = status if status in Study.Status.values or status == "" else "open"
        studies = list(selectors.study_list(actor=self.actor, status=status))
        mine = set(
            Study.objects.filter(
                cluster=self.cluster, pledges__organisation_id__in=self.actor.organisation_ids
            ).values_list("pk", flat=True)
        )
        return {
            **super().get_context_data(**kwargs),
            "tab": "studies",
            "rows": [(study, selectors.study_price(study), study.pk in mine) for study in studies],
            "status": status,
            "statuses": Study.Status.choices,
            "radar_drafts": radar_drafts(actor=self.actor, kinds=STUDY_KINDS),
        }


class StudyCreateView(DraftMixin, ClusterMixin, FormView):
    """A manager proposes a study for the cluster (from a radar draft with
    ``?draft=<id>``); a member, for its firm."""

    access = MEMBER
    template_name = "pooling/study_form.html"
    form_class = StudyForm
    draft_kinds = STUDY_KINDS

    def get_study(self) -> Study | None:
        pk = self.kwargs.get("pk")
        return selectors.study_get(actor=self.actor, pk=pk) if pk else None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        study = self.get_study()
        kwargs["instance"] = study
        if study is None and not self.actor.is_manager:
            kwargs["organisations"] = organisations_for(self.actor)
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        draft = self.get_draft()
        if draft is not None:
            # A manager's form has no "proposed for" field: the study is the cluster's.
            initial.update(
                kind=STUDY_KIND[draft.service_kind],
                title=draft.title or draft.theme_label,
                description=draft_description(draft),
            )
        return initial

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "tab": "studies", "study": self.get_study()}

    def form_valid(self, form):
        study = self.get_study()
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        draft = self.get_draft()
        try:
            if study is None:
                with transaction.atomic():
                    study = services.study_create(
                        by=self.actor, organisation=form.cleaned_data.get("organisation"), **data
                    )
                    self.take_up_draft(study.pk)
            else:
                study = services.study_update(study=study, by=self.actor, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        if draft is None:
            message = _("Proposition publiée : les structures peuvent s'engager.")
        elif study.kind == Study.Kind.PURCHASE:
            message = _(
                "La proposition du radar est devenue l'achat groupé « %(title)s » : "
                "les structures peuvent s'engager."
            ) % {"title": study.title}
        else:
            message = _(
                "La proposition du radar est devenue l'étude « %(title)s » : "
                "les structures peuvent s'engager."
            ) % {"title": study.title}
        messages.success(self.request, message)
        return redirect("pooling:study-detail", cluster_slug=self.cluster.slug, pk=study.pk)


class StudyUpdateView(StudyCreateView):
    access = MANAGER


class StudyDetailView(ClusterMixin, TemplateView):
    access = MEMBER
    template_name = "pooling/study_detail.html"

    def get_template_names(self):
        if self.request.htmx and self.request.htmx.target == "study-price":
            return ["pooling/_study_price.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        study = selectors.study_get(actor=self.actor, pk=kwargs["pk"])
        today = timezone.localdate()
        pledges = selectors.pledges_visible(actor=self.actor, study=study)
        own = [p for p in pledges if self.actor.acts_for(p.organisation_id)]
        free_orgs = organisations_for(self.actor).exclude(
            pk__in=study.pledges.values("organisation_id")
        )
        can_pledge_now = study.is_open and today <= study.pledge_deadline
        can_buy_in = study.goes_ahead and study.late_price is not None
        return {
            **super().get_context_data(**kwargs),
            "tab": "studies",
            "study": study,
            "price": selectors.study_price(study),
            "pledges": pledges,
            "own_pledges": own,
            "shares": selectors.study_shares(study) if study.goes_ahead else {},
            "pledge_form": PledgeForm(organisations=free_orgs)
            if (can_pledge_now or can_buy_in) and free_orgs.exists()
            else None,
            "can_withdraw": can_pledge_now,
            "is_late": can_buy_in,
            "documents": selectors.documents_visible(actor=self.actor, study=study),
            "can_see_results": permissions.can_see_study_results(self.actor, study),
            "document_form": DocumentForm() if self.actor.is_manager and study.goes_ahead else None,
            "deadline_passed": today > study.pledge_deadline,
        }


class PledgeView(ClusterMixin, View):
    access = MEMBER

    def post(self, request, cluster_slug, pk):
        study = selectors.study_get(actor=self.actor, pk=pk)
        form = PledgeForm(request.POST, organisations=organisations_for(self.actor))
        if not form.is_valid():
            messages.error(request, _("Choisissez une structure."))
        else:
            try:
                pledge = services.pledge_add(
                    study=study, organisation=form.cleaned_data["organisation"], by=self.actor
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                if pledge.is_late:
                    messages.success(
                        request,
                        _("Engagement enregistré, au prix de %(price)s HT.")
                        % {"price": euros(pledge.late_price)},
                    )
                else:
                    price = selectors.study_price(study)
                    messages.success(
                        request,
                        _("Engagement enregistré : %(price)s HT par structure à ce jour.")
                        % {"price": euros(price.per_participant)},
                    )
        return redirect("pooling:study-detail", cluster_slug=cluster_slug, pk=pk)


class PledgeWithdrawView(ClusterMixin, View):
    access = MEMBER

    def post(self, request, cluster_slug, pk):
        study = selectors.study_get(actor=self.actor, pk=pk)
        try:
            organisation_id = int(request.POST.get("organisation", ""))
        except ValueError:
            raise Http404 from None
        pledge = selectors.pledge_get(
            actor=self.actor, study=study, organisation_id=organisation_id
        )
        try:
            services.pledge_withdraw(pledge=pledge, by=self.actor)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Engagement retiré."))
        return redirect("pooling:study-detail", cluster_slug=cluster_slug, pk=pk)


class StudyDocumentView(ClusterMixin, View):
    """A result file: the study's participants and the managers, never a public URL."""

    access = MEMBER

    def get(self, request, cluster_slug, pk, document_pk):
        study = selectors.study_get(actor=self.actor, pk=pk)
        document = selectors.document_get(actor=self.actor, study=study, pk=document_pk)
        return serve_private(document.file.name, download_name=document.name)


class StudyActionView(ClusterMixin, View):
    """Managers: decide (at the deadline), cancel, mark delivered, upload a result."""

    access = MANAGER

    def post(self, request, cluster_slug, pk, action):
        study = selectors.study_get(actor=self.actor, pk=pk)
        try:
            if action == "decide":
                study = services.study_decide(study=study, by=self.actor)
                messages.success(
                    request,
                    _("L'étude se fait : les participants sont prévenus.")
                    if study.goes_ahead
                    else _("Seuil non atteint : l'étude est annulée, personne n'est facturé."),
                )
            elif action == "cancel":
                services.study_cancel(
                    study=study, by=self.actor, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Étude annulée ; personne n'est facturé."))
            elif action == "deliver":
                services.study_deliver(study=study, by=self.actor)
                messages.success(request, _("Étude marquée comme livrée."))
            elif action == "document":
                form = DocumentForm(request.POST, request.FILES)
                if not form.is_valid():
                    raise ValidationError(_("Choisissez un fichier."))
                services.study_document_add(
                    study=study, by=self.actor, upload=form.cleaned_data["file"]
                )
                messages.success(
                    request, _("Résultats déposés : seuls les participants y ont accès.")
                )
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("pooling:study-detail", cluster_slug=cluster_slug, pk=pk)
