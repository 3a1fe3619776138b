"""Pages of the insights app. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from grappe.core.forms import add_service_errors
from grappe.core.mixins import INSIDER, MANAGER, MEMBER, STAFF, ClusterMixin
from grappe.insights import dossier, selectors, services
from grappe.insights.forms import (
    ProposalAcceptForm,
    ProposalDismissForm,
    QuestionForm,
    SurveyAnswerForm,
    SurveyForm,
)
from grappe.insights.models import Survey

# --- Radar ---------------------------------------------------------------------------------


class RadarView(ClusterMixin, TemplateView):
    access = MANAGER
    template_name = "insights/radar.html"

    def get_context_data(self, **kwargs):
        run = selectors.radar_run_latest(actor=self.actor)
        themes = list(selectors.radar_theme_list(actor=self.actor, run=run)) if run else []
        return {
            **super().get_context_data(**kwargs),
            "run": run,
            "waiting": selectors.radar_run_waiting(actor=self.actor),
            "themes": themes,
            "sources": selectors.radar_run_sources(run) if run else [],
            "previous": selectors.previous_decisions(actor=self.actor, before=run) if run else {},
            "drafts": selectors.pooled_service_drafts(actor=self.actor),
        }


class RadarRunView(ClusterMixin, View):
    access = MANAGER

    def post(self, request, cluster_slug):
        services.radar_request(by=self.actor)
        messages.success(
            request, _("Calcul du radar demandé : les thèmes seront à jour dans un instant.")
        )
        return redirect("insights:radar", cluster_slug=cluster_slug)


class RadarThemeView(ClusterMixin, TemplateView):
    access = MANAGER
    template_name = "insights/radar_theme.html"

    def get_theme(self):
        if not hasattr(self, "_theme"):
            self._theme = selectors.radar_theme_get(actor=self.actor, pk=self.kwargs["pk"])
        return self._theme

    def members(self):
        from grappe.members.selectors import membership_list

        return [m.organisation for m in membership_list(actor=self.actor, status="active")]

    def get_context_data(self, **kwargs):
        theme = self.get_theme()
        proposal_orgs = selectors.organisations_by_id(theme.proposal_organisation_ids)
        accept = kwargs.get("accept_form") or ProposalAcceptForm(
            members=self.members(),
            initial={
                "service_kind": theme.proposal_kind or "cost_pool",
                "title": theme.proposal_title or theme.label,
                "organisations": list(proposal_orgs),
            },
        )
        return {
            **super().get_context_data(**kwargs),
            "theme": theme,
            "texts": selectors.radar_theme_texts(actor=self.actor, theme=theme),
            "proposal_orgs": sorted(proposal_orgs.values(), key=lambda o: o.name),
            "decision": getattr(theme, "decision", None),
            "accept_form": accept,
            "dismiss_form": kwargs.get("dismiss_form") or ProposalDismissForm(),
        }

    def post(self, request, cluster_slug, pk):
        theme = self.get_theme()
        action = request.POST.get("action")
        try:
            if action == "accept":
                form = ProposalAcceptForm(request.POST, members=self.members())
                if not form.is_valid():
                    return self.render_to_response(
                        self.get_context_data(accept_form=form), status=400
                    )
                try:
                    services.proposal_accept(
                        theme=theme,
                        by=self.actor,
                        service_kind=form.cleaned_data["service_kind"],
                        title=form.cleaned_data["title"],
                        organisation_ids=form.cleaned_data["organisations"],
                        notes=form.cleaned_data["notes"],
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                    return self.render_to_response(
                        self.get_context_data(accept_form=form), status=400
                    )
                messages.success(
                    request,
                    _("Proposition acceptée : le brouillon du service « %s » est prêt.")
                    % form.cleaned_data["title"],
                )
            elif action == "dismiss":
                form = ProposalDismissForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(
                        self.get_context_data(dismiss_form=form), status=400
                    )
                services.proposal_dismiss(
                    theme=theme, by=self.actor, notes=form.cleaned_data["notes"]
                )
                messages.success(request, _("Proposition écartée."))
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("insights:radar-theme", cluster_slug=cluster_slug, pk=pk)


# --- Surveys -------------------------------------------------------------------------------


class SurveyListView(ClusterMixin, FormView):
    access = INSIDER
    template_name = "insights/survey_list.html"
    form_class = SurveyForm

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "surveys": selectors.survey_list(actor=self.actor),
            "open_for_me": selectors.surveys_open_for_actor(actor=self.actor)
            if self.actor.is_member
            else [],
        }

    def form_valid(self, form):
        if not self.actor.is_manager:
            raise Http404
        try:
            survey = services.survey_create(by=self.actor, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Questionnaire créé : ajoutez ses questions."))
        return redirect("insights:survey-edit", cluster_slug=self.cluster.slug, pk=survey.pk)


class SurveyEditView(ClusterMixin, TemplateView):
    """The manager's page of one survey: its fields, its questions, send and close."""

    access = MANAGER
    template_name = "insights/survey_edit.html"

    def get_survey(self) -> Survey:
        return selectors.survey_get(actor=self.actor, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        survey = self.get_survey()
        return {
            **super().get_context_data(**kwargs),
            "survey": survey,
            "form": kwargs.get("form") or SurveyForm(instance=survey),
            "question_form": kwargs.get("question_form") or QuestionForm(),
            "respondents": selectors.survey_respondents(actor=self.actor, survey=survey),
        }

    def post(self, request, cluster_slug, pk):
        survey = self.get_survey()
        action = request.POST.get("action")
        try:
            if action == "update":
                form = SurveyForm(request.POST, instance=Survey(cluster=self.cluster))
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(form=form), status=400)
                try:
                    services.survey_update(survey=survey, by=self.actor, **form.cleaned_data)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                    return self.render_to_response(self.get_context_data(form=form), status=400)
                messages.success(request, _("Questionnaire enregistré."))
            elif action == "add-question":
                form = QuestionForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(
                        self.get_context_data(question_form=form), status=400
                    )
                try:
                    services.question_add(
                        survey=survey,
                        by=self.actor,
                        kind=form.cleaned_data["kind"],
                        label=form.cleaned_data["label"],
                        choices=form.cleaned_choices(),
                        service=form.cleaned_data["service"],
                        required=form.cleaned_data["required"],
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                    return self.render_to_response(
                        self.get_context_data(question_form=form), status=400
                    )
                messages.success(request, _("Question ajoutée."))
            elif action == "delete-question":
                question = survey.questions.filter(pk=request.POST.get("question")).first()
                if question is None:
                    raise Http404
                services.question_delete(question=question, by=self.actor)
                messages.success(request, _("Question supprimée."))
            elif action == "send":
                sent = services.survey_send(survey=survey, by=self.actor)
                messages.success(
                    request, _("Questionnaire ouvert et envoyé : %(n)s e-mail(s).") % {"n": sent}
                )
            elif action == "close":
                services.survey_close(survey=survey, by=self.actor)
                messages.success(request, _("Questionnaire clos."))
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("insights:survey-edit", cluster_slug=cluster_slug, pk=pk)


class SurveyAnswerView(ClusterMixin, TemplateView):
    """A member firm answers (or changes its answers until the closing)."""

    access = MEMBER
    template_name = "insights/survey_answer.html"

    def setup_objects(self):
        from grappe.members.selectors import organisations_for_actor

        self.survey = selectors.survey_get(actor=self.actor, pk=self.kwargs["pk"])
        self.organisations = list(organisations_for_actor(actor=self.actor))
        wanted = self.request.GET.get("org") or self.request.POST.get("org")
        self.organisation = next(
            (o for o in self.organisations if o.slug == wanted),
            self.organisations[0] if self.organisations else None,
        )
        self.response = (
            selectors.survey_response_get(
                actor=self.actor, survey=self.survey, organisation_id=self.organisation.pk
            )
            if self.organisation
            else None
        )

    def get_context_data(self, **kwargs):
        form = kwargs.get("form") or SurveyAnswerForm(
            questions=self.survey.questions.all(),
            initial={f"q{k}": v for k, v in selectors.survey_answer_values(self.response).items()},
            disabled=not (self.survey.accepts_answers and self.organisation),
        )
        return {
            **super().get_context_data(**kwargs),
            "survey": self.survey,
            "organisation": self.organisation,
            "organisations": self.organisations,
            "response": self.response,
            "form": form,
        }

    def get(self, request, *args, **kwargs):
        self.setup_objects()
        return super().get(request, *args, **kwargs)

    def post(self, request, cluster_slug, pk):
        self.setup_objects()
        if self.organisation is None:
            raise Http404
        form = SurveyAnswerForm(request.POST, questions=self.survey.questions.all())
        if form.is_valid():
            try:
                services.response_submit(
                    survey=self.survey,
                    organisation=self.organisation,
                    by=self.actor,
                    answers=form.answers(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Merci ! Les réponses de %s sont enregistrées.") % self.organisation.name,
                )
                url = request.path + "?org=" + self.organisation.slug
                return redirect(url)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SurveyResultsView(ClusterMixin, TemplateView):
    access = STAFF
    template_name = "insights/survey_results.html"

    def get_context_data(self, **kwargs):
        survey = selectors.survey_get(actor=self.actor, pk=self.kwargs["pk"])
        return {
            **super().get_context_data(**kwargs),
            "survey": survey,
            "results": selectors.survey_results(actor=self.actor, survey=survey),
        }


# --- Indicators and the funder dossier -----------------------------------------------------


class DashboardView(ClusterMixin, TemplateView):
    access = STAFF
    template_name = "insights/dashboard.html"

    def get_context_data(self, **kwargs):
        series = selectors.indicator_series(actor=self.actor)
        families: dict[str, list] = {}
        for s in series:
            families.setdefault(s.family, []).append(s)
        context = {
            **super().get_context_data(**kwargs),
            "families": [(dossier.FAMILY_LABELS[f], rows) for f, rows in families.items()],
            "falling": selectors.falling_services(actor=self.actor),
            "inactive_count": selectors.inactive_member_count(actor=self.actor),
        }
        if self.actor.is_manager:
            context["inactive"] = selectors.inactive_members(actor=self.actor)
        return context


class SnapshotsRefreshView(ClusterMixin, View):
    access = MANAGER

    def post(self, request, cluster_slug):
        services.snapshots_request(by=self.actor)
        messages.success(request, _("Recalcul des indicateurs des douze derniers mois demandé."))
        return redirect("insights:dashboard", cluster_slug=cluster_slug)


def _year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year else today.year


class DossierView(ClusterMixin, TemplateView):
    access = STAFF
    template_name = "insights/dossier.html"

    def get_context_data(self, **kwargs):
        year = _year(self.request)
        today = timezone.localdate()
        return {
            **super().get_context_data(**kwargs),
            "dossier": dossier.dossier_build(actor=self.actor, year=year),
            "years": list(range(today.year, today.year - 5, -1)),
        }


class DossierFileView(ClusterMixin, View):
    access = STAFF

    def get(self, request, cluster_slug, year, fmt):
        today = timezone.localdate()
        if not 2000 <= year <= today.year:
            raise Http404
        data = dossier.dossier_build(actor=self.actor, year=year)
        if fmt == "pdf":
            body = dossier.dossier_pdf(data, request=request)
            content_type = "application/pdf"
        elif fmt == "xlsx":
            body = dossier.dossier_xlsx(data)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            raise Http404
        response = HttpResponse(body, content_type=content_type)
        name = f"dossier-{cluster_slug}-{year}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response
