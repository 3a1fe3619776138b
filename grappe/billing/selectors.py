"""Reads of the billing app, scoped by the actor.

A firm's ledger, invoices and savings are private: its own people and the cluster's
managers see them (another firm's or another cluster's rows are a 404). Funders see
aggregates only (`savings_by_month`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from grappe.billing.models import ZERO, BillingProfile, Invoice, LedgerEntry
from grappe.core.access import Actor, require
from grappe.core.models import Cluster
from grappe.engine.invoicing import month_bounds, month_key
from grappe.members.models import Membership, Organisation

MONEY = DecimalField(max_digits=14, decimal_places=2)


CENT = Decimal("0.01")


def _sum(field: str, **filters) -> Coalesce:
    return Coalesce(
        Sum(field, filter=Q(**filters) if filters else None), Value(ZERO), output_field=MONEY
    )


def _cents(value) -> Decimal:
    """SQLite sums decimals as floats-in-text: back to exact cents."""
    return Decimal(value or 0).quantize(CENT)


def profile_for(cluster: Cluster) -> BillingProfile | None:
    return BillingProfile.objects.filter(cluster=cluster).first()


def profile_initial(cluster: Cluster) -> dict:
    """Defaults for a new billing profile, from the cluster's own identity."""
    address, postcode, city = cluster.address, "", ""
    parts = [p.strip() for p in cluster.address.split(",")]
    if len(parts) >= 2 and parts[-1][:5].isdigit():
        address, postcode, city = ", ".join(parts[:-1]), parts[-1][:5], parts[-1][5:].strip()
    return {
        "legal_name": cluster.legal_name or cluster.name,
        "siret": cluster.siret,
        "address": address,
        "postcode": postcode,
        "city": city,
    }


# --- A member's account ------------------------------------------------------------------


def organisation_get(*, actor: Actor, slug: str) -> Organisation:
    """A member firm whose account the actor may see (own firm or manager), else 404."""
    org = get_object_or_404(
        Organisation.objects.filter(memberships__cluster=actor.cluster).select_related("commune"),
        slug=slug,
    )
    require(actor.can_see_private_of(org.pk))
    return org


def organisations_billed(*, actor: Actor) -> QuerySet[Organisation]:
    """The firms whose account the actor may open: its own (members)."""
    return Organisation.objects.filter(
        pk__in=actor.organisation_ids, memberships__cluster=actor.cluster
    ).order_by("name")


def ledger_list(*, actor: Actor, organisation: Organisation) -> QuerySet[LedgerEntry]:
    require(actor.can_see_private_of(organisation.pk))
    return (
        LedgerEntry.objects.filter(cluster=actor.cluster, organisation=organisation)
        .select_related("invoice")
        .order_by("-date", "-id")
    )


@dataclass(frozen=True)
class Balance:
    invoiced: Decimal  # invoices less credit notes, VAT included
    paid: Decimal
    balance: Decimal  # what the firm owes (negative: an advance)
    overdue: Decimal
    uninvoiced: Decimal  # charges recorded, not invoiced yet (before tax)


def balance_for(*, actor: Actor, organisation: Organisation) -> Balance:
    require(actor.can_see_private_of(organisation.pk))
    return _balances(actor.cluster, [organisation.pk]).get(
        organisation.pk, Balance(ZERO, ZERO, ZERO, ZERO, ZERO)
    )


def _balances(cluster: Cluster, organisation_ids=None) -> dict[int, Balance]:
    today = timezone.localdate()
    entries = LedgerEntry.objects.filter(cluster=cluster)
    invoices = Invoice.objects.filter(cluster=cluster)
    if organisation_ids is not None:
        entries = entries.filter(organisation_id__in=list(organisation_ids))
        invoices = invoices.filter(organisation_id__in=list(organisation_ids))
    sums = entries.values("organisation_id").annotate(
        paid=_sum("amount", kind=LedgerEntry.Kind.PAYMENT),
        uninvoiced=_sum("amount", kind=LedgerEntry.Kind.CHARGE, invoice__isnull=True),
    )
    invoiced = dict(
        invoices.values("organisation_id")
        .annotate(total=_sum("total_ttc"))
        .values_list("organisation_id", "total")
    )
    overdue: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for org_id, total, paid in invoices.filter(
        kind=Invoice.Kind.INVOICE, status=Invoice.Status.OPEN, due_date__lt=today
    ).values_list("organisation_id", "total_ttc", "paid_amount"):
        overdue[org_id] += total - paid
    result = {}
    for row in sums:
        org_id = row["organisation_id"]
        total, paid = _cents(invoiced.get(org_id)), _cents(row["paid"])
        result[org_id] = Balance(
            invoiced=total,
            paid=paid,
            balance=total - paid,
            overdue=_cents(overdue.get(org_id)),
            uninvoiced=_cents(row["uninvoiced"]),
        )
    return result


