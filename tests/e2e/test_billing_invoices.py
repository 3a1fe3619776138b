"""A cluster manager issues the month's invoices from the billing page and downloads a PDF;
the member firm then finds its invoice and its savings in its own account."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from grappe.billing import services
from grappe.billing.models import Invoice
from grappe.core import charges
from grappe.core.charges import ChargeLine
from grappe.engine.invoicing import month_bounds, previous_month

pytestmark = pytest.mark.e2e

MONTHS_FR = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


@pytest.fixture
def last_month(world, monkeypatch):
    """A billing profile, and a charge source with last month's room bookings."""
    today = timezone.localdate()
    year, month = previous_month(today.year, today.month)
    first, _last = month_bounds(year, month)
    services.billing_profile_update(
        by=world.actor(world.manager),
        legal_name="Association Musique Paris 18e",
        siret="73282932000074",
        address="14 rue Myrha",
        postcode="75018",
        city="Paris",
        vat_subject=True,
        iban="FR7630004000031234567890143",
        bic="BNPAFRPP",
    )

    def bookings(cluster, first_day, last_day):
        if cluster.slug != "paris" or not (first_day <= first <= last_day):
            return []
        return [
            ChargeLine(
                source_key=f"e2e-booking:{org.pk}",
                organisation_id=org.pk,
                date=first + dt.timedelta(days=9),
                category="booking",
                label="Salle de répétition partagée (4 h)",
                quantity=Decimal("4"),
                unit="h",
                unit_price=Decimal("12.50"),
                amount=Decimal("50.00"),
                vat_rate=Decimal("20"),
                alone_amount=Decimal("120.00"),
            )
            for org in (world.org_a, world.org_b)
        ]

    monkeypatch.setattr(charges, "_sources", {**charges._sources, "e2e": bookings})
    return year, month


def test_manager_issues_the_month_and_downloads_a_pdf(
    page, open_page, login, world, last_month, screenshot, tmp_path
):
    year, month = last_month
    label = f"{MONTHS_FR[month - 1]} {year}"
    login(world.manager, next_url="/c/paris/")
    page.get_by_text("Gestion", exact=True).click()
    page.locator("details.manage").get_by_role("link", name="Facturation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Facturation")
    expect(page.locator("#id_month")).to_have_value(f"{year:04d}-{month:02d}")
    expect(page.get_by_text("Aucune facture pour ce mois.")).to_be_visible()
    screenshot("billing-manage-before")

    page.get_by_role("button", name=f"Émettre les factures de {label}").click()
    expect(page.get_by_role("status")).to_contain_text(
        "2 factures émises (" + f"{timezone.localdate().year}-000001 à"
    )
    rows = page.locator("tbody tr[id^=invoice-]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Label Beta")
    expect(rows.first).to_contain_text("60,00")
    screenshot("billing-manage-issued")

    invoice = Invoice.objects.get(organisation=world.org_a)
    with page.expect_download() as download_info:
        page.get_by_label(f"Télécharger le PDF de {invoice.number}").click()
    download = download_info.value
    assert download.suggested_filename == f"facture-{invoice.number}.pdf"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())
    assert f"Facture n° {invoice.number}" in text
    assert "73282932000074" in text and world.org_a.siret in text
    assert "40 €" in text

    # Running it again issues nothing new.
    page.get_by_role("button", name=f"Émettre les factures de {label}").click()
    expect(page.get_by_role("status")).to_have_text(
        "Aucune nouvelle facture : tout est déjà facturé."
    )
    assert Invoice.objects.count() == 2

    # The member firm's person sees its invoice and what the cluster saved it.
    member = open_page()
    login(world.member_a, tab=member, next_url="/c/paris/")
    member.get_by_role("link", name="Mes factures").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Compte de Studio Alpha")
    expect(member.get_by_role("link", name=invoice.number, exact=True)).to_have_count(2)
    expect(member.locator(".stats")).to_contain_text("60,00")
    expect(member.locator(".stats")).to_contain_text("70,00")  # 120 alone − 50 pooled
    expect(member.get_by_text("Label Beta")).to_have_count(0)
    screenshot("billing-member-account", member)
    member.get_by_role("link", name=invoice.number, exact=True).first.click()
    expect(member.get_by_role("heading", level=1)).to_have_text(f"Facture {invoice.number}")
    screenshot("billing-member-invoice", member)
