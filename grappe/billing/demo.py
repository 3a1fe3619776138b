"""Demo billing: the Paris music cluster's invoices for the previous two months, with the
charges that exist then (membership fees, the pooling app's charges when it is there,
and a group purchase the managers entered by hand), and a few payments."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from grappe.billing import services
from grappe.billing.models import BillingProfile, Invoice, LedgerEntry
from grappe.core.access import Actor
from grappe.core.models import Cluster
from grappe.engine.identifiers import luhn_complete
from grappe.engine.invoicing import previous_month
from grappe.members.models import Membership

PARIS_SLUG = "musique-paris-18"
# label, unit price before tax, what a firm would pay alone
GROUP_PURCHASES = [
    ("Licence partagée du logiciel de billetterie (mois)", Decimal("18.00"), Decimal("49.00")),
    ("Assurance multirisque du matériel mutualisé (mois)", Decimal("22.50"), Decimal("41.00")),
    ("Abonnement groupé à la base de données des salles (mois)", Decimal("9.90"), Decimal("25.00")),
]


@transaction.atomic
def seed() -> list[str]:
    cluster = Cluster.objects.filter(slug=PARIS_SLUG).first()
    if cluster is None or Invoice.objects.filter(cluster=cluster).exists():
        return []
    actor = Actor.system(cluster)
    if not BillingProfile.objects.filter(cluster=cluster).exists():
        services.billing_profile_update(
            by=actor,
            legal_name=cluster.legal_name or cluster.name,
            siret=luhn_complete(luhn_complete("81234567") + "0001"),
            address="14 rue Myrha",
            postcode="75018",
            city="Paris",
            vat_subject=False,
            payment_terms_days=30,
            late_penalty_rate=Decimal("12.00"),
            iban="FR7630004000031234567890143",
            bic="BNPAFRPP",
            invoice_footer=(
                "Association loi 1901 — Grappe Musique Paris 18e. "
                "Merci d'indiquer le numéro de facture en référence de votre virement."
            ),
        )
    rng = random.Random(40)  # noqa: S311 - demo data
    today = timezone.localdate()
    this_month = (today.year, today.month)
    first = previous_month(*previous_month(*this_month))
    second = previous_month(*this_month)
    memberships = list(
        Membership.objects.filter(cluster=cluster, status=Membership.Status.ACTIVE)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    buyers = [m.organisation for m in memberships if m.organisation.slug == "studio-goutte-dor"]
    buyers += rng.sample([m.organisation for m in memberships], k=min(14, len(memberships)))
    lines = []
    for year, month in (first, second):
        day = dt.date(year, month, 5)
        for org in dict.fromkeys(buyers):
            label, price, alone = GROUP_PURCHASES[org.pk % len(GROUP_PURCHASES)]
            services.charge_create(
                by=actor,
                organisation=org,
                date=day,
                label=label,
                quantity=Decimal("1"),
                unit="mois",
                unit_price=price,
                alone_amount=alone,
                category="group_purchase",
            )
        issue_on = dt.date(*(second if (year, month) == first else this_month), 1)
        result = services.invoices_issue_month(
            by=actor, year=year, month=month, issue_date=min(issue_on, today)
        )
        lines.append(
            f"Facturation {month:02d}/{year} : {result.count} factures, {result.total_ttc} € TTC."
        )
    # Most members of the older month paid, one in part; the recent month is still due.
    older = list(
        Invoice.objects.filter(
            cluster=cluster, kind=Invoice.Kind.INVOICE, period_start=dt.date(*first, 1)
        ).select_related("organisation")
    )
    for index, invoice in enumerate(older):
        if index % 4 == 3:
            continue  # unpaid: overdue, reminded by the daily job
        amount = (
            invoice.total_ttc if index % 7 else (invoice.total_ttc / 2).quantize(Decimal("0.01"))
        )
        method = rng.choice([LedgerEntry.Method.TRANSFER] * 3 + [LedgerEntry.Method.CHEQUE])
        services.payment_record(
            by=actor,
            organisation=invoice.organisation,
            amount=amount,
            date=min(invoice.issue_date + dt.timedelta(days=rng.randrange(5, 25)), today),
            method=method,
            reference=(
                f"VIR {invoice.number}"
                if method == LedgerEntry.Method.TRANSFER
                else f"CHQ n° {rng.randrange(1000000, 9999999)}"
            ),
        )
    lines.append(
        f"Paiements : {LedgerEntry.objects.filter(cluster=cluster, kind='payment').count()}."
    )
    return lines