@dataclass(frozen=True)
class BalanceRow:
    organisation: Organisation
    balance: Balance


def balance_list(*, actor: Actor) -> list[BalanceRow]:
    """Every member firm with an account, and its balance (managers)."""
    require(actor.is_manager)
    balances = _balances(actor.cluster)
    orgs = Organisation.objects.filter(pk__in=list(balances)).order_by("name")
    return [BalanceRow(organisation=o, balance=balances[o.pk]) for o in orgs]


# --- Invoices ----------------------------------------------------------------------------


def invoice_list(
    *,
    actor: Actor,
    organisation: Organisation | None = None,
    month: tuple[int, int] | None = None,
    status: str = "",
) -> QuerySet[Invoice]:
    """Managers: the cluster's invoices; members: their firms' (another firm's: none)."""
    qs = Invoice.objects.filter(cluster=actor.cluster).select_related(
        "organisation", "credited_invoice"
    )
    if organisation is not None:
        require(actor.can_see_private_of(organisation.pk))
        qs = qs.filter(organisation=organisation)
    elif not actor.is_manager:
        qs = qs.filter(organisation_id__in=actor.organisation_ids)
    if month is not None:
        first, last = month_bounds(*month)
        qs = qs.filter(period_start__gte=first, period_start__lte=last)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-sequence")


def invoice_get(*, actor: Actor, pk: int) -> Invoice:
    """An invoice of the actor's own firm, or any of the cluster's for a manager; else 404."""
    invoice = get_object_or_404(
        Invoice.objects.select_related("organisation", "credited_invoice"),
        cluster=actor.cluster,
        pk=pk,
    )
    require(actor.can_see_private_of(invoice.organisation_id))
    return invoice


def invoice_lines(invoice: Invoice) -> list[LedgerEntry]:
    return list(invoice.entries.order_by("date", "id"))


def credit_note_of(invoice: Invoice) -> Invoice | None:
    return Invoice.objects.filter(credited_invoice=invoice).first()


@dataclass(frozen=True)
class MonthOverview:
    year: int
    month: int
    uninvoiced_count: int
    uninvoiced_members: int
    uninvoiced_total: Decimal
    invoices_count: int
    invoices_total: Decimal


def month_overview(*, actor: Actor, year: int, month: int) -> MonthOverview:
    """What is recorded and not invoiced yet for a month, and what was issued (managers)."""
    require(actor.is_manager)
    first, last = month_bounds(year, month)
    pending = LedgerEntry.objects.filter(
        cluster=actor.cluster,
        kind=LedgerEntry.Kind.CHARGE,
        invoice__isnull=True,
        date__range=(first, last),
    ).aggregate(n=Count("id"), members=Count("organisation", distinct=True), total=_sum("amount"))
    issued = Invoice.objects.filter(
        cluster=actor.cluster, kind=Invoice.Kind.INVOICE, period_start=first
    ).aggregate(n=Count("id"), total=_sum("total_ttc"))
    return MonthOverview(
        year=year,
        month=month,
        uninvoiced_count=pending["n"],
        uninvoiced_members=pending["members"],
        uninvoiced_total=_cents(pending["total"]),
        invoices_count=issued["n"],
        invoices_total=_cents(issued["total"]),
    )


def payment_list(*, actor: Actor) -> QuerySet[LedgerEntry]:
    require(actor.is_manager)
    return (
        LedgerEntry.objects.filter(cluster=actor.cluster, kind=LedgerEntry.Kind.PAYMENT)
        .select_related("organisation")
        .annotate(allocated=_sum("allocations__amount"))
        .order_by("-date", "-id")
    )


def member_organisations(*, actor: Actor) -> QuerySet[Organisation]:
    """Firms a manager may record a payment or a charge for."""
    require(actor.is_manager)
    return Organisation.objects.filter(
        memberships__cluster=actor.cluster,
        memberships__status__in=[
            Membership.Status.ACTIVE,
            Membership.Status.LAPSED,
            Membership.Status.LEFT,
        ],
    ).order_by("name")


# --- Accountant's export -----------------------------------------------------------------

EXPORT_HEADER = [
    "Date",
    "Pièce",
    "Compte tiers (SIRET)",
    "Tiers",
    "Libellé",
    "Débit",
    "Crédit",
    "TVA",
    "Taux TVA",
]


def _fr(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",") if value else ""


