"""The invoice PDF: a real PDF/A-3 whose text carries the French mentions, with the
Factur-X XML embedded, whose totals equal the ledger's."""

import datetime as dt
import io
from decimal import Decimal

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader

from grappe.billing import services
from grappe.billing.models import Invoice
from tests.billing.conftest import line

pytestmark = pytest.mark.django_db

NS = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}


@pytest.fixture
def invoice(world, profile, source):
    source.lines["paris"] = [
        line(world.org_a, "b:1", "46.50", qty="3", unit="h", label="Salle de répétition"),
        line(world.org_a, "b:2", "10.00", rate="5.5", label="Abonnement presse"),
    ]
    manager = world.actor(world.manager)
    return services.invoices_issue_month(
        by=manager, year=2026, month=3, issue_date=dt.date(2026, 4, 1)
    ).invoices[0]


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def embedded_xml(content: bytes) -> bytes:
    _name, xml = facturx.get_xml_from_pdf(content, check_xsd=True)
    return xml


def test_pdf_has_the_french_mentions_and_the_factur_x_xml(invoice, world):
    from grappe.core.files import private_storage

    name = services.invoice_pdf(invoice=invoice)
    content = private_storage().open(name).read()
    assert content.startswith(b"%PDF")
    text = " ".join(pdf_text(content).split())
    for expected in [
        "Facture n° 2026-000001",
        "73282932000074",  # seller's SIRET
        world.org_a.siret,  # buyer's SIRET
        "Association Musique Paris 18e",
        "Studio Alpha",
        "Salle de répétition",
        "40 €",
        "indemnité forfaitaire pour frais de recouvrement",
        "pénalités",
        "01/05/2026",  # due date
        "66,35",  # total TTC
    ]:
        assert expected in text, expected
    xmp = PdfReader(io.BytesIO(content)).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid" in xmp and b"<pdfaid:part>3</pdfaid:part>" in xmp  # PDF/A-3
    assert b"urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#" in xmp
    tree = etree.fromstring(embedded_xml(content))
    assert tree.findtext(".//ram:GrandTotalAmount", namespaces=NS) == "66.35"
    assert tree.findtext(".//ram:TaxTotalAmount", namespaces=NS) == "9.85"
    lines = [
        Decimal(e.text)
        for e in tree.iterfind(".//ram:IncludedSupplyChainTradeLineItem//ram:LineTotalAmount", NS)
    ]
    assert sum(lines) == sum(e.amount for e in invoice.entries.all()) == invoice.total_ht
    # Stored once: a second call serves the same file.
    assert services.invoice_pdf(invoice=invoice) == name
    assert Invoice.objects.get(pk=invoice.pk).pdf.name == name


def test_not_subject_to_vat_says_so(world, profile, source):
    services.billing_profile_update(by=world.actor(world.manager), vat_subject=False)
    source.lines["paris"] = [line(world.org_b, "b:1", "100.00")]
    invoice = services.invoices_issue_month(
        by=world.actor(world.manager), year=2026, month=3, issue_date=dt.date(2026, 4, 1)
    ).invoices[0]
    assert (invoice.total_vat, invoice.total_ttc) == (Decimal("0.00"), Decimal("100.00"))
    content = services.documents.render_invoice_pdf(invoice)
    text = " ".join(pdf_text(content).split())
    assert "TVA non applicable, art. 293 B du CGI" in text
    xml = embedded_xml(content)
    assert b"VATEX-FR-FRANCHISE" in xml


def test_credit_note_pdf_and_xml_reference_the_invoice(invoice, world):
    credit = services.credit_note_issue(
        by=world.actor(world.manager),
        invoice=invoice,
        reason="Salle indisponible",
        issue_date=dt.date(2026, 4, 2),
    )
    content = services.documents.render_invoice_pdf(credit)
    text = " ".join(pdf_text(content).split())
    assert "Avoir n° 2026-000002" in text and "2026-000001" in text
    tree = etree.fromstring(embedded_xml(content))
    assert tree.findtext(".//ram:TypeCode", namespaces=NS) == "381"
    assert (
        tree.findtext(".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID", namespaces=NS)
        == "2026-000001"
    )
    assert tree.findtext(".//ram:GrandTotalAmount", namespaces=NS) == "66.35"
