"""Pages of the calls app. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from grappe.calls import alerts, exports, importers, permissions, selectors, services
from grappe.calls.forms import (
    AlertPreferenceForm,
    ApplicationForm,
    CallFilterForm,
    DocumentForm,
    ImportForm,
    ManualCallForm,
    SavedSearchForm,
    SourceForm,
    StatusForm,
    TaskForm,
    commune_choices,
)
from grappe.calls.models import Application, Call
from grappe.core.files import serve_private
from grappe.core.forms import add_service_errors
from grappe.core.mixins import INSIDER, MANAGER, MEMBER, PUBLIC, ClusterMixin
from grappe.territory.models import Commune


def _search_context(request, *, actor, communes) -> dict:
    """``actor=None``: the instance's public catalogue; else the catalogue seen from the
    actor's cluster (its private calls for its own people only)."""
    facets = selectors.call_facets(actor=actor)
    form = CallFilterForm(request.GET or None, facets=facets, communes=communes)
    data = form.cleaned_data if form.is_valid() else {"open": True}
    filters = selectors.CallFilters(
        query=data.get("q", ""),
        open=data.get("open", True),
        deadline_before=data.get("deadline_before"),
        audience=data.get("audience", ""),
        aid_type=data.get("aid_type", ""),
        theme=data.get("theme", ""),
        territory=data.get("territory", ""),
    )
    results = selectors.call_search(actor=actor, filters=filters)
    page = Paginator(results, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "form": form,
        "page": page,
        "filters": filters,
        "querystring": query.urlencode(),
        "today": timezone.localdate(),
    }


class CatalogueView(TemplateView):
    """The instance's public calls, with no cluster."""

    template_name = "calls/call_list.html"

    def get_context_data(self, **kwargs):
        communes = Commune.objects.order_by("code")[:2000]
        return {
            **super().get_context_data(**kwargs),
            **_search_context(self.request, actor=None, communes=communes),
        }

    def get_template_names(self):
        if self.request.htmx:
            return ["calls/_call_results.html"]
        return [self.template_name]


class CatalogueDetailView(TemplateView):
    template_name = "calls/call_detail.html"

    def get_context_data(self, **kwargs):
        call = selectors.call_get_public(pk=kwargs["pk"])
        return {**super().get_context_data(**kwargs), "call": call, "today": timezone.localdate()}


class CallListView(ClusterMixin, TemplateView):
    access = PUBLIC
    template_name = "calls/call_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            _search_context(self.request, actor=self.actor, communes=commune_choices(self.cluster))
        )
        if self.actor.user is not None and self.actor.is_insider:
            context["search_form"] = SavedSearchForm()
        return context

    def get_template_names(self):
        if self.request.htmx:
            return ["calls/_call_results.html"]
        return [self.template_name]


class CallDetailView(ClusterMixin, TemplateView):
    access = PUBLIC
    template_name = "calls/call_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        call = selectors.call_get(actor=self.actor, pk=kwargs["pk"])
        context.update(
            call=call,
            today=timezone.localdate(),
            matches=selectors.matches_for_call(actor=self.actor, call=call),
        )
        return context


class MatchListView(ClusterMixin, TemplateView):
    """A member's matched calls with their reasons; managers: every member's and the
    cluster's own."""

    access = MEMBER
    template_name = "calls/match_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisations = selectors.member_organisations(actor=self.actor)
        org_id = self.request.GET.get("organisation", "")
        org_id = int(org_id) if org_id.isdigit() else None
        view = self.request.GET.get("view", "")
        if view == "cluster" and self.actor.is_manager:
            matches = selectors.match_list(actor=self.actor, cluster_level=True)
        else:
            if org_id is None and not self.actor.is_manager and len(organisations) == 1:
                org_id = organisations[0].pk
            matches = selectors.match_list(actor=self.actor, organisation_id=org_id)
        page = Paginator(matches, 30).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            page=page,
            organisations=organisations,
            organisation_id=org_id,
            view=view,
            querystring=query.urlencode(),
            summary=selectors.cluster_match_summary(actor=self.actor)
            if self.actor.is_manager
            else None,
        )
        return context


