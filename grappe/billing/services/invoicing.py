"""Issuing invoices and credit notes, and reminding members of overdue ones.

Numbers come from the cluster's counter row, locked with ``select_for_update`` inside
the issuing transaction: the run is one transaction, so an interruption (an error, a
crash) rolls back the invoices, their lines' links and the counter together — no
half-issued invoice and no gap.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.billing.models import (
    BillingProfile,
    Invoice,
    InvoiceSequence,
    LedgerEntry,
    PaymentAllocation,
)
from grappe.billing.services.ledger import (
    CHUNK,
    CollectResult,
    _collect,
    payments_allocate,
    require_manager,
)
from grappe.core.access import Actor
from grappe.core.emails import absolute_url, send_email_on_commit
from grappe.core.models import Cluster
from grappe.core.services import audit_record
from grappe.engine import invoicing
from grappe.members.models import Organisation

# Reminder stages: (stage, days after the due date).
REMINDER_STAGES = ((1, 1), (2, 15), (3, 30))


@dataclass
class IssueResult:
    year: int
    month: int
    collected: CollectResult = field(default_factory=CollectResult)
    invoices: list[Invoice] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.invoices)

    @property
    def total_ttc(self) -> Decimal:
        return sum((i.total_ttc for i in self.invoices), Decimal("0.00"))

    @property
    def total_ht(self) -> Decimal:
        return sum((i.total_ht for i in self.invoices), Decimal("0.00"))


def _profile_required(cluster: Cluster) -> BillingProfile:
    profile = BillingProfile.objects.filter(cluster=cluster).first()
    if profile is None:
        raise ValidationError(
            _(
                "Complétez d'abord le profil de facturation de la grappe (raison sociale, "
                "SIRET, adresse) : une facture doit identifier le vendeur."
            )
        )
    return profile


def seller_snapshot(profile: BillingProfile) -> dict:
    return {
        "name": profile.legal_name,
        "siret": profile.siret,
        "siren": profile.siren,
        "address": profile.address,
        "postcode": profile.postcode,
        "city": profile.city,
        "vat_number": profile.vat_number,
        "payment_terms_days": profile.payment_terms_days,
        "late_penalty_rate": str(profile.late_penalty_rate),
        "iban": profile.iban,
        "bic": profile.bic,
        "footer": profile.invoice_footer,
    }


def buyer_snapshot(org: Organisation) -> dict:
    commune = org.commune.name if org.commune_id and org.commune else ""
    return {
        "name": org.name,
        "siret": org.siret,
        "siren": org.siren,
        "rna": org.rna,
        "address": org.address,
        "postcode": org.postcode,
        "city": commune,
    }


def _lock_sequence(cluster: Cluster) -> InvoiceSequence:
    InvoiceSequence.objects.get_or_create(cluster=cluster)
    return InvoiceSequence.objects.select_for_update().get(cluster=cluster)


def _check_issue_date(cluster: Cluster, issue_date: dt.date) -> None:
    if issue_date > timezone.localdate():
        raise ValidationError(_("La date d'émission ne peut pas être dans le futur."))
    last = Invoice.objects.filter(cluster=cluster).aggregate(last=Max("issue_date"))["last"]
    if last and issue_date < last:
        raise ValidationError(
            _(
                "Une facture a déjà été émise le %(date)s : les numéros suivent l'ordre des "
                "dates, la date d'émission ne peut pas être antérieure."
            )
            % {"date": last.strftime("%d/%m/%Y")}
        )


def _breakdown(totals: invoicing.Totals, sign: int = 1) -> list[dict]:
    return [
        {
            "rate": str(g.rate.quantize(Decimal("0.01"))),
            "base": str(g.base * sign),
            "vat": str(g.vat * sign),
        }
        for g in totals.groups
    ]


def _build_invoice(
    *,
    cluster: Cluster,
    organisation: Organisation,
    entries: list[LedgerEntry],
    sequence: int,
    issue_date: dt.date,
    period: tuple[dt.date, dt.date],
    profile: BillingProfile,
    seller: dict,
    by: Actor,
) -> Invoice:
    """One invoice of the run (not saved): totals by the engine, VAT set on its lines."""
    totals = invoicing.compute_totals(
        [invoicing.Line(amount=e.amount, vat_rate=e.vat_rate) for e in entries]
    )
    for entry, vat in zip(entries, totals.line_vat, strict=True):
        entry.vat_amount = vat
    return Invoice(
        cluster=cluster,
        organisation=organisation,
        kind=Invoice.Kind.INVOICE,
        sequence=sequence,
        number=invoicing.invoice_number(issue_date.year, sequence),
        issue_date=issue_date,
        due_date=issue_date + dt.timedelta(days=profile.payment_terms_days),
        period_start=period[0],
        period_end=period[1],
        seller=seller,
        buyer=buyer_snapshot(organisation),
        vat_subject=profile.vat_subject,
        vat_breakdown=_breakdown(totals),
        total_ht=totals.total_ht,
        total_vat=totals.total_vat,
        total_ttc=totals.total_ttc,
        status=Invoice.Status.OPEN if totals.total_ttc > 0 else Invoice.Status.PAID,
        created_by=by.user,
    )


def _link_entries(rows: list[tuple[int, int, Decimal]]) -> None:
    """Set the invoice and the VAT of many ledger lines in a few statements.

    ``bulk_update`` builds one CASE expression per field and row, which costs more than
    the rest of the run; an ``UPDATE … FROM (VALUES …)`` (SQLite 3.33+, PostgreSQL) does
    the same in a fraction of the time."""
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 300):  # 3 parameters a row, under SQLite's 999
            chunk = rows[start : start + 300]
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            sql = (
                f"WITH v(id, invoice_id, vat) AS (VALUES {values}) "  # noqa: S608 - table name and placeholders only
                f"UPDATE {table} SET invoice_id = v.invoice_id, vat_amount = v.vat "
                f"FROM v WHERE {table}.id = v.id"
            )
            cursor.execute(sql, [value for row in chunk for value in row])


def invoices_issue_month(
    *, by: Actor, year: int, month: int, issue_date: dt.date | None = None
) -> IssueResult:
    """Collect the month's charges and issue one invoice per member with uninvoiced lines.

    Idempotent: a second run for the same month finds no uninvoiced line and issues
    nothing. The whole run is one transaction (see the module docstring).
    """
    require_manager(by)
    cluster = by.cluster
    first_day, last_day = invoicing.month_bounds(year, month)
    today = timezone.localdate()
    issue_date = issue_date or today
    if first_day > today:
        raise ValidationError(
            _("Le mois %(month)s n'a pas commencé : rien à facturer.")
            % {"month": f"{month:02d}/{year}"}
        )
    if issue_date < first_day:
        raise ValidationError(_("La date d'émission précède le mois facturé."))
    profile = _profile_required(cluster)
    result = IssueResult(year=year, month=month)
    with transaction.atomic():
        counter = _lock_sequence(cluster)
        _check_issue_date(cluster, issue_date)
        result.collected = _collect(by, cluster, first_day, last_day)
        entries = list(
            LedgerEntry.objects.filter(
                cluster=cluster,
                kind=LedgerEntry.Kind.CHARGE,
                invoice__isnull=True,
                date__range=(first_day, last_day),
            ).order_by("organisation_id", "date", "id")
        )
        by_org: dict[int, list[LedgerEntry]] = defaultdict(list)
        for entry in entries:
            by_org[entry.organisation_id].append(entry)
        organisations = Organisation.objects.select_related("commune").in_bulk(list(by_org))
        order = sorted(by_org, key=lambda pk: (organisations[pk].name.lower(), pk))
        seller = seller_snapshot(profile)
        number = counter.last_number
        for org_id in order:
            number += 1
            result.invoices.append(
                _build_invoice(
                    cluster=cluster,
                    organisation=organisations[org_id],
                    entries=by_org[org_id],
                    sequence=number,
                    issue_date=issue_date,
                    period=(first_day, last_day),
                    profile=profile,
                    seller=seller,
                    by=by,
                )
            )
        if not result.invoices:
            return result
        Invoice.objects.bulk_create(result.invoices, batch_size=CHUNK)
        links = []
        for invoice in result.invoices:
            for entry in by_org[invoice.organisation_id]:
                entry.invoice = invoice
                links.append((entry.pk, invoice.pk, entry.vat_amount))
        _link_entries(links)
        counter.last_number = number
        counter.save(update_fields=["last_number"])
        payments_allocate(cluster=cluster, organisation_ids=list(by_org))
        audit_record(
            actor=by,
            action="billing.invoices.issue",
            changes={
                "month": f"{year:04d}-{month:02d}",
                "count": result.count,
                "numbers": [result.invoices[0].number, result.invoices[-1].number],
                "total_ttc": str(result.total_ttc),
            },
        )
    return result


def invoices_issue_month_later(*, by: Actor, year: int, month: int) -> None:
    """Queue the month's run as a job (large clusters), once the transaction commits."""
    from grappe.core.jobs import enqueue_on_commit

    require_manager(by)
    invoicing.month_bounds(year, month)  # a valid month, or a refusal now
    _profile_required(by.cluster)
    audit_record(
        actor=by,
        action="billing.invoices.queue",
        changes={"month": f"{year:04d}-{month:02d}"},
    )
    enqueue_on_commit("grappe.billing.tasks.issue_month_job", by.cluster.pk, year, month)


