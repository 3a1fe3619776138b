"""The monthly invoice run for N member firms, against the same work in plain ORM loops.

    python bench/bench_invoices.py [--members 5000] [--lines 3] [--database-url URL]

A fresh database (a temporary SQLite file by default, or the PostgreSQL database given,
which the script creates if missing and empties of its bench rows at the end) gets N
generated member firms, each a member of two identical clusters, "bulk" and "loop", with
a billing profile. A charge source (registered like the pooling app's) yields ``--lines``
lines per firm and month (a room booking, a cost-pool share with its alone cost, shared
hours), and the members app's membership fees add the firms whose year starts that month.

For each of two months, in alternating order so that neither side always runs on a warm
cache, it times:

- **service**: ``invoices_issue_month`` on the "bulk" cluster: collect (upsert by source
  key, in bulk), number, total and link, in one transaction;
- **ORM loops**: the same work on the "loop" cluster the way one would write it first:
  ``update_or_create`` per line, one ``save()`` per invoice and per line, the counter
  locked with ``select_for_update``, in one transaction;

then a second run of each for the same month (nothing new to issue) — and checks that both
sides issued the same number of invoices with the same totals. Prints seconds and the
ratio loops / service. Never run as a test; nothing asserts a timing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    if database_url.startswith("postgres"):
        import psycopg

        base, _slash, name = database_url.rpartition("/")
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def populate(members: int):
    from django.db import transaction

    from grappe.billing.models import BillingProfile
    from grappe.core.models import Cluster
    from grappe.engine.identifiers import luhn_complete
    from grappe.members.models import Membership, Organisation

    today = dt.date.today()  # noqa: DTZ011 - generated data
    with transaction.atomic():
        clusters = [
            Cluster.objects.create(name=f"Bench {kind}", slug=f"bench-{kind}-{time.time_ns()}")
            for kind in ("bulk", "loop")
        ]
        start = 20_000_000 + (time.time_ns() // 1000) % 50_000_000
        orgs = [
            Organisation(
                name=f"Structure {i:05d}",
                slug=f"bench-{start + i}",
                siret=luhn_complete(luhn_complete(f"{start + i:08d}") + "0001"),
                siren=luhn_complete(f"{start + i:08d}"),
                address=f"{i % 90 + 1} rue des Poissonniers",
                postcode="75018",
            )
            for i in range(members)
        ]
        Organisation.objects.bulk_create(orgs, batch_size=1000)
        orgs = list(Organisation.objects.filter(slug__startswith="bench-").order_by("id"))[
            -members:
        ]
        for cluster in clusters:
            Membership.objects.bulk_create(
                [
                    Membership(
                        cluster=cluster,
                        organisation=org,
                        status=Membership.Status.ACTIVE,
                        joined_on=today - dt.timedelta(days=400 + i % 365),
                        renewal_on=today - dt.timedelta(days=35 + i % 365) + dt.timedelta(days=365),
                        fee_amount=Decimal("120.00"),
                    )
                    for i, org in enumerate(orgs)
                ],
                batch_size=1000,
            )
            BillingProfile.objects.create(
                cluster=cluster,
                legal_name=cluster.name,
                siret="73282932000074",
                address="14 rue Myrha",
                postcode="75018",
                city="Paris",
                vat_subject=True,
            )
    return clusters, [o.pk for o in orgs]


def register_source(org_ids: list[int], lines_per_member: int) -> None:
    from grappe.core.charges import ChargeLine, register_charge_source

    kinds = [
        ("booking", "Salle de répétition (3 h)", Decimal("3"), "h", Decimal("12.50"), None),
        ("cost_pool", "Loyer du local partagé", Decimal("1"), "mois", Decimal("85.40"), "240.00"),
        ("shared_employee", "Webmestre partagé", Decimal("7"), "h", Decimal("31.25"), "45.00"),
    ]

    def source(cluster, first_day, last_day):
        for org_id in org_ids:
            for n in range(lines_per_member):
                category, label, qty, unit, price, alone = kinds[n % len(kinds)]
                amount = (qty * price).quantize(Decimal("0.01"))
                yield ChargeLine(
                    source_key=f"bench:{first_day:%Y-%m}:{org_id}:{n}",
                    organisation_id=org_id,
                    date=first_day + dt.timedelta(days=n % 27),
                    category=category,
                    label=label,
                    quantity=qty,
                    unit=unit,
                    unit_price=price,
                    amount=amount,
                    vat_rate=Decimal("20") if n % 2 == 0 else Decimal("5.5"),
                    alone_amount=None if alone is None else Decimal(alone) * qty,
                )

    register_charge_source("bench", source)


def loops_run(cluster, year: int, month: int, issue_date: dt.date) -> tuple[int, Decimal]:
    """The same work, written with one query or save per row."""
    from django.db import transaction

    from grappe.billing.models import BillingProfile, Invoice, InvoiceSequence, LedgerEntry
    from grappe.billing.services.invoicing import buyer_snapshot, seller_snapshot
    from grappe.billing.services.ledger import effective_vat_rate
    from grappe.core.charges import charge_sources
    from grappe.engine import invoicing
    from grappe.members.models import Organisation

    first, last = invoicing.month_bounds(year, month)
    count, total = 0, Decimal("0.00")
    with transaction.atomic():
        profile = BillingProfile.objects.get(cluster=cluster)
        counter, _created = InvoiceSequence.objects.get_or_create(cluster=cluster)
        counter = InvoiceSequence.objects.select_for_update().get(pk=counter.pk)
        for name, source in charge_sources().items():
            for line in source(cluster, first, last):
                entry = LedgerEntry.objects.filter(
                    cluster=cluster, source_key=line.source_key
                ).first()
                values = {
                    "organisation_id": line.organisation_id,
                    "date": line.date,
                    "category": line.category,
                    "label": line.label,
                    "quantity": line.quantity,
                    "unit": line.unit,
                    "unit_price": line.unit_price,
                    "amount": line.amount,
                    "vat_rate": effective_vat_rate(profile, line.vat_rate),
                    "alone_amount": line.alone_amount,
                    "source": name,
                }
                if entry is None:
                    LedgerEntry(
                        cluster=cluster, kind="charge", source_key=line.source_key, **values
                    ).save()
                elif entry.invoice_id is None:
                    for field, value in values.items():
                        setattr(entry, field, value)
                    entry.save()
        seller = seller_snapshot(profile)
        org_ids = (
            LedgerEntry.objects.filter(
                cluster=cluster, kind="charge", invoice__isnull=True, date__range=(first, last)
            )
            .values_list("organisation_id", flat=True)
            .distinct()
        )
        for org in Organisation.objects.filter(pk__in=list(org_ids)).order_by("name", "pk"):
            entries = list(
                LedgerEntry.objects.filter(
                    cluster=cluster,
                    organisation=org,
                    kind="charge",
                    invoice__isnull=True,
                    date__range=(first, last),
                ).order_by("date", "id")
            )
            totals = invoicing.compute_totals(
                [invoicing.Line(e.amount, e.vat_rate) for e in entries]
            )
            counter.last_number += 1
            invoice = Invoice(
                cluster=cluster,
                organisation=org,
                sequence=counter.last_number,
                number=invoicing.invoice_number(issue_date.year, counter.last_number),
                issue_date=issue_date,
                due_date=issue_date + dt.timedelta(days=profile.payment_terms_days),
                period_start=first,
                period_end=last,
                seller=seller,
                buyer=buyer_snapshot(org),
                vat_subject=profile.vat_subject,
                vat_breakdown=[
                    {"rate": str(g.rate), "base": str(g.base), "vat": str(g.vat)}
                    for g in totals.groups
                ],
                total_ht=totals.total_ht,
                total_vat=totals.total_vat,
                total_ttc=totals.total_ttc,
            )
            invoice.save()
            for entry, vat in zip(entries, totals.line_vat, strict=True):
                entry.invoice = invoice
                entry.vat_amount = vat
                entry.save()
            count += 1
            total += invoice.total_ttc
        counter.save()
    return count, total


def service_run(cluster, year: int, month: int, issue_date: dt.date) -> tuple[int, Decimal]:
    from grappe.billing.services import invoices_issue_month
    from grappe.core.access import Actor

    result = invoices_issue_month(
        by=Actor.system(cluster), year=year, month=month, issue_date=issue_date
    )
    return result.count, result.total_ttc


def timed(func, *args):
    started = time.perf_counter()
    result = func(*args)
    return time.perf_counter() - started, result


def cleanup(clusters) -> None:
    """Remove the bench's rows (a PostgreSQL database is kept; triggers forbid updates only)."""
    from grappe.billing.models import Invoice, LedgerEntry
    from grappe.members.models import Organisation

    org_ids = list(
        Organisation.objects.filter(memberships__cluster__in=clusters).values_list("pk", flat=True)
    )
    LedgerEntry.objects.filter(cluster__in=clusters).delete()
    Invoice.objects.filter(cluster__in=clusters).delete()
    for cluster in clusters:
        cluster.delete()
    Organisation.objects.filter(pk__in=org_ids).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--lines", type=int, default=3, help="charge lines per member and month")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    tmp = None
    url = args.database_url
    if not url:
        tmp = tempfile.TemporaryDirectory(prefix="grappe-bench-invoices-")
        url = f"sqlite:///{tmp.name}/bench.sqlite3"
    setup_django(url)
    from django.db import connection

    started = time.perf_counter()
    clusters, org_ids = populate(args.members)
    register_source(org_ids, args.lines)
    bulk, loop = clusters
    print(
        f"database: {connection.vendor}; {args.members} members × {args.lines} lines a month "
        f"(+ membership fees); setup {time.perf_counter() - started:.1f} s"
    )
    today = dt.date.today()  # noqa: DTZ011
    from grappe.engine.invoicing import previous_month

    months = [previous_month(*previous_month(today.year, today.month))]
    months.append(previous_month(today.year, today.month))
    header = (
        f"{'month':8} {'invoices':>8} {'total TTC':>14} {'service':>9} {'loops':>9} {'ratio':>6}"
        f"   second run: {'service':>8} {'loops':>8} {'ratio':>6}"
    )
    print("\n" + header, flush=True)
    try:
        for index, (year, month) in enumerate(months):
            following = months[index + 1] if index + 1 < len(months) else (today.year, today.month)
            issue_date = dt.date(*following, 1)
            order = [("service", service_run, bulk), ("ORM loops", loops_run, loop)]
            if index % 2:
                order.reverse()
            seconds, results, again = {}, {}, {}
            for label, func, cluster in order:
                seconds[label], results[label] = timed(func, cluster, year, month, issue_date)
            for label, func, cluster in order:
                again[label], result = timed(func, cluster, year, month, issue_date)
                assert result[0] == 0, f"{label} issued again: {result}"
            assert results["service"] == results["ORM loops"], results
            count, total = results["service"]
            print(
                f"{year}-{month:02d}  {count:8d} {total:14.2f} {seconds['service']:8.2f}s "
                f"{seconds['ORM loops']:8.2f}s {seconds['ORM loops'] / seconds['service']:5.1f}×"
                f"               {again['service']:7.2f}s {again['ORM loops']:7.2f}s "
                f"{again['ORM loops'] / again['service']:5.1f}×",
                flush=True,
            )
    finally:
        cleanup(clusters)
        if tmp:
            tmp.cleanup()
    print("\nratio = ORM loops / service (same invoices, same totals, checked).")


if __name__ == "__main__":
    main()
