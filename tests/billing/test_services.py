"""Billing services: collection, invoice run, numbering, credit notes, payments, reminders."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction

from grappe.billing import selectors, services
from grappe.billing.models import Invoice, InvoiceSequence, LedgerEntry, PaymentAllocation
from grappe.billing.services import invoicing as invoicing_service
from grappe.core.access import Actor
from grappe.core.models import AuditEntry
from tests.billing.conftest import line

pytestmark = pytest.mark.django_db

MARCH = dt.date(2026, 3, 10)
ISSUE = dt.date(2026, 4, 1)


@pytest.fixture
def manager(world):
    return world.actor(world.manager)


def issue(manager, year=2026, month=3, issue_date=ISSUE):
    return services.invoices_issue_month(by=manager, year=year, month=month, issue_date=issue_date)


# --- Collection --------------------------------------------------------------------------


def test_collection_is_idempotent_and_updates_only_uninvoiced_lines(
    world, profile, source, manager
):
    source.lines["paris"] = [
        line(world.org_a, "b:1", "46.50", alone="80.00"),
        line(world.org_b, "b:2", "10.00"),
    ]
    first = services.charges_collect(
        by=manager, first_day=dt.date(2026, 3, 1), last_day=dt.date(2026, 3, 31)
    )
    again = services.charges_collect(
        by=manager, first_day=dt.date(2026, 3, 1), last_day=dt.date(2026, 3, 31)
    )
    assert (first.created, again.created, again.unchanged) == (2, 0, 2)
    assert LedgerEntry.objects.filter(cluster=world.paris, kind="charge").count() == 2

    # The source changes an amount: the uninvoiced line follows.
    source.lines["paris"][0] = line(world.org_a, "b:1", "50.00", alone="80.00")
    changed = services.charges_collect(
        by=manager, first_day=dt.date(2026, 3, 1), last_day=dt.date(2026, 3, 31)
    )
    assert changed.updated == 1
    assert LedgerEntry.objects.get(source_key="b:1").amount == Decimal("50.00")

    # Once invoiced, a line is never changed again.
    issue(manager)
    source.lines["paris"][0] = line(world.org_a, "b:1", "99.00")
    locked = services.charges_collect(
        by=manager, first_day=dt.date(2026, 3, 1), last_day=dt.date(2026, 3, 31)
    )
    assert (locked.updated, locked.locked) == (0, 1)
    assert LedgerEntry.objects.get(source_key="b:1").amount == Decimal("50.00")


def test_a_line_its_source_no_longer_returns_is_removed_unless_invoiced(
    world, profile, source, manager
):
    source.lines["paris"] = [line(world.org_a, "b:1", "10.00"), line(world.org_a, "b:2", "20.00")]
    period = {"first_day": dt.date(2026, 3, 1), "last_day": dt.date(2026, 3, 31)}
    services.charges_collect(by=manager, **period)
    source.lines["paris"] = [line(world.org_a, "b:1", "10.00")]  # booking b:2 cancelled
    result = services.charges_collect(by=manager, **period)
    assert result.removed == 1
    assert list(LedgerEntry.objects.values_list("source_key", flat=True)) == ["b:1"]


def test_vat_rate_follows_the_profile(world, profile, source, manager):
    source.lines["paris"] = [
        line(world.org_a, "b:1", "10.00", rate="0"),
        line(world.org_a, "b:2", "10.00", rate="5.5"),
    ]
    services.charges_collect(
        by=manager, first_day=dt.date(2026, 3, 1), last_day=dt.date(2026, 3, 31)
    )
    rates = dict(LedgerEntry.objects.values_list("source_key", "vat_rate"))
    assert rates == {"b:1": Decimal("20.00"), "b:2": Decimal("5.50")}  # unstated → default
    services.billing_profile_update(by=manager, vat_subject=False)
    services.charges_collect(
        by=manager, first_day=dt.date(2026, 3, 1), last_day=dt.date(2026, 3, 31)
    )
    assert set(LedgerEntry.objects.values_list("vat_rate", flat=True)) == {Decimal("0.00")}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("other-month", "hors de la période"),
        ("duplicate", "deux fois"),
        ("stranger", "pas membres"),
        ("empty-label", "libellé vide"),
        ("float-alone", "coût seul"),
    ],
)
def test_a_bad_line_refuses_the_whole_collection(world, profile, source, manager, bad, message):
    good = line(world.org_a, "b:1", "10.00")
    lines = {
        "other-month": [good, line(world.org_a, "b:2", "5.00", day=dt.date(2026, 4, 2))],
        "duplicate": [good, line(world.org_b, "b:1", "5.00")],
        "stranger": [good, line(world.org_lyon, "b:2", "5.00")],
        "empty-label": [good, line(world.org_a, "b:2", "5.00", label="  ")],
        "float-alone": [good, line(world.org_a, "b:2", "5.00", alone="1.234")],
    }[bad]
    source.lines["paris"] = lines
    source.filter_dates = False
    with pytest.raises(ValidationError, match=message):
        services.charges_collect(
            by=manager, first_day=dt.date(2026, 3, 1), last_day=dt.date(2026, 3, 31)
        )
    assert LedgerEntry.objects.count() == 0


def test_only_managers_collect_issue_and_record(world, profile, source):
    for user in (world.member_a, world.observer):
        actor = world.actor(user)
        with pytest.raises(PermissionDenied):
            services.charges_collect(by=actor, first_day=MARCH, last_day=MARCH)
        with pytest.raises(PermissionDenied):
            issue(actor)
        with pytest.raises(PermissionDenied):
            services.payment_record(
                by=actor, organisation=world.org_a, amount="10", date=MARCH, method="transfer"
            )
    assert (Invoice.objects.count(), LedgerEntry.objects.count()) == (0, 0)


def test_membership_fees_are_collected(world, profile, manager):
    from grappe.members.models import Membership

    Membership.objects.filter(organisation=world.org_a).update(
        fee_amount=Decimal("240.00"), renewal_on=dt.date(2027, 3, 15)
    )
    result = issue(manager)
    assert result.count == 1
    entry = LedgerEntry.objects.get()
    assert (entry.category, entry.amount, entry.invoice) == (
        "membership_fee",
        Decimal("240.00"),
        result.invoices[0],
    )


# --- The invoice run ---------------------------------------------------------------------


def test_one_invoice_per_member_numbered_in_sequence_and_nothing_twice(
    world, profile, source, manager
):
    source.lines["paris"] = [
        line(world.org_a, "b:1", "46.50"),
        line(world.org_a, "b:2", "10.00", rate="5.5"),
        line(world.org_b, "b:3", "100.00"),
    ]
    result = issue(manager)
    assert [(i.number, i.organisation) for i in result.invoices] == [
        ("2026-000001", world.org_b),  # by name: Label Beta, then Studio Alpha
        ("2026-000002", world.org_a),
    ]
    alpha = Invoice.objects.get(organisation=world.org_a)
    assert (alpha.total_ht, alpha.total_vat, alpha.total_ttc) == (
        Decimal("56.50"),
        Decimal("9.85"),
        Decimal("66.35"),
    )
    assert alpha.vat_breakdown == [
        {"rate": "5.50", "base": "10.00", "vat": "0.55"},
        {"rate": "20.00", "base": "46.50", "vat": "9.30"},
    ]
    assert alpha.due_date == ISSUE + dt.timedelta(days=30)
    assert alpha.seller["siret"] == "73282932000074"
    assert alpha.buyer["siret"] == world.org_a.siret
    lines = list(alpha.entries.order_by("id"))
    assert sum(e.vat_amount for e in lines) == alpha.total_vat
    assert sum(e.amount + e.vat_amount for e in lines) == alpha.total_ttc
    assert InvoiceSequence.objects.get(cluster=world.paris).last_number == 2
    assert AuditEntry.objects.filter(action="billing.invoices.issue").count() == 1

    again = issue(manager)
    assert again.count == 0
    assert Invoice.objects.count() == 2

    # A late charge of March gets its own invoice, next number; Lyon has its own sequence.
    source.lines["paris"].append(line(world.org_a, "b:4", "5.00"))
    assert [i.number for i in issue(manager).invoices] == ["2026-000003"]
    source.lines["lyon"] = [line(world.org_lyon, "l:1", "7.00")]
    lyon_manager = world.actor(world.lyon_manager, world.lyon)
    from grappe.billing.services import billing_profile_update

    billing_profile_update(
        by=lyon_manager,
        legal_name="Images Lyon",
        siret="73282932000074",
        address="1 rue de la République",
        postcode="69001",
        city="Lyon",
    )
    lyon = services.invoices_issue_month(by=lyon_manager, year=2026, month=3, issue_date=ISSUE)
    assert [i.number for i in lyon.invoices] == ["2026-000001"]


def test_an_interrupted_run_leaves_no_invoice_and_no_gap(
    world, profile, source, manager, monkeypatch
):
    source.lines["paris"] = [line(world.org_a, "b:1", "10.00"), line(world.org_b, "b:2", "20.00")]
    real_build = invoicing_service._build_invoice
    calls = []

    def crash_on_second(**kwargs):
        calls.append(kwargs["sequence"])
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real_build(**kwargs)

    monkeypatch.setattr(invoicing_service, "_build_invoice", crash_on_second)
    with pytest.raises(RuntimeError):
        issue(manager)
    assert Invoice.objects.count() == 0
    assert LedgerEntry.objects.filter(invoice__isnull=False).count() == 0
    assert not InvoiceSequence.objects.filter(cluster=world.paris, last_number__gt=0).exists()

    monkeypatch.setattr(invoicing_service, "_build_invoice", real_build)
    result = issue(manager)
    assert [i.sequence for i in result.invoices] == [1, 2]


def test_a_crash_while_writing_rolls_back_the_counter_too(
    world, profile, source, manager, monkeypatch
):
    source.lines["paris"] = [line(world.org_a, "b:1", "10.00")]
    issue(manager)
    source.lines["paris"].append(line(world.org_b, "b:2", "20.00"))

    def fail(*args, **kwargs):
        raise DatabaseError("disk full")

    real_allocate = invoicing_service.payments_allocate
    monkeypatch.setattr(invoicing_service, "payments_allocate", fail)
    with pytest.raises(DatabaseError):
        issue(manager)
    assert InvoiceSequence.objects.get(cluster=world.paris).last_number == 1
    assert list(Invoice.objects.values_list("sequence", flat=True)) == [1]
    monkeypatch.setattr(invoicing_service, "payments_allocate", real_allocate)
    assert [i.number for i in issue(manager).invoices] == ["2026-000002"]


def test_run_refusals_write_nothing(world, source, manager):
    source.lines["paris"] = [line(world.org_a, "b:1", "10.00")]
    with pytest.raises(ValidationError, match="profil de facturation"):
        issue(manager)
    assert (Invoice.objects.count(), LedgerEntry.objects.count()) == (0, 0)


@pytest.mark.usefixtures("profile")
def test_run_refuses_future_months_and_backdated_issues(world, source, manager):
    with pytest.raises(ValidationError, match="n'a pas commencé"):
        issue(manager, year=2099, month=1, issue_date=None)
    with pytest.raises(ValidationError, match="précède"):
        issue(manager, issue_date=dt.date(2026, 2, 1))
    source.lines["paris"] = [line(world.org_a, "b:1", "10.00")]
    issue(manager)
    source.lines["paris"].append(line(world.org_b, "b:2", "10.00"))
    with pytest.raises(ValidationError, match="antérieure"):
        issue(manager, issue_date=dt.date(2026, 3, 31))
    assert Invoice.objects.count() == 1


def test_issued_invoices_and_their_lines_are_immutable_in_the_database(
    world, profile, source, manager
):
    source.lines["paris"] = [line(world.org_a, "b:1", "10.00")]
    invoice = issue(manager).invoices[0]
    for update in (
        lambda: Invoice.objects.filter(pk=invoice.pk).update(total_ht=Decimal("1.00")),
        lambda: Invoice.objects.filter(pk=invoice.pk).update(number="2026-999999"),
        lambda: LedgerEntry.objects.filter(invoice=invoice).update(amount=Decimal("1.00")),
        lambda: LedgerEntry.objects.filter(invoice=invoice).update(invoice=None),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            update()
    invoice.refresh_from_db()
    assert (invoice.number, invoice.total_ht) == ("2026-000001", Decimal("10.00"))
    # What may change: payment status, reminders.
    Invoice.objects.filter(pk=invoice.pk).update(reminder_stage=1)
    assert Invoice.objects.get(pk=invoice.pk).reminder_stage == 1


# --- Credit notes ------------------------------------------------------------------------


def test_a_credit_note_cancels_an_invoice_in_the_same_sequence(world, profile, source, manager):
    source.lines["paris"] = [
        line(world.org_a, "b:1", "46.50", alone="80.00"),
        line(world.org_b, "b:2", "10.00"),
    ]
    result = issue(manager)
    alpha = Invoice.objects.get(organisation=world.org_a)
    credit = services.credit_note_issue(
        by=manager, invoice=alpha, reason="Tarif erroné", issue_date=ISSUE
    )
    assert credit.number == "2026-000003"
    assert (credit.kind, credit.credited_invoice, credit.total_ttc) == (
        "credit_note",
        alpha,
        -alpha.total_ttc,
    )
    alpha.refresh_from_db()
    assert alpha.status == Invoice.Status.CREDITED
    credit_lines = list(credit.entries.all())
    assert [(e.kind, e.amount, e.vat_amount) for e in credit_lines] == [
        ("credit", Decimal("-46.50"), Decimal("-9.30"))
    ]
    assert selectors.balance_for(actor=manager, organisation=world.org_a).balance == 0
    assert selectors.savings_by_month(cluster=world.paris)[0].saving == 0
    with pytest.raises(ValidationError, match="déjà annulée"):
        services.credit_note_issue(by=manager, invoice=alpha, reason="encore", issue_date=ISSUE)
    with pytest.raises(ValidationError, match="autre avoir"):
        services.credit_note_issue(by=manager, invoice=credit, reason="x", issue_date=ISSUE)
    with pytest.raises(ValidationError):
        services.credit_note_issue(
            by=manager, invoice=result.invoices[0], reason=" ", issue_date=ISSUE
        )
    assert Invoice.objects.count() == 3
    assert InvoiceSequence.objects.get(cluster=world.paris).last_number == 3


def test_a_credit_note_releases_payments_to_other_invoices(world, profile, source, manager):
    source.lines["paris"] = [line(world.org_a, "b:1", "10.00")]
    first = issue(manager).invoices[0]
    source.lines["paris"].append(line(world.org_a, "b:2", "30.00", day=dt.date(2026, 4, 3)))
    second = issue(manager, month=4, issue_date=dt.date(2026, 5, 1)).invoices[0]
    services.payment_record(
        by=manager,
        organisation=world.org_a,
        amount="12.00",
        date=dt.date(2026, 4, 10),
        method="cheque",
    )
    first.refresh_from_db()
    assert (first.status, first.paid_amount) == ("paid", Decimal("12.00"))
    services.credit_note_issue(
        by=manager, invoice=first, reason="Doublon", issue_date=dt.date(2026, 5, 2)
    )
    second.refresh_from_db()
    assert (second.paid_amount, second.status) == (Decimal("12.00"), "open")
    assert PaymentAllocation.objects.get().invoice == second


# --- Payments ----------------------------------------------------------------------------


def test_payments_settle_the_oldest_invoices_first(world, profile, source, manager):
    source.lines["paris"] = [
        line(world.org_a, "b:1", "10.00"),
        line(world.org_a, "b:2", "20.00", day=dt.date(2026, 4, 3)),
    ]
    march = issue(manager).invoices[0]  # 12.00 TTC
    april = issue(manager, month=4, issue_date=dt.date(2026, 5, 1)).invoices[0]  # 24.00 TTC
    services.payment_record(
        by=manager,
        organisation=world.org_a,
        amount="20",
        date=dt.date(2026, 5, 2),
        method="transfer",
    )
    march.refresh_from_db()
    april.refresh_from_db()
    assert (march.status, march.paid_amount) == ("paid", Decimal("12.00"))
    assert (april.status, april.paid_amount) == ("open", Decimal("8.00"))
    services.payment_record(
        by=manager, organisation=world.org_a, amount="20", date=dt.date(2026, 5, 3), method="card"
    )
    april.refresh_from_db()
    assert (april.status, april.paid_amount) == ("paid", Decimal("24.00"))
    balance = selectors.balance_for(actor=manager, organisation=world.org_a)
    assert (balance.invoiced, balance.paid, balance.balance) == (
        Decimal("36.00"),
        Decimal("40.00"),
        Decimal("-4.00"),
    )
    # The 4.00 € advance settles the next invoice when it is issued.
    source.lines["paris"].append(line(world.org_a, "b:3", "5.00", day=dt.date(2026, 5, 4)))
    may = issue(manager, month=5, issue_date=dt.date(2026, 6, 1)).invoices[0]
    may.refresh_from_db()
    assert may.paid_amount == Decimal("4.00")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "0"}, "positif"),
        ({"amount": "-5"}, "positif"),
        ({"amount": "1.234"}, "deux décimales"),
        ({"amount": "abc"}, "invalide"),
        ({"method": "bitcoin"}, "inconnu"),
        ({"date": dt.date(2099, 1, 1)}, "futur"),
        ({"organisation": "lyon"}, "pas membre"),
    ],
)
def test_bad_payments_are_refused_and_write_nothing(world, profile, manager, fields, message):
    data = {
        "organisation": world.org_a,
        "amount": "10.00",
        "date": dt.date(2026, 4, 1),
        "method": "transfer",
        **fields,
    }
    if data["organisation"] == "lyon":
        data["organisation"] = world.org_lyon
    with pytest.raises(ValidationError, match=message):
        services.payment_record(by=manager, **data)
    assert LedgerEntry.objects.count() == 0


def test_manual_charge_is_invoiced_with_its_month(world, profile, manager):
    entry = services.charge_create(
        by=manager,
        organisation=world.org_a,
        date=dt.date(2026, 3, 12),
        label="Achat groupé de cordes",
        quantity=Decimal("3"),
        unit="lot",
        unit_price=Decimal("12.3333"),
        alone_amount=Decimal("60.00"),
    )
    assert (entry.amount, entry.vat_rate) == (Decimal("37.00"), Decimal("20.00"))
    invoice = issue(manager).invoices[0]
    assert invoice.total_ttc == Decimal("44.40")
    with pytest.raises(ValidationError):
        services.charge_create(
            by=manager, organisation=world.org_a, date=MARCH, label="", unit_price=Decimal("1")
        )
    with pytest.raises(ValidationError):
        services.charge_create(
            by=manager, organisation=world.org_lyon, date=MARCH, label="x", unit_price=Decimal("1")
        )
    assert LedgerEntry.objects.count() == 1


def test_profile_validation(world, manager):
    with pytest.raises(ValidationError) as exc:
        services.billing_profile_update(
            by=manager,
            legal_name="Grappe",
            siret="12345678901234",
            address="1 rue",
            postcode="7501",
            city="Paris",
            iban="pas un iban",
        )
    assert {"siret", "postcode", "iban"} <= set(exc.value.message_dict)
    assert selectors.profile_for(world.paris) is None
    with pytest.raises(PermissionDenied):
        services.billing_profile_update(by=world.actor(world.member_a), legal_name="x")


# --- Reminders ---------------------------------------------------------------------------


def test_overdue_invoices_are_reminded_once_per_stage(
    world, profile, source, manager, django_capture_on_commit_callbacks
):
    source.lines["paris"] = [line(world.org_a, "b:1", "10.00"), line(world.org_b, "b:2", "10.00")]
    result = issue(manager)
    paid = next(i for i in result.invoices if i.organisation == world.org_b)
    services.payment_record(
        by=manager, organisation=world.org_b, amount=paid.total_ttc, date=ISSUE, method="transfer"
    )
    due = ISSUE + dt.timedelta(days=30)
    system = Actor.system(world.paris)
    assert services.invoice_send_reminders(by=system, today=due) == 0  # not late yet
    with django_capture_on_commit_callbacks(execute=True):
        assert services.invoice_send_reminders(by=system, today=due + dt.timedelta(days=1)) == 1
    assert [m.to for m in mail.outbox] == [[world.member_a.email]]
    assert "2026-000002" in mail.outbox[0].subject
    assert services.invoice_send_reminders(by=system, today=due + dt.timedelta(days=2)) == 0
    assert services.invoice_send_reminders(by=system, today=due + dt.timedelta(days=40)) == 1
    invoice = Invoice.objects.get(organisation=world.org_a)
    assert (invoice.reminder_stage, invoice.reminded_on) == (3, due + dt.timedelta(days=40))
    assert services.invoice_send_reminders(by=system, today=due + dt.timedelta(days=90)) == 0


def test_the_daily_job_reminds_every_cluster(world, profile, source):
    from grappe.billing import tasks

    source.lines["paris"] = [line(world.org_a, "b:1", "10.00")]
    issue(world.actor(world.manager), issue_date=dt.date(2026, 4, 1))
    assert tasks.send_invoice_reminders() == 1  # due on 1 May 2026, long past
    assert tasks.send_invoice_reminders() == 0
    assert Invoice.objects.get().reminder_stage == 3