@transaction.atomic
def credit_note_issue(
    *, by: Actor, invoice: Invoice, reason: str, issue_date: dt.date | None = None
) -> Invoice:
    """Cancel an issued invoice with a credit note (avoir) numbered in the same sequence.

    The credit note mirrors every line of the invoice with the opposite sign; payments
    allocated to the invoice are released and settle the member's other open invoices.
    """
    require_manager(by)
    cluster = by.cluster
    if invoice.cluster_id != cluster.pk:
        raise ValidationError(_("Cette facture n'appartient pas à la grappe."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif de l'avoir.")})
    counter = _lock_sequence(cluster)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.kind != Invoice.Kind.INVOICE:
        raise ValidationError(_("Un avoir ne s'annule pas par un autre avoir."))
    if Invoice.objects.filter(credited_invoice=invoice).exists():
        raise ValidationError(
            _("La facture %(number)s est déjà annulée par un avoir.") % {"number": invoice.number}
        )
    issue_date = issue_date or timezone.localdate()
    _check_issue_date(cluster, issue_date)
    if issue_date < invoice.issue_date:
        raise ValidationError(_("Un avoir ne peut pas précéder la facture qu'il annule."))
    number = counter.last_number + 1
    entries = list(invoice.entries.order_by("date", "id"))
    credit = Invoice.objects.create(
        cluster=cluster,
        organisation_id=invoice.organisation_id,
        kind=Invoice.Kind.CREDIT_NOTE,
        sequence=number,
        number=invoicing.invoice_number(issue_date.year, number),
        issue_date=issue_date,
        due_date=issue_date,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        credited_invoice=invoice,
        reason=reason[:300],
        seller=invoice.seller,
        buyer=invoice.buyer,
        vat_subject=invoice.vat_subject,
        vat_breakdown=[
            {"rate": g["rate"], "base": str(-Decimal(g["base"])), "vat": str(-Decimal(g["vat"]))}
            for g in invoice.vat_breakdown
        ],
        total_ht=-invoice.total_ht,
        total_vat=-invoice.total_vat,
        total_ttc=-invoice.total_ttc,
        status=Invoice.Status.SETTLED,
        created_by=by.user,
    )
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                cluster=cluster,
                organisation_id=e.organisation_id,
                date=e.date,  # the service it cancels (savings by month net out)
                kind=LedgerEntry.Kind.CREDIT,
                category=e.category,
                label=_("Avoir sur %(number)s : %(label)s")
                % {"number": invoice.number, "label": e.label},
                quantity=-e.quantity,
                unit=e.unit,
                unit_price=e.unit_price,
                amount=-e.amount,
                vat_rate=e.vat_rate,
                vat_amount=-e.vat_amount,
                alone_amount=None if e.alone_amount is None else -e.alone_amount,
                source=e.source,
                invoice=credit,
                created_by=by.user,
            )
            for e in entries
        ]
    )
    counter.last_number = number
    counter.save(update_fields=["last_number"])
    released = PaymentAllocation.objects.filter(invoice=invoice).delete()[0]
    invoice.status = Invoice.Status.CREDITED
    invoice.paid_amount = Decimal("0.00")
    invoice.save(update_fields=["status", "paid_amount", "updated_at"])
    payments_allocate(cluster=cluster, organisation_ids=[invoice.organisation_id])
    audit_record(
        actor=by,
        action="billing.credit_note.issue",
        target=credit,
        changes={"invoice": invoice.number, "reason": reason, "released": released},
    )
    return credit