class AlertsView(ClusterMixin, FormView):
    """Alert preferences, saved searches and calendar links of the person."""

    access = INSIDER
    template_name = "calls/alerts.html"
    form_class = AlertPreferenceForm

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        return response

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": selectors.alert_preference_for(actor=self.actor),
        }

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not self.request.POST and not form.instance.pk:
            form.initial["is_active"] = True
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        calendars = [
            (org.name, alerts.calendar_url(user=user, cluster=self.cluster, organisation=org))
            for org in selectors.member_organisations(actor=self.actor)
            if self.actor.acts_for(org.pk)
        ]
        if self.actor.is_manager:
            calendars.insert(
                0,
                (
                    _("La grappe (appels collectifs, candidatures)"),
                    alerts.calendar_url(user=user, cluster=self.cluster, organisation=None),
                ),
            )
        context.update(
            searches=selectors.saved_search_list(actor=self.actor),
            calendars=calendars,
            preference=selectors.alert_preference_for(actor=self.actor),
        )
        return context

    def form_valid(self, form):
        if self.actor.user is None:
            raise PermissionDenied
        services.alert_preference_save(by=self.actor, **form.cleaned_data)
        messages.success(self.request, _("Vos alertes sont enregistrées."))
        return redirect("calls:alerts", cluster_slug=self.cluster.slug)


class SavedSearchCreateView(ClusterMixin, View):
    access = INSIDER

    def post(self, request, cluster_slug):
        form = SavedSearchForm(request.POST)
        facets = selectors.call_facets(actor=self.actor)
        filters = CallFilterForm(
            request.POST, facets=facets, communes=commune_choices(self.cluster)
        )
        target = reverse("calls:call-list", kwargs={"cluster_slug": cluster_slug})
        if not (form.is_valid() and filters.is_valid()):
            messages.error(request, _("Recherche invalide."))
            return _redirect(request, target)
        try:
            services.saved_search_create(
                by=self.actor,
                name=form.cleaned_data["name"],
                query=filters.cleaned_data.get("q", ""),
                filters=filters.saved_filters,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _redirect(request, target)
        messages.success(request, _("Recherche enregistrée : vous recevrez ses nouveaux appels."))
        return _redirect(request, reverse("calls:alerts", kwargs={"cluster_slug": cluster_slug}))


def _redirect(request, url: str):
    """A redirect, as htmx wants it when the request came from htmx."""
    if request.htmx:
        from django_htmx.http import HttpResponseClientRedirect

        return HttpResponseClientRedirect(url)
    return redirect(url)


class SavedSearchDeleteView(ClusterMixin, View):
    access = INSIDER

    def post(self, request, cluster_slug, pk):
        search = selectors.saved_search_get(actor=self.actor, pk=pk)
        services.saved_search_delete(by=self.actor, search=search)
        messages.success(request, _("Recherche supprimée."))
        return redirect("calls:alerts", cluster_slug=cluster_slug)


class CalendarView(ClusterMixin, View):
    """The iCalendar feed behind a signed link (calendar apps send no cookie)."""

    access = PUBLIC

    def get(self, request, cluster_slug, token):
        scope = alerts.calendar_scope(token=token, cluster=self.cluster)
        if scope is None:
            raise Http404
        actor, organisation_id = scope
        body = alerts.calendar_ics(
            actor=actor, organisation_id=organisation_id, today=timezone.localdate()
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="echeances.ics"'
        response["Cache-Control"] = "private, max-age=900"
        return response


# --- Applications ------------------------------------------------------------------------


class ApplicationListView(ClusterMixin, TemplateView):
    """Members see their firms' applications; managers all; funders the totals only."""

    access = INSIDER
    template_name = "calls/application_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        status = status if status in Application.Status.values else ""
        if self.actor.is_manager or self.actor.is_member:
            context["applications"] = selectors.application_list(actor=self.actor, status=status)
        if self.actor.is_manager or self.actor.is_observer:
            context["funding"] = selectors.funding_obtained(cluster=self.cluster)
        context.update(status=status, statuses=Application.Status.choices)
        return context


class ApplicationCreateView(ClusterMixin, FormView):
    access = MEMBER
    template_name = "calls/application_form.html"
    form_class = ApplicationForm

    def get_call(self) -> Call:
        pk = self.request.GET.get("call") or self.request.POST.get("call") or ""
        if not str(pk).isdigit():
            raise Http404
        return selectors.call_get(actor=self.actor, pk=int(pk))

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "organisations": selectors.member_organisations(actor=self.actor),
        }

    def get_initial(self):
        call = self.get_call()
        initial = {"title": call.name}
        members = self.request.GET.getlist("org")
        if members:
            initial["organisations"] = [m for m in members if m.isdigit()]
        return initial

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "call": self.get_call()}

    def form_valid(self, form):
        call = self.get_call()
        participants = form.participants()
        kind = Application.Kind.COLLECTIVE if len(participants) > 1 else Application.Kind.INDIVIDUAL
        try:
            application = services.application_create(
                by=self.actor,
                call=call,
                kind=kind,
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
                participants=participants,
                budget_total=form.cleaned_data["budget_total"],
                requested_amount=form.cleaned_data["requested_amount"],
                co_financing=form.cleaned_data["co_financing"],
            )
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):
                form.add_error(
                    None, _("Seule l'équipe de la grappe ouvre une candidature collective.")
                )
            else:
                add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Candidature ouverte."))
        return redirect(application.get_absolute_url())