def ledger_export_rows(*, actor: Actor, first_day: dt.date, last_day: dt.date) -> list[list[str]]:
    """The period's accounting lines: invoice and credit-note lines at their issue date
    (débit/crédit VAT included, with the VAT), and payments received (crédit)."""
    require(actor.is_manager)
    rows = []
    lines = (
        LedgerEntry.objects.filter(
            cluster=actor.cluster,
            invoice__isnull=False,
            invoice__issue_date__range=(first_day, last_day),
        )
        .select_related("invoice", "organisation")
        .order_by("invoice__issue_date", "invoice__sequence", "id")
    )
    payments = (
        LedgerEntry.objects.filter(
            cluster=actor.cluster, kind=LedgerEntry.Kind.PAYMENT, date__range=(first_day, last_day)
        )
        .select_related("organisation")
        .order_by("date", "id")
    )
    for entry in lines:
        total = entry.amount + entry.vat_amount
        rows.append(
            (
                entry.invoice.issue_date,
                entry.invoice.sequence,
                [
                    entry.invoice.issue_date.strftime("%d/%m/%Y"),
                    entry.invoice.number,
                    entry.organisation.siret or entry.organisation.siren or entry.organisation.rna,
                    entry.organisation.name,
                    entry.label,
                    _fr(total) if total > 0 else "",
                    _fr(-total) if total < 0 else "",
                    _fr(abs(entry.vat_amount)),
                    f"{entry.vat_rate:.2f}".replace(".", ","),
                ],
            )
        )
    for entry in payments:
        rows.append(
            (
                entry.date,
                0,
                [
                    entry.date.strftime("%d/%m/%Y"),
                    entry.reference,
                    entry.organisation.siret or entry.organisation.siren or entry.organisation.rna,
                    entry.organisation.name,
                    entry.label,
                    "",
                    _fr(entry.amount),
                    "",
                    "",
                ],
            )
        )
    rows.sort(key=lambda item: (item[0], item[1]))
    return [row for _d, _s, row in rows]


# --- Savings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Savings:
    period: str  # "2026-11" or "2026"
    pooled: Decimal  # what the members paid (before tax) for items with a stated alone cost
    alone: Decimal  # what they would have paid alone
    members: int = 0

    @property
    def saving(self) -> Decimal:
        return self.alone - self.pooled

    @property
    def rate(self) -> Decimal | None:
        """The saving as a share of the alone cost, in percent."""
        if not self.alone:
            return None
        return (self.saving * 100 / self.alone).quantize(Decimal("0.1"))


def _savings_entries(cluster: Cluster):
    return LedgerEntry.objects.filter(
        cluster=cluster,
        kind__in=[LedgerEntry.Kind.CHARGE, LedgerEntry.Kind.CREDIT],
        alone_amount__isnull=False,
    )


def _aggregate(rows, key) -> list[Savings]:
    pooled: dict[str, Decimal] = defaultdict(lambda: ZERO)
    alone: dict[str, Decimal] = defaultdict(lambda: ZERO)
    members: dict[str, set] = defaultdict(set)
    for org_id, day, amount, alone_amount in rows:
        period = key(day)
        pooled[period] += amount
        alone[period] += alone_amount
        members[period].add(org_id)
    return [
        Savings(period=p, pooled=pooled[p], alone=alone[p], members=len(members[p]))
        for p in sorted(pooled)
    ]


def _rows(qs):
    return qs.values_list("organisation_id", "date", "amount", "alone_amount").order_by()


def savings_by_month(*, cluster: Cluster) -> list[Savings]:
    """The cluster's savings by Paris calendar month, aggregated (no firm's detail): what
    funders and the insights app may read."""
    return _aggregate(_rows(_savings_entries(cluster)), month_key)


def savings_by_year(*, cluster: Cluster) -> list[Savings]:
    return _aggregate(_rows(_savings_entries(cluster)), lambda day: f"{day.year:04d}")


def savings_for_organisation(*, actor: Actor, organisation: Organisation) -> dict:
    require(actor.can_see_private_of(organisation.pk))
    rows = list(_rows(_savings_entries(actor.cluster).filter(organisation=organisation)))
    return {
        "months": _aggregate(rows, month_key),
        "years": _aggregate(rows, lambda day: f"{day.year:04d}"),
    }


@dataclass(frozen=True)
class MemberSavings:
    organisation: Organisation
    years: dict[str, Savings]


def savings_report(*, actor: Actor) -> dict:
    """Managers: the cluster by month and by year, and each member by year."""
    require(actor.is_manager)
    rows = list(_rows(_savings_entries(actor.cluster)))
    by_org: dict[int, list] = defaultdict(list)
    for row in rows:
        by_org[row[0]].append(row)
    orgs = Organisation.objects.in_bulk(list(by_org))
    members = sorted(
        (
            MemberSavings(
                organisation=orgs[pk],
                years={s.period: s for s in _aggregate(group, lambda day: f"{day.year:04d}")},
            )
            for pk, group in by_org.items()
        ),
        key=lambda m: m.organisation.name.lower(),
    )
    years = _aggregate(rows, lambda day: f"{day.year:04d}")
    return {
        "months": _aggregate(rows, month_key),
        "years": years,
        "members": members,
        "year_keys": [s.period for s in years],
    }