def _recipients(organisation: Organisation) -> list[str]:
    emails = {p.email for p in organisation.people.all() if p.is_active and p.email}
    if not emails and organisation.email:
        emails = {organisation.email}
    return sorted(emails)


def invoice_send_reminders(*, by: Actor, today: dt.date | None = None) -> int:
    """E-mail the members of each overdue invoice, once per invoice and stage
    (the day after the due date, then 15 and 30 days after). Returns the invoices reminded."""
    require_manager(by)
    cluster = by.cluster
    today = today or timezone.localdate()
    reminded = []
    with transaction.atomic():
        overdue = (
            Invoice.objects.select_for_update(of=("self",))
            .filter(
                cluster=cluster,
                kind=Invoice.Kind.INVOICE,
                status=Invoice.Status.OPEN,
                due_date__lt=today,
                reminder_stage__lt=REMINDER_STAGES[-1][0],
            )
            .select_related("organisation")
            .prefetch_related("organisation__people")
            .order_by("due_date", "sequence")
        )
        for invoice in overdue:
            late = (today - invoice.due_date).days
            stage = max((s for s, days in REMINDER_STAGES if late >= days), default=0)
            if stage <= invoice.reminder_stage or invoice.amount_due <= 0:
                continue
            url = absolute_url(
                reverse(
                    "billing:invoice-detail",
                    kwargs={"cluster_slug": cluster.slug, "pk": invoice.pk},
                )
            )
            for email in _recipients(invoice.organisation):
                send_email_on_commit(
                    to=email,
                    subject=_("Relance : facture %(number)s de %(cluster)s")
                    % {"number": invoice.number, "cluster": cluster.name},
                    template="billing/email/invoice_reminder",
                    context={
                        "invoice": invoice,
                        "cluster": cluster,
                        "stage": stage,
                        "late_days": late,
                        "url": url,
                    },
                    essential=True,
                )
            invoice.reminder_stage = stage
            invoice.reminded_on = today
            reminded.append(invoice)
        Invoice.objects.bulk_update(reminded, ["reminder_stage", "reminded_on"], batch_size=CHUNK)
        if reminded:
            audit_record(
                actor=by,
                action="billing.invoices.remind",
                changes={"invoices": [i.number for i in reminded]},
            )
    return len(reminded)
