"""Pages of the members app. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from grappe.core.files import serve_private
from grappe.core.forms import add_service_errors
from grappe.core.mixins import INSIDER, MANAGER, MEMBER, PUBLIC, ClusterMixin
from grappe.core.ratelimit import rate_limited
from grappe.members import importers, selectors, services
from grappe.members.forms import (
    DecisionForm,
    DirectoryFilterForm,
    ImportForm,
    InvitationAcceptForm,
    InvitationForm,
    JoinRequestForm,
    MembershipForm,
    OrganisationProfileForm,
    PersonForm,
    PostForm,
    ProspectForm,
    ProspectInviteForm,
)
from grappe.members.models import JoinRequest, Membership, Person, Post, Prospect


class HomeView(TemplateView):
    """The instance's front page: listed clusters, and the visitor's own."""

    template_name = "members/home.html"

    def get_context_data(self, **kwargs):
        from grappe.core.selectors import cluster_list_listed

        context = super().get_context_data(**kwargs)
        context["clusters"] = cluster_list_listed()
        if self.request.user.is_authenticated:
            context["my_clusters"] = selectors.clusters_for_user(self.request.user)
        return context


class ClusterHomeView(ClusterMixin, TemplateView):
    access = PUBLIC
    template_name = "members/cluster_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stats"] = selectors.cluster_public_stats(cluster=self.cluster)
        if self.actor.is_member:
            context["my_organisations"] = selectors.organisations_for_actor(actor=self.actor)
            context["recent_posts"] = selectors.post_list(actor=self.actor)[:6]
        if self.actor.is_manager:
            context["pending_requests"] = selectors.join_request_list(actor=self.actor).count()
        return context


class DirectoryView(ClusterMixin, TemplateView):
    access = PUBLIC
    template_name = "members/directory.html"
    paginate_by = 24

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        facets = selectors.directory_facets(cluster=self.cluster)
        form = DirectoryFilterForm(self.request.GET or None, facets=facets)
        data = form.cleaned_data if form.is_valid() else {}
        filters = selectors.DirectoryFilters(
            query=data.get("q", ""),
            naf=data.get("naf", ""),
            commune=data.get("commune", ""),
            tag=data.get("tag", ""),
            size_band=data.get("size", ""),
        )
        results = selectors.directory_search(cluster=self.cluster, filters=filters)
        page = Paginator(results, self.paginate_by).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(form=form, page=page, filters=filters, querystring=query.urlencode())
        return context

    def get_template_names(self):
        if self.request.htmx:
            return ["members/_directory_results.html"]
        return [self.template_name]


class MapView(ClusterMixin, TemplateView):
    access = PUBLIC
    template_name = "members/map.html"


class MapDataView(ClusterMixin, View):
    access = PUBLIC

    def get(self, request, cluster_slug):
        return JsonResponse(
            selectors.directory_geojson(cluster=self.cluster), content_type="application/geo+json"
        )


class OrganisationPublicView(ClusterMixin, TemplateView):
    access = PUBLIC
    template_name = "members/organisation_public.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org = selectors.organisation_get_public(cluster=self.cluster, slug=kwargs["slug"])
        context.update(
            organisation=org,
            people=selectors.people_visible(organisation=org, actor=self.actor),
            posts=selectors.post_list(actor=self.actor, organisation=org)
            if self.actor.is_insider
            else selectors.post_list_public(cluster=self.cluster, organisation=org),
            can_edit=self.actor.can_see_private_of(org.pk),
        )
        if self.actor.can_see_private_of(org.pk):
            context["membership"] = selectors.membership_get(actor=self.actor, organisation=org)
        return context


class OrganisationEditView(ClusterMixin, FormView):
    access = MEMBER
    template_name = "members/organisation_edit.html"
    form_class = OrganisationProfileForm

    def dispatch(self, request, *args, **kwargs):
        self.kwargs = kwargs
        return super().dispatch(request, *args, **kwargs)

    def get_organisation(self):
        if not hasattr(self, "_organisation"):
            self._organisation = selectors.organisation_get_for_actor(
                actor=self.actor, slug=self.kwargs["slug"]
            )
        return self._organisation

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": self.get_organisation(),
            "cluster": self.cluster,
        }

    def get_context_data(self, **kwargs):
        org = self.get_organisation()
        return {
            **super().get_context_data(**kwargs),
            "organisation": org,
            "people": org.people.filter(is_active=True),
        }

    def form_valid(self, form):
        org = self.get_organisation()
        data = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "commune"}
        data["commune_id"] = (
            form.cleaned_data["commune"].pk if form.cleaned_data["commune"] else None
        )
        try:
            org = services.organisation_update(
                organisation=org, by=self.actor, tags=form.cleaned_tags(), **data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Profil enregistré."))
        return redirect(
            "members:organisation-public", cluster_slug=self.cluster.slug, slug=org.slug
        )


class PersonEditView(ClusterMixin, FormView):
    access = MEMBER
    template_name = "members/person_edit.html"
    form_class = PersonForm

    def get_person(self) -> Person:
        person = (
            Person.objects.select_related("organisation", "user")
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if person is None:
            raise Http404
        is_self = person.user_id == self.request.user.pk
        if not (is_self or self.actor.can_see_private_of(person.organisation_id)):
            raise Http404
        return person

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_person()}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "person": self.get_person()}

    def form_valid(self, form):
        person = self.get_person()
        try:
            services.person_update(person=person, by=self.actor, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Coordonnées enregistrées."))
        return redirect(
            "members:organisation-edit",
            cluster_slug=self.cluster.slug,
            slug=person.organisation.slug,
        )


# --- Needs and offers --------------------------------------------------------------------


class PostListView(ClusterMixin, FormView):
    access = INSIDER
    template_name = "members/post_list.html"
    form_class = PostForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "organisations": selectors.organisations_for_actor(actor=self.actor),
        }

    def get_context_data(self, **kwargs):
        kind = self.request.GET.get("kind", "")
        kind = kind if kind in Post.Kind.values else ""
        posts = selectors.post_list(actor=self.actor, kind=kind)
        page = Paginator(posts, 30).get_page(self.request.GET.get("page"))
        return {**super().get_context_data(**kwargs), "page": page, "kind": kind}

    def form_valid(self, form):
        if not self.actor.is_member:
            raise Http404
        data = form.cleaned_data
        try:
            services.post_create(by=self.actor, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Publié."))
        return redirect("members:post-list", cluster_slug=self.cluster.slug)


class PostCloseView(ClusterMixin, View):
    access = MEMBER

    def post(self, request, cluster_slug, pk):
        post = selectors.post_get(actor=self.actor, pk=pk)
        if not self.actor.can_see_private_of(post.organisation_id):
            raise Http404
        services.post_close(post=post, by=self.actor)
        messages.success(request, _("Clos : il n'apparaît plus dans les listes."))
        return redirect("members:post-list", cluster_slug=cluster_slug)


# --- Join requests -----------------------------------------------------------------------


class JoinRequestCreateView(ClusterMixin, FormView):
    access = PUBLIC
    template_name = "members/join_request_form.html"
    form_class = JoinRequestForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "cluster": self.cluster}

    def get_initial(self):
        # A prospect's invitation links here with its SIRET and name filled in.
        return {
            name: self.request.GET[name][:200]
            for name in ("identifier", "organisation_name")
            if name in self.request.GET
        }

    def post(self, request, *args, **kwargs):
        if rate_limited(request, "join-request"):
            return render(
                request, "members/rate_limited.html", {"cluster": self.cluster}, status=429
            )
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if form.cleaned_data.get("website_confirm"):  # a robot filled the hidden field
            return render(self.request, "members/join_request_sent.html", {"cluster": self.cluster})
        data = {
            k: v for k, v in form.cleaned_data.items() if k not in ("website_confirm", "consent")
        }
        try:
            services.join_request_submit(cluster=self.cluster, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        return render(self.request, "members/join_request_sent.html", {"cluster": self.cluster})


class JoinRequestListView(ClusterMixin, TemplateView):
    access = MANAGER
    template_name = "members/join_request_list.html"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", JoinRequest.Status.PENDING)
        status = status if status in JoinRequest.Status.values else JoinRequest.Status.PENDING
        return {
            **super().get_context_data(**kwargs),
            "requests": selectors.join_request_list(actor=self.actor, status=status),
            "status": status,
            "statuses": JoinRequest.Status.choices,
        }


class JoinRequestAttachmentView(ClusterMixin, View):
    """The applicant's document: managers only, never from a public media URL."""

    access = MANAGER

    def get(self, request, cluster_slug, pk):
        jr = selectors.join_request_get(actor=self.actor, pk=pk)
        if not jr.attachment:
            raise Http404
        return serve_private(jr.attachment.name)


