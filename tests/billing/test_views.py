"""Billing pages and API: the access matrix (role × page), and the managers' forms."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest

from grappe.billing import services
from grappe.billing.models import BillingProfile, Invoice, LedgerEntry
from grappe.core.services import api_token_create
from tests.billing.conftest import line
from tests.matrix import LOGIN, assert_api, assert_pages, expect

pytestmark = pytest.mark.django_db


MANAGERS_ONLY = expect(default=403, anonymous=LOGIN, outsider=404, lyon_manager=404, manager=200)
OWN_FIRM = expect(
    default=404, anonymous=LOGIN, member_a=200, manager=200, observer=403, member_b=404
)

PAGES = [
    ("manage", "/c/paris/manage/billing/", MANAGERS_ONLY),
    ("payments", "/c/paris/manage/billing/payments/", MANAGERS_ONLY),
    ("balances", "/c/paris/manage/billing/balances/", MANAGERS_ONLY),
    ("savings report", "/c/paris/manage/billing/savings/", MANAGERS_ONLY),
    ("profile", "/c/paris/manage/billing/settings/", MANAGERS_ONLY),
    (
        "export",
        "/c/paris/manage/billing/export.csv?start=2026-04-01&end=2026-04-30",
        MANAGERS_ONLY,
    ),
    ("own account", "/c/paris/billing/accounts/{org_a}/", OWN_FIRM),
    ("own invoice", "/c/paris/billing/invoices/{invoice_a}/", OWN_FIRM),
    ("own invoice pdf", "/c/paris/billing/invoices/{invoice_a}/pdf/", OWN_FIRM),
    ("own invoice xml", "/c/paris/billing/invoices/{invoice_a}/factur-x.xml", OWN_FIRM),
    (
        "lyon firm via paris",
        "/c/paris/billing/accounts/{org_lyon}/",
        expect(default=404, anonymous=LOGIN, observer=403),
    ),
    (
        "lyon invoice via paris",
        "/c/paris/billing/invoices/{invoice_lyon}/",
        expect(default=404, anonymous=LOGIN, observer=403),
    ),
    (
        "billing home",
        "/c/paris/billing/",
        expect(default=302, outsider=404, lyon_manager=404, observer=403),
    ),
]

API = [
    (
        "api own ledger",
        "/api/clusters/paris/billing/organisations/{org_a}/ledger",
        expect(default=404, member_a=200, manager=200, observer=403),
    ),
    (
        "api own balance",
        "/api/clusters/paris/billing/organisations/{org_a}/balance",
        expect(default=404, member_a=200, manager=200, observer=403),
    ),
    (
        "api own invoices",
        "/api/clusters/paris/billing/organisations/{org_a}/invoices",
        expect(default=404, member_a=200, manager=200, observer=403),
    ),
    (
        "api lyon firm via paris",
        "/api/clusters/paris/billing/organisations/{org_lyon}/invoices",
        expect(default=404, observer=403),
    ),
    (
        "api cluster invoices",
        "/api/clusters/paris/billing/invoices",
        expect(default=403, anonymous=404, outsider=404, lyon_manager=404, manager=200),
    ),
    (
        "api savings",
        "/api/clusters/paris/billing/savings",
        expect(
            default=403, anonymous=404, outsider=404, lyon_manager=404, manager=200, observer=200
        ),
    ),
]


@pytest.fixture
def invoices(world, profile, source):
    source.lines["paris"] = [
        line(world.org_a, "b:1", "46.50", alone="80.00"),
        line(world.org_b, "b:2", "10.00"),
    ]
    source.lines["lyon"] = [line(world.org_lyon, "l:1", "7.00")]
    issue = dt.date(2026, 4, 1)
    paris = services.invoices_issue_month(
        by=world.actor(world.manager), year=2026, month=3, issue_date=issue
    )
    lyon_manager = world.actor(world.lyon_manager, world.lyon)
    services.billing_profile_update(
        by=lyon_manager,
        legal_name="Images Lyon",
        siret="73282932000074",
        address="1 place Bellecour",
        postcode="69002",
        city="Lyon",
    )
    lyon = services.invoices_issue_month(by=lyon_manager, year=2026, month=3, issue_date=issue)
    return {
        "a": next(i for i in paris.invoices if i.organisation == world.org_a),
        "lyon": lyon.invoices[0],
    }


def fill(url, world, invoices):
    return url.format(
        org_a=world.org_a.slug,
        org_lyon=world.org_lyon.slug,
        invoice_a=invoices["a"].pk,
        invoice_lyon=invoices["lyon"].pk,
    )


@pytest.mark.parametrize(("label", "url", "codes"), PAGES, ids=[p[0] for p in PAGES])
def test_pages(client, world, invoices, label, url, codes):
    assert_pages(client, world, fill(url, world, invoices), codes, label=label)


@pytest.mark.parametrize(("label", "url", "codes"), API, ids=[a[0] for a in API])
def test_api(client, world, invoices, label, url, codes):
    assert_api(client, world, fill(url, world, invoices), codes, label=label)


def test_api_content_is_scoped(client, world, invoices):
    _t, key = api_token_create(user=world.manager, name="t")
    auth = {"Authorization": f"Bearer {key}"}
    body = client.get("/api/clusters/paris/billing/invoices?month=2026-03", headers=auth).json()
    assert {i["number"] for i in body["items"]} == {"2026-000001", "2026-000002"}
    assert (
        client.get("/api/clusters/paris/billing/invoices?month=2026-13", headers=auth).status_code
        == 400
    )
    _t, key = api_token_create(user=world.member_a, name="t")
    auth = {"Authorization": f"Bearer {key}"}
    ledger = client.get(
        f"/api/clusters/paris/billing/organisations/{world.org_a.slug}/ledger", headers=auth
    ).json()["items"]
    assert [(e["label"], e["amount"], e["invoice"]) for e in ledger] == [
        ("Réservation b:1", "46.50", invoices["a"].number)
    ]
    balance = client.get(
        f"/api/clusters/paris/billing/organisations/{world.org_a.slug}/balance", headers=auth
    ).json()
    assert balance["balance"] == "55.80"
    _t, key = api_token_create(user=world.observer, name="t")
    savings = client.get(
        "/api/clusters/paris/billing/savings", headers={"Authorization": f"Bearer {key}"}
    ).json()
    assert savings == [
        {"period": "2026-03", "alone": "80.00", "pooled": "46.50", "saving": "33.50", "members": 1}
    ]


def test_manager_runs_the_month_from_the_page(client, world, profile, source):
    source.lines["paris"] = [line(world.org_a, "b:1", "10.00"), line(world.org_b, "b:2", "20.00")]
    client.force_login(world.manager)
    page = client.get("/c/paris/manage/billing/?month=2026-03")
    assert "Émettre les factures de mars 2026" in page.content.decode()
    response = client.post("/c/paris/manage/billing/", {"month": "2026-03"}, follow=True)
    body = response.content.decode()
    assert "2 factures émises (2026-000001 à 2026-000002)" in body
    assert Invoice.objects.count() == 2
    again = client.post("/c/paris/manage/billing/", {"month": "2026-03"}, follow=True)
    assert "Aucune nouvelle facture" in again.content.decode()
    bad = client.post("/c/paris/manage/billing/", {"month": "mars"}, follow=True)
    assert "AAAA-MM" in bad.content.decode()
    assert Invoice.objects.count() == 2


def test_run_without_profile_says_what_to_do(client, world, source):
    source.lines["paris"] = [line(world.org_a, "b:1", "10.00")]
    client.force_login(world.manager)
    response = client.post("/c/paris/manage/billing/", {"month": "2026-03"}, follow=True)
    assert "profil de facturation" in response.content.decode()
    assert (Invoice.objects.count(), LedgerEntry.objects.count()) == (0, 0)


def test_payment_form(client, world, invoices):
    client.force_login(world.manager)
    data = {
        "organisation": world.org_a.pk,
        "amount": "55,80",
        "date": "2026-04-10",
        "method": "transfer",
        "reference": "VIR 123",
    }
    response = client.post("/c/paris/manage/billing/payments/", data, follow=True)
    assert "Paiement de 55,80" in response.content.decode()
    invoices["a"].refresh_from_db()
    assert invoices["a"].status == "paid"
    bad = client.post("/c/paris/manage/billing/payments/", {**data, "amount": "-3"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    lyon = client.post(
        "/c/paris/manage/billing/payments/", {**data, "organisation": world.org_lyon.pk}
    )
    assert lyon.status_code == 200 and "errorlist" in lyon.content.decode()
    assert LedgerEntry.objects.filter(kind="payment").count() == 1


def test_credit_note_form(client, world, invoices):
    client.force_login(world.manager)
    url = f"/c/paris/manage/billing/invoices/{invoices['a'].pk}/credit-note/"
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 200 and Invoice.objects.filter(kind="credit_note").count() == 0
    response = client.post(url, {"reason": "Salle indisponible"}, follow=True)
    assert "Avoir 2026-000003 émis" in response.content.decode()
    client.force_login(world.member_a)
    assert client.post(url, {"reason": "moi aussi"}).status_code == 403
    assert Invoice.objects.filter(kind="credit_note").count() == 1


def test_profile_form(client, world):
    client.force_login(world.manager)
    page = client.get("/c/paris/manage/billing/settings/")
    assert page.status_code == 200
    data = {
        "legal_name": "Association Grappe",
        "siret": "73282932000074",
        "address": "14 rue Myrha",
        "postcode": "75018",
        "city": "Paris",
        "vat_number": "",
        "default_vat_rate": "20",
        "payment_terms_days": "30",
        "late_penalty_rate": "12",
        "iban": "",
        "bic": "",
        "invoice_footer": "",
    }
    bad = client.post("/c/paris/manage/billing/settings/", {**data, "siret": "123"})
    assert bad.status_code == 200 and not BillingProfile.objects.exists()
    client.post("/c/paris/manage/billing/settings/", data)
    profile = BillingProfile.objects.get(cluster=world.paris)
    assert (profile.legal_name, profile.vat_subject) == ("Association Grappe", False)


def test_manager_adds_a_charge(client, world, profile):
    client.force_login(world.manager)
    url = f"/c/paris/manage/billing/accounts/{world.org_a.slug}/charges/"
    data = {
        "date": "2026-03-05",
        "label": "Achat groupé de micros",
        "quantity": "2",
        "unit": "pièce",
        "unit_price": "45",
        "vat_rate": "",
        "alone_amount": "130",
    }
    client.post(url, data)
    entry = LedgerEntry.objects.get()
    assert (entry.amount, entry.alone_amount, entry.vat_rate) == (
        Decimal("90.00"),
        Decimal("130.00"),
        Decimal("20.00"),
    )
    assert client.post(url, {**data, "label": ""}).status_code == 200
    client.force_login(world.member_a)
    assert client.post(url, data).status_code == 403
    assert LedgerEntry.objects.count() == 1


def test_export_csv_for_the_accountant(client, world, invoices):
    services.payment_record(
        by=world.actor(world.manager),
        organisation=world.org_a,
        amount="20.00",
        date=dt.date(2026, 4, 5),
        method="cheque",
        reference="CHQ 42",
    )
    client.force_login(world.manager)
    response = client.get("/c/paris/manage/billing/export.csv?start=2026-04-01&end=2026-04-30")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == [
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
    assert rows[1:] == [
        [
            "01/04/2026",
            "2026-000001",
            world.org_b.siret,
            "Label Beta",
            "Réservation b:2",
            "12,00",
            "",
            "2,00",
            "20,00",
        ],
        [
            "01/04/2026",
            "2026-000002",
            world.org_a.siret,
            "Studio Alpha",
            "Réservation b:1",
            "55,80",
            "",
            "9,30",
            "20,00",
        ],
        [
            "05/04/2026",
            "CHQ 42",
            world.org_a.siret,
            "Studio Alpha",
            "Paiement reçu (chèque)",
            "",
            "20,00",
            "",
            "",
        ],
    ]
    bad = client.get(
        "/c/paris/manage/billing/export.csv?start=2026-05-01&end=2026-04-01", follow=True
    )
    assert "précède" in bad.content.decode()


def test_member_sees_its_account_and_savings(client, world, invoices):
    client.force_login(world.member_a)
    response = client.get("/c/paris/billing/", follow=True)
    body = response.content.decode()
    assert "Compte de Studio Alpha" in body
    assert invoices["a"].number in body
    assert "33,50" in body  # saving: 80.00 alone − 46.50 pooled
    assert "Label Beta" not in body
    pdf = client.get(f"/c/paris/billing/invoices/{invoices['a'].pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert "private" in pdf["Cache-Control"]
    xml = client.get(f"/c/paris/billing/invoices/{invoices['a'].pk}/factur-x.xml")
    assert b"2026-000002" in xml.content
    json.dumps  # noqa: B018


def test_a_large_cluster_runs_the_month_as_a_job(
    client, world, profile, source, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.BILLING_INLINE_MAX_MEMBERS = 1
    monkeypatch.setattr("django_q.conf.Conf.SYNC", True)  # read once, at import
    source.lines["paris"] = [line(world.org_a, "b:1", "10.00"), line(world.org_b, "b:2", "20.00")]
    client.force_login(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/c/paris/manage/billing/", {"month": "2026-03"}, follow=True)
    assert "tâche de fond" in response.content.decode()
    assert Invoice.objects.count() == 2  # the job ran (synchronous queue in the tests)
    assert Invoice.objects.filter(created_by__isnull=True).count() == 2  # as the system