class ApplicationDetailView(ClusterMixin, TemplateView):
    access = MEMBER
    template_name = "calls/application_detail.html"

    def get_application(self) -> Application:
        return selectors.application_get(actor=self.actor, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = kwargs.get("application") or self.get_application()
        figures = selectors.application_figures(application=application)
        participant_orgs = [p.organisation for p in figures["participants"]]
        from grappe.members.models import Organisation

        orgs = Organisation.objects.filter(pk__in=[o.pk for o in participant_orgs])
        context.update(
            application=application,
            figures=figures,
            can_edit=permissions.can_edit_application(self.actor, application),
            status_form=kwargs.get("status_form")
            or StatusForm(initial={"status": application.status}),
            document_form=kwargs.get("document_form") or DocumentForm(),
            task_form=kwargs.get("task_form") or TaskForm(organisations=orgs),
            documents=application.documents.all(),
            tasks=application.tasks.select_related("organisation"),
            errors=kwargs.get("errors"),
        )
        return context

    def post(self, request, cluster_slug, pk):
        application = self.get_application()
        action = request.POST.get("action")
        forms = {}
        try:
            if action == "status":
                form = StatusForm(request.POST)
                forms["status_form"] = form
                if form.is_valid():
                    services.application_set_status(
                        by=self.actor,
                        application=application,
                        status=form.cleaned_data["status"],
                        on=form.cleaned_data["on"],
                        amount=form.cleaned_data["amount"],
                    )
                    messages.success(request, _("Statut enregistré."))
                    return redirect(application.get_absolute_url())
            elif action == "budget":
                services.application_update_budget(
                    by=self.actor,
                    application=application,
                    budget_total=request.POST.get("budget_total", ""),
                    requested_amount=request.POST.get("requested_amount", ""),
                    co_financing=request.POST.get("co_financing", ""),
                    weights=_per_participant(request.POST, "weight-"),
                    turnovers=_per_participant(request.POST, "turnover-"),
                )
                messages.success(request, _("Budget réparti."))
                return redirect(application.get_absolute_url())
            elif action == "document":
                form = DocumentForm(request.POST, request.FILES)
                forms["document_form"] = form
                if form.is_valid():
                    services.application_document_add(
                        by=self.actor,
                        application=application,
                        title=form.cleaned_data["title"],
                        upload=form.cleaned_data["file"],
                    )
                    messages.success(request, _("Document ajouté."))
                    return redirect(application.get_absolute_url())
            elif action == "task":
                from grappe.members.models import Organisation

                orgs = Organisation.objects.filter(pk__in=permissions.participant_ids(application))
                form = TaskForm(request.POST, organisations=orgs)
                forms["task_form"] = form
                if form.is_valid():
                    services.application_task_add(by=self.actor, application=application,
                                                  **form.cleaned_data)  # fmt: skip
                    messages.success(request, _("Tâche ajoutée."))
                    return redirect(application.get_absolute_url())
            else:
                raise Http404
        except PermissionDenied:
            raise
        except ValidationError as exc:
            return self.render_to_response(
                self.get_context_data(application=application, errors=exc.messages, **forms),
                status=400,
            )
        return self.render_to_response(
            self.get_context_data(application=application, **forms), status=400
        )


def _per_participant(data, prefix: str) -> dict[int, str]:
    return {
        int(key[len(prefix) :]): value
        for key, value in data.items()
        if key.startswith(prefix) and key[len(prefix) :].isdigit()
    }


class ApplicationTaskToggleView(ClusterMixin, View):
    access = MEMBER

    def post(self, request, cluster_slug, pk, task):
        application = selectors.application_get(actor=self.actor, pk=pk)
        task_obj = get_object_or_404(application.tasks, pk=task)
        services.application_task_toggle(by=self.actor, task=task_obj)
        return redirect(application.get_absolute_url())


class ApplicationDocumentView(ClusterMixin, View):
    """A dossier's document: managers and the participants' people, never a public URL."""

    access = MEMBER

    def get(self, request, cluster_slug, pk, doc):
        application = selectors.application_get(actor=self.actor, pk=pk)
        document = get_object_or_404(application.documents, pk=doc)
        return serve_private(document.file.name)


class ApplicationExportView(ClusterMixin, View):
    access = MEMBER

    def get(self, request, cluster_slug, pk, fmt):
        application = selectors.application_get(actor=self.actor, pk=pk)
        figures = selectors.application_figures(application=application)
        if fmt == "pdf":
            body, content_type = exports.application_pdf(application, figures), "application/pdf"
        elif fmt == "xlsx":
            body = exports.application_xlsx(application, figures)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            raise Http404
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="candidature-{pk}.{fmt}"'
        return response


# --- Managers: catalogue upkeep ----------------------------------------------------------


class ManageView(ClusterMixin, FormView):
    """Imports (upload), latest runs, matching status, links to sources and duplicates."""

    access = MANAGER
    template_name = "calls/manage.html"
    form_class = ImportForm

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "imports": selectors.import_list(actor=self.actor)[:15],
            "summary": selectors.cluster_match_summary(actor=self.actor),
            "duplicates": len(selectors.duplicate_candidates(actor=self.actor)),
            "manual_calls": selectors.manual_call_list(actor=self.actor)[:50],
            "errors": kwargs.get("errors"),
        }

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            result = importers.calls_import(
                location=upload.name,
                pages=[upload.read()],
                fmt=form.cleaned_data["format"],
                default_perimeter=form.cleaned_data["default_perimeter"],
            )
        except importers.CallsImportError as exc:
            return self.render_to_response(
                self.get_context_data(form=form, errors=exc.errors), status=400
            )
        messages.success(self.request, result.summary())
        return redirect("calls:manage", cluster_slug=self.cluster.slug)