class JoinRequestDetailView(ClusterMixin, FormView):
    access = MANAGER
    template_name = "members/join_request_detail.html"
    form_class = DecisionForm

    def get_join_request(self):
        return selectors.join_request_get(actor=self.actor, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "join_request": self.get_join_request()}

    def form_valid(self, form):
        jr = self.get_join_request()
        action = self.request.POST.get("action")
        try:
            if action == "admit":
                services.join_request_admit(
                    join_request=jr,
                    by=self.actor,
                    message=form.cleaned_data["message"],
                    fee_amount=form.cleaned_data["fee_amount"],
                )
                messages.success(
                    self.request,
                    _("%s est admise. Une invitation a été envoyée à son contact.")
                    % jr.organisation_name,
                )
            elif action == "decline":
                services.join_request_decline(
                    join_request=jr, by=self.actor, message=form.cleaned_data["message"]
                )
                messages.success(self.request, _("Demande refusée ; le demandeur est prévenu."))
            else:
                form.add_error(None, _("Choisissez d'admettre ou de refuser."))
                return self.form_invalid(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        return redirect("members:join-request-list", cluster_slug=self.cluster.slug)


# --- Memberships (managers) --------------------------------------------------------------


class MembershipListView(ClusterMixin, TemplateView):
    access = MANAGER
    template_name = "members/membership_list.html"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", "")
        status = status if status in Membership.Status.values else ""
        qs = selectors.membership_list(
            actor=self.actor, status=status, query=self.request.GET.get("q", "")
        )
        page = Paginator(qs, 50).get_page(self.request.GET.get("page"))
        return {
            **super().get_context_data(**kwargs),
            "page": page,
            "status": status,
            "statuses": Membership.Status.choices,
            "q": self.request.GET.get("q", ""),
            "import_form": ImportForm(),
        }


class MembershipDetailView(ClusterMixin, FormView):
    access = MANAGER
    template_name = "members/membership_detail.html"
    form_class = MembershipForm

    def get_membership(self) -> Membership:
        membership = (
            Membership.objects.select_related("organisation")
            .filter(cluster=self.cluster, pk=self.kwargs["pk"])
            .first()
        )
        if membership is None:
            raise Http404
        return membership

    def get_initial(self):
        m = self.get_membership()
        return {"status": m.status, "fee_amount": m.fee_amount, "fee_status": m.fee_status}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "membership": self.get_membership()}

    def form_valid(self, form):
        membership = self.get_membership()
        try:
            if self.request.POST.get("action") == "renew":
                services.membership_renew(membership=membership, by=self.actor)
            else:
                services.membership_set_status(
                    membership=membership, status=form.cleaned_data["status"], by=self.actor
                )
                services.membership_update_fee(
                    membership=membership,
                    by=self.actor,
                    fee_amount=form.cleaned_data["fee_amount"],
                    fee_status=form.cleaned_data["fee_status"],
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Adhésion enregistrée."))
        return redirect(
            "members:membership-detail", cluster_slug=self.cluster.slug, pk=membership.pk
        )


class MembersImportView(ClusterMixin, FormView):
    access = MANAGER
    template_name = "members/import.html"
    form_class = ImportForm

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            result = importers.members_import(
                by=self.actor, name=upload.name, content=upload.read()
            )
        except importers.MembersImportError as exc:
            return self.render_to_response(
                self.get_context_data(form=form, errors=exc.errors), status=400
            )
        messages.success(self.request, result.summary())
        return redirect("members:membership-list", cluster_slug=self.cluster.slug)


class MembersExportView(ClusterMixin, View):
    access = MANAGER

    def get(self, request, cluster_slug, fmt):
        memberships = selectors.membership_list(actor=self.actor).prefetch_related(
            "organisation__tags"
        )
        if fmt == "xlsx":
            body = importers.export_xlsx(memberships)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            body = importers.export_csv(memberships)
            content_type = "text/csv; charset=utf-8"
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="membres-{cluster_slug}.{fmt}"'
        return response


# --- Invitations -------------------------------------------------------------------------


class InvitationListView(ClusterMixin, FormView):
    access = MEMBER
    template_name = "members/invitation_list.html"
    form_class = InvitationForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "cluster": self.cluster}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not self.actor.is_manager:
            form.fields["role"].choices = [("member", form.fields["role"].choices[0][1])]
            form.fields["organisation"].queryset = selectors.organisations_for_actor(
                actor=self.actor
            )
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.actor.is_manager:
            context["invitations"] = selectors.invitation_list(actor=self.actor)[:100]
        return context

    def form_valid(self, form):
        try:
            services.invitation_create(
                by=self.actor,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                organisation=form.cleaned_data["organisation"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Invitation envoyée à %s.") % form.cleaned_data["email"])
        return redirect("members:invitation-list", cluster_slug=self.cluster.slug)


class InvitationAcceptView(FormView):
    template_name = "members/invitation_accept.html"
    form_class = InvitationAcceptForm

    def dispatch(self, request, *args, **kwargs):
        try:
            self.invitation = services.invitation_from_token(kwargs["token"])
        except ValidationError as exc:
            return render(
                request, "members/invitation_invalid.html", {"errors": exc.messages}, status=400
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "invitation": self.invitation}

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.POST.get("action") == "join":
            try:
                services.invitation_accept(token=kwargs["token"], password=None, user=request.user)
            except ValidationError as exc:
                return render(
                    request, "members/invitation_invalid.html", {"errors": exc.messages}, status=400
                )
            return redirect(self.invitation.cluster.get_absolute_url())
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        from django.contrib.auth import login

        try:
            user = services.invitation_accept(
                token=self.kwargs["token"],
                password=form.cleaned_data["password"],
                full_name=form.cleaned_data["full_name"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, _("Bienvenue ! Votre compte est prêt."))
        return redirect(self.invitation.cluster.get_absolute_url())


# --- Prospects ---------------------------------------------------------------------------


class ProspectListView(ClusterMixin, TemplateView):
    access = MANAGER
    template_name = "members/prospect_list.html"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", Prospect.Status.NEW)
        status = status if status in Prospect.Status.values or status == "" else Prospect.Status.NEW
        commune = self.request.GET.get("commune", "")
        qs = selectors.prospect_list(actor=self.actor, status=status, commune=commune)
        page = Paginator(qs, 50).get_page(self.request.GET.get("page"))
        return {
            **super().get_context_data(**kwargs),
            "page": page,
            "status": status,
            "commune": commune,
            "statuses": Prospect.Status.choices,
            "coverage": selectors.coverage_by_commune(actor=self.actor),
        }


class ProspectInviteView(ClusterMixin, View):
    access = MANAGER

    def post(self, request, cluster_slug, pk):
        prospect = selectors.prospect_get(actor=self.actor, pk=pk)
        form = ProspectInviteForm(request.POST)
        if form.is_valid():
            services.prospect_invite(
                prospect=prospect,
                by=self.actor,
                email=form.cleaned_data["email"],
                message=form.cleaned_data["message"],
            )
            messages.success(
                request, _("Invitation à adhérer envoyée à %s.") % form.cleaned_data["email"]
            )
        else:
            messages.error(request, _("Adresse e-mail invalide."))
        return redirect("members:prospect-list", cluster_slug=cluster_slug)


class ProspectUpdateView(ClusterMixin, View):
    access = MANAGER

    def post(self, request, cluster_slug, pk):
        prospect = selectors.prospect_get(actor=self.actor, pk=pk)
        form = ProspectForm(request.POST)
        if form.is_valid():
            services.prospect_set_status(
                prospect=prospect,
                by=self.actor,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
            if request.htmx:
                return render(
                    request,
                    "members/_prospect_row.html",
                    {"p": prospect, "statuses": Prospect.Status.choices, "cluster": self.cluster},
                )
            messages.success(request, _("Prospect mis à jour."))
        else:
            messages.error(request, _("Statut invalide."))
        return redirect("members:prospect-list", cluster_slug=cluster_slug)
