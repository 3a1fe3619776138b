"""Pages of the billing app. Thin: parse, call one service or selector, render."""

from __future__ import annotations

import csv
import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from grappe.billing import selectors, services
from grappe.billing.forms import (
    BillingProfileForm,
    ChargeForm,
    CreditNoteForm,
    ExportForm,
    MonthForm,
    PaymentForm,
)
from grappe.billing.models import BillingProfile
from grappe.billing.templatetags.billing import format_money
from grappe.core.files import serve_private
from grappe.core.forms import add_service_errors
from grappe.core.mixins import MANAGER, MEMBER, ClusterMixin
from grappe.engine.invoicing import month_bounds


class BillingHomeView(ClusterMixin, View):
    """« Facturation »: a member goes to its firm's account, a manager to the invoices."""

    access = MEMBER

    def get(self, request, cluster_slug):
        organisations = list(selectors.organisations_billed(actor=self.actor))
        if len(organisations) == 1 or (organisations and not self.actor.is_manager):
            return redirect(
                "billing:account", cluster_slug=cluster_slug, slug=organisations[0].slug
            )
        return redirect("billing:manage", cluster_slug=cluster_slug)


class AccountView(ClusterMixin, TemplateView):
    """A member firm's account: balance, invoices, ledger, savings (its people, managers)."""

    access = MEMBER
    template_name = "billing/account.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org = selectors.organisation_get(actor=self.actor, slug=kwargs["slug"])
        entries = selectors.ledger_list(actor=self.actor, organisation=org)
        context.update(
            organisation=org,
            balance=selectors.balance_for(actor=self.actor, organisation=org),
            invoices=selectors.invoice_list(actor=self.actor, organisation=org)[:24],
            page=Paginator(entries, 50).get_page(self.request.GET.get("page")),
            savings=selectors.savings_for_organisation(actor=self.actor, organisation=org),
            other_organisations=selectors.organisations_billed(actor=self.actor).exclude(pk=org.pk),
            today=timezone.localdate(),
        )
        if self.actor.is_manager:
            context["charge_form"] = kwargs.get("charge_form") or ChargeForm(
                initial={"date": timezone.localdate()}
            )
        return context


