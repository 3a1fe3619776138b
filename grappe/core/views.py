"""Pages of the core app: cluster settings, audit log, account data, legal pages."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from grappe.core import selectors, services
from grappe.core.emails import unsubscribe_email_from_token
from grappe.core.forms import (
    ApiTokenForm,
    ClusterSettingsForm,
    EraseAccountForm,
    add_service_errors,
)
from grappe.core.mixins import MANAGER, ClusterMixin
from grappe.core.models import ApiToken, ClusterRole, User
from grappe.core.privacy import personal_data_erase, personal_data_export


class ClusterSettingsView(ClusterMixin, FormView):
    access = MANAGER
    template_name = "core/cluster_settings.html"
    form_class = ClusterSettingsForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.cluster}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "staff": selectors.staff_list(actor=self.actor),
        }

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        data["naf_codes"] = form.cleaned_data["naf_codes_text"]
        try:
            services.cluster_update(
                cluster=self.cluster,
                by=self.actor,
                commune_codes=form.cleaned_data["commune_codes"],
                **data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc, aliases={"communes": "commune_codes"})
            return self.form_invalid(form)
        messages.success(self.request, _("Paramètres de la grappe enregistrés."))
        return redirect("core:cluster-settings", cluster_slug=self.cluster.slug)


class StaffRevokeView(ClusterMixin, View):
    """Remove a manager or observer role (the last manager stays)."""

    access = MANAGER

    def post(self, request, cluster_slug, pk):
        role = get_object_or_404(ClusterRole, cluster=self.cluster, pk=pk)
        try:
            services.role_revoke(
                cluster=self.cluster, user=role.user, role=role.role, by=self.actor
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Rôle retiré à %s.") % role.user.email)
        return redirect("core:cluster-settings", cluster_slug=cluster_slug)


class AuditLogView(ClusterMixin, ListView):
    access = MANAGER
    template_name = "core/audit_log.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.audit_list(actor=self.actor)


class LegalNoticeView(TemplateView):
    template_name = "core/legal_notice.html"


class PrivacyView(TemplateView):
    template_name = "core/privacy.html"


class UnsubscribeView(View):
    """One click from an e-mail: no login needed, the token is signed."""

    def get(self, request, token):
        email = unsubscribe_email_from_token(token)
        return render(request, "core/unsubscribe.html", {"email": email, "token": token})

    def post(self, request, token):
        email = unsubscribe_email_from_token(token)
        if email is None:
            return render(request, "core/unsubscribe.html", {"email": None}, status=400)
        user = User.objects.filter(email__iexact=email).first()
        if user is not None:
            if request.POST.get("action") == "resubscribe":
                services.user_resubscribe(user=user)
            else:
                services.user_unsubscribe(user=user)
        return render(
            request,
            "core/unsubscribe.html",
            {"email": email, "token": token, "done": True, "user": user},
        )


class MyDataView(LoginRequiredMixin, TemplateView):
    template_name = "core/my_data.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "erase_form": EraseAccountForm()}


class MyDataExportView(LoginRequiredMixin, View):
    def get(self, request):
        data = personal_data_export(request.user)
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="mes-donnees-grappe.json"'
        return response


class MyDataEraseView(LoginRequiredMixin, View):
    def post(self, request):
        form = EraseAccountForm(request.POST)
        if not form.is_valid():
            return render(request, "core/my_data.html", {"erase_form": form}, status=400)
        user = request.user
        logout(request)
        personal_data_erase(user)
        messages.success(request, _("Votre compte et vos données personnelles ont été effacés."))
        return redirect("members:home")


class ApiTokenListView(LoginRequiredMixin, FormView):
    template_name = "core/api_tokens.html"
    form_class = ApiTokenForm

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "tokens": selectors.api_token_list(user=self.request.user),
        }

    def form_valid(self, form):
        token, key = services.api_token_create(
            user=self.request.user, name=form.cleaned_data["name"]
        )
        return self.render_to_response(self.get_context_data(new_key=key, new_token=token))


class ApiTokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk):
        token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
        services.api_token_revoke(token=token)
        messages.success(request, _("Jeton révoqué."))
        return redirect(reverse("core:api-tokens"))
