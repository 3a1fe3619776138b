"""Billing API: a member firm's ledger and invoices (its people, managers), the cluster's
invoices (managers), the cluster's savings by month (managers, funders: aggregates)."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from grappe.api.pagination import Pagination
from grappe.api.scoping import allow, cluster_actor
from grappe.billing import selectors
from grappe.engine.invoicing import InvoicingError, parse_month

router = Router(tags=["facturation"])


class InvoiceOut(Schema):
    id: int
    number: str
    kind: str
    organisation: str = Field(alias="organisation.slug")
    organisation_name: str = Field(alias="organisation.name")
    issue_date: dt.date
    due_date: dt.date
    period_start: dt.date
    period_end: dt.date
    total_ht: Decimal
    total_vat: Decimal
    total_ttc: Decimal
    paid_amount: Decimal
    status: str
    credited_invoice: str | None = Field(None, alias="credited_invoice.number")
    vat_breakdown: list[dict]


class EntryOut(Schema):
    id: int
    date: dt.date
    kind: str
    category: str
    label: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    vat_rate: Decimal
    vat_amount: Decimal
    alone_amount: Decimal | None
    invoice: str | None = Field(None, alias="invoice.number")
    method: str
    reference: str


class BalanceOut(Schema):
    invoiced: Decimal
    paid: Decimal
    balance: Decimal
    overdue: Decimal
    uninvoiced: Decimal


class InvoiceQuery(Schema):
    month: str = Field("", max_length=7, description="AAAA-MM (période facturée)")
    status: Literal["", "open", "paid", "credited", "settled"] = ""


class SavingsOut(Schema):
    period: str
    alone: Decimal
    pooled: Decimal
    saving: Decimal
    members: int


def _month(text: str):
    if not text:
        return None
    try:
        return parse_month(text)
    except InvoicingError as exc:
        from django.core.exceptions import ValidationError

        raise ValidationError(str(exc)) from exc


@router.get(
    "/{slug}/billing/organisations/{org_slug}/ledger",
    response=list[EntryOut],
    summary="Écritures du compte d'une structure (ses personnes, animateurs)",
)
@paginate(Pagination)
def ledger(request, slug: str, org_slug: str):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_member or actor.is_manager)
    org = selectors.organisation_get(actor=actor, slug=org_slug)
    return selectors.ledger_list(actor=actor, organisation=org)


@router.get(
    "/{slug}/billing/organisations/{org_slug}/balance",
    response=BalanceOut,
    summary="Solde du compte d'une structure (ses personnes, animateurs)",
)
def balance(request, slug: str, org_slug: str):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_member or actor.is_manager)
    org = selectors.organisation_get(actor=actor, slug=org_slug)
    return selectors.balance_for(actor=actor, organisation=org)


@router.get(
    "/{slug}/billing/organisations/{org_slug}/invoices",
    response=list[InvoiceOut],
    summary="Factures et avoirs d'une structure (ses personnes, animateurs)",
)
@paginate(Pagination)
def organisation_invoices(request, slug: str, org_slug: str, filters: Query[InvoiceQuery]):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_member or actor.is_manager)
    org = selectors.organisation_get(actor=actor, slug=org_slug)
    return selectors.invoice_list(
        actor=actor, organisation=org, month=_month(filters.month), status=filters.status
    )


@router.get(
    "/{slug}/billing/invoices",
    response=list[InvoiceOut],
    summary="Factures et avoirs de la grappe (animateurs)",
)
@paginate(Pagination)
def invoice_list(request, slug: str, filters: Query[InvoiceQuery]):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_manager)
    return selectors.invoice_list(actor=actor, month=_month(filters.month), status=filters.status)


@router.get(
    "/{slug}/billing/savings",
    response=list[SavingsOut],
    summary="Économies de la grappe par mois, agrégées (animateurs, financeurs)",
)
def savings(request, slug: str):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_manager or actor.is_observer)
    return [
        {
            "period": s.period,
            "alone": s.alone,
            "pooled": s.pooled,
            "saving": s.saving,
            "members": s.members,
        }
        for s in selectors.savings_by_month(cluster=actor.cluster)
    ]