class ChargeCreateView(AccountView):
    """A manager adds a charge by hand to a firm's account."""

    access = MANAGER

    def post(self, request, cluster_slug, slug):
        org = selectors.organisation_get(actor=self.actor, slug=slug)
        form = ChargeForm(request.POST)
        if form.is_valid():
            try:
                services.charge_create(by=self.actor, organisation=org, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Charge ajoutée : elle sera facturée avec son mois."))
                return redirect("billing:account", cluster_slug=cluster_slug, slug=slug)
        return self.render_to_response(self.get_context_data(slug=slug, charge_form=form))


class InvoiceDetailView(ClusterMixin, TemplateView):
    access = MEMBER
    template_name = "billing/invoice_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invoice = selectors.invoice_get(actor=self.actor, pk=kwargs["pk"])
        context.update(
            invoice=invoice,
            lines=selectors.invoice_lines(invoice),
            credit_note=selectors.credit_note_of(invoice),
            allocations=invoice.allocations.select_related("payment").order_by("payment__date"),
            today=timezone.localdate(),
        )
        if self.actor.is_manager:
            context["credit_form"] = kwargs.get("credit_form") or CreditNoteForm()
        return context


class InvoicePdfView(ClusterMixin, View):
    """The invoice's Factur-X PDF, after the permission check (own firm, managers)."""

    access = MEMBER

    def get(self, request, cluster_slug, pk):
        invoice = selectors.invoice_get(actor=self.actor, pk=pk)
        name = services.invoice_pdf(invoice=invoice)
        return serve_private(name, download_name=invoice.filename)


class InvoiceXmlView(ClusterMixin, View):
    access = MEMBER

    def get(self, request, cluster_slug, pk):
        invoice = selectors.invoice_get(actor=self.actor, pk=pk)
        response = HttpResponse(services.invoice_cii_xml(invoice), content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="factur-x-{invoice.number}.xml"'
        response["Cache-Control"] = "private, no-store"
        return response


class CreditNoteCreateView(InvoiceDetailView):
    access = MANAGER

    def post(self, request, cluster_slug, pk):
        invoice = selectors.invoice_get(actor=self.actor, pk=pk)
        form = CreditNoteForm(request.POST)
        if form.is_valid():
            try:
                credit = services.credit_note_issue(
                    by=self.actor, invoice=invoice, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Avoir %(credit)s émis : il annule la facture %(number)s.")
                    % {"credit": credit.number, "number": invoice.number},
                )
                return redirect("billing:invoice-detail", cluster_slug=cluster_slug, pk=credit.pk)
        return self.render_to_response(self.get_context_data(pk=pk, credit_form=form))


# --- Managers ----------------------------------------------------------------------------


class ManageView(ClusterMixin, TemplateView):
    """Invoices of a month: what is waiting, the run button, the issued list."""

    access = MANAGER
    template_name = "billing/manage.html"

    def _month(self, data):
        form = MonthForm(data or {"month": MonthForm.default()})
        month = form.cleaned_data["month"] if form.is_valid() else None
        return form, month

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, month = kwargs.get("form_month") or self._month(self.request.GET)
        if month is None:
            month = tuple(int(p) for p in MonthForm.default().split("-"))
        invoices = selectors.invoice_list(actor=self.actor, month=month).order_by("sequence")
        first_day = dt.date(month[0], month[1], 1)
        context.update(
            form=form,
            month=month,
            month_value=f"{month[0]:04d}-{month[1]:02d}",
            first_day=first_day,
            overview=selectors.month_overview(actor=self.actor, year=month[0], month=month[1]),
            page=Paginator(invoices, 100).get_page(self.request.GET.get("page")),
            profile=selectors.profile_for(self.cluster),
            export_form=ExportForm(initial={"start": first_day, "end": month_bounds(*month)[1]}),
            tab="invoices",
            today=timezone.localdate(),
        )
        return context

    def post(self, request, cluster_slug):
        form, month = self._month(request.POST)
        if month is None:
            return self.render_to_response(self.get_context_data(form_month=(form, None)))
        members = selectors.member_organisations(actor=self.actor).count()
        if members > settings.BILLING_INLINE_MAX_MEMBERS:
            services.invoices_issue_month_later(by=self.actor, year=month[0], month=month[1])
            messages.success(
                request,
                _(
                    "La facturation du mois est lancée en tâche de fond : rechargez la page "
                    "dans quelques instants."
                ),
            )
            return redirect(f"{request.path}?month={month[0]:04d}-{month[1]:02d}")
        try:
            result = services.invoices_issue_month(by=self.actor, year=month[0], month=month[1])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if result.count:
                messages.success(
                    request,
                    _("%(count)s factures émises (%(first)s à %(last)s), total TTC %(total)s.")
                    % {
                        "count": result.count,
                        "first": result.invoices[0].number,
                        "last": result.invoices[-1].number,
                        "total": format_money(result.total_ttc),
                    },
                )
            else:
                messages.warning(request, _("Aucune nouvelle facture : tout est déjà facturé."))
        return redirect(
            f"{request.path}?month={month[0]:04d}-{month[1]:02d}"  # the same page, that month
        )


class ExportView(ClusterMixin, View):
    """The period's entries for the accountant (CSV, semicolons, UTF-8 with BOM)."""

    access = MANAGER

    def get(self, request, cluster_slug):
        form = ExportForm(request.GET)
        if not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
            return redirect("billing:manage", cluster_slug=cluster_slug)
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        rows = selectors.ledger_export_rows(actor=self.actor, first_day=start, last_day=end)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="ecritures-{self.cluster.slug}-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
        )
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        writer.writerow(selectors.EXPORT_HEADER)
        writer.writerows(rows)
        return response


class PaymentListView(ClusterMixin, FormView):
    access = MANAGER
    template_name = "billing/payments.html"
    form_class = PaymentForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "organisations": selectors.member_organisations(actor=self.actor),
        }

    def get_context_data(self, **kwargs):
        payments = selectors.payment_list(actor=self.actor)
        return {
            **super().get_context_data(**kwargs),
            "page": Paginator(payments, 50).get_page(self.request.GET.get("page")),
            "tab": "payments",
        }

    def form_valid(self, form):
        try:
            payment = services.payment_record(by=self.actor, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Paiement de %(amount)s enregistré pour %(org)s.")
            % {"amount": format_money(payment.amount), "org": payment.organisation.name},
        )
        return redirect("billing:payment-list", cluster_slug=self.cluster.slug)


class BalanceListView(ClusterMixin, TemplateView):
    access = MANAGER
    template_name = "billing/balances.html"

    def get_context_data(self, **kwargs):
        rows = selectors.balance_list(actor=self.actor)
        return {
            **super().get_context_data(**kwargs),
            "rows": rows,
            "totals": {
                "balance": sum((r.balance.balance for r in rows), selectors.ZERO),
                "overdue": sum((r.balance.overdue for r in rows), selectors.ZERO),
            },
            "tab": "balances",
        }


class SavingsReportView(ClusterMixin, TemplateView):
    access = MANAGER
    template_name = "billing/savings.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "report": selectors.savings_report(actor=self.actor),
            "tab": "savings",
        }


class ProfileView(ClusterMixin, FormView):
    access = MANAGER
    template_name = "billing/profile.html"
    form_class = BillingProfileForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        profile = selectors.profile_for(self.cluster)
        kwargs["instance"] = profile or BillingProfile(cluster=self.cluster)
        if profile is None and self.request.method == "GET":
            kwargs["initial"] = selectors.profile_initial(self.cluster)
        return kwargs

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "tab": "profile"}

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.billing_profile_update(by=self.actor, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Profil de facturation enregistré."))
        return redirect("billing:profile", cluster_slug=self.cluster.slug)