class RecomputeView(ClusterMixin, View):
    access = MANAGER

    def post(self, request, cluster_slug):
        from grappe.calls.matching import matches_recompute

        counts = matches_recompute(cluster=self.cluster)
        messages.success(
            request,
            _("Recommandations recalculées : %(m)s pour %(o)s structures, %(c)s collectives.")
            % {
                "m": counts["matches"],
                "o": counts["organisations"],
                "c": counts["cluster_matches"],
            },
        )
        return redirect("calls:manage", cluster_slug=cluster_slug)


class CallCreateView(ClusterMixin, FormView):
    access = MANAGER
    template_name = "calls/call_form.html"
    form_class = ManualCallForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "cluster": self.cluster}

    def form_valid(self, form):
        try:
            call = services.call_create_manual(by=self.actor, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Appel ajouté au catalogue."))
        return redirect(call.url_in(self.cluster))


class CallUpdateView(ClusterMixin, FormView):
    """Correct a call the cluster entered by hand."""

    access = MANAGER
    template_name = "calls/call_form.html"
    form_class = ManualCallForm

    @cached_property
    def call(self) -> Call:
        return selectors.manual_call_get(actor=self.actor, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "cluster": self.cluster}

    def get_initial(self):
        return ManualCallForm.initial_for(self.call, services.perimeter_code(self.call))

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "call": self.call}

    def form_valid(self, form):
        try:
            call = services.call_update_manual(
                by=self.actor, call=self.call, **form.service_kwargs()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Appel modifié ; les recommandations sont recalculées."))
        return redirect(call.url_in(self.cluster))


class CallLiveView(ClusterMixin, View):
    """Withdraw a manual call from the catalogue, or put it back."""

    access = MANAGER

    def post(self, request, cluster_slug, pk):
        call = selectors.manual_call_get(actor=self.actor, pk=pk)
        live = request.POST.get("live") == "1"
        services.call_set_live(by=self.actor, call=call, live=live)
        if live:
            messages.success(request, _("Appel remis au catalogue."))
        else:
            messages.success(
                request,
                _("Appel retiré : il n'apparaît plus dans les recherches ni les recommandations."),
            )
        return redirect(call.url_in(self.cluster))


class DuplicatesView(ClusterMixin, TemplateView):
    """Near-duplicates across sources, to merge or to keep apart."""

    access = MANAGER
    template_name = "calls/duplicates.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "pairs": selectors.duplicate_candidates(actor=self.actor),
        }

    def post(self, request, cluster_slug):
        keep_pk, other_pk = request.POST.get("keep", ""), request.POST.get("other", "")
        if not (keep_pk.isdigit() and other_pk.isdigit()):
            raise Http404
        keep = selectors.call_get(actor=self.actor, pk=int(keep_pk))
        other = selectors.call_get(actor=self.actor, pk=int(other_pk))
        try:
            if request.POST.get("action") == "dismiss":
                services.duplicate_dismiss(by=self.actor, first=keep, second=other)
                messages.success(request, _("Ces deux appels restent distincts."))
            else:
                services.call_merge(by=self.actor, keep=keep, duplicate=other)
                messages.success(request, _("Appels fusionnés : « %s » est conservé.") % keep.name)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("calls:duplicates", cluster_slug=cluster_slug)


class SourcesView(ClusterMixin, FormView):
    access = MANAGER
    template_name = "calls/sources.html"
    form_class = SourceForm

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "sources": selectors.source_list(actor=self.actor),
        }

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "delete":
            pk = request.POST.get("source", "")
            if not pk.isdigit():
                raise Http404
            source = selectors.source_get(actor=self.actor, pk=int(pk))
            services.source_delete(by=self.actor, source=source)
            messages.success(request, _("Source supprimée."))
            return redirect("calls:sources", cluster_slug=self.cluster.slug)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.source_create(by=self.actor, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Source enregistrée : elle sera relue chaque nuit."))
        return redirect("calls:sources", cluster_slug=self.cluster.slug)
