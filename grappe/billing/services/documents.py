"""The invoice as documents: the Factur-X CII XML and the PDF/A-3 that embeds it.

The PDF is rendered by WeasyPrint (PDF/A-3b), then the ``factur-x`` package checks the
XML against the EN 16931 XSD it ships and embeds it with the Factur-X XMP metadata.
An issued invoice never changes, so its PDF is rendered once, on first download, and
kept in the private storage.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from grappe.billing.models import Invoice, LedgerEntry
from grappe.billing.templatetags.billing import format_money, rate
from grappe.core.files import private_storage
from grappe.engine import facturx as cii

RECOVERY_INDEMNITY = Decimal("40")


def _party(data: dict) -> cii.Party:
    return cii.Party(
        name=data.get("name", ""),
        siren=data.get("siren", ""),
        siret=data.get("siret", ""),
        address=data.get("address", ""),
        postcode=data.get("postcode", ""),
        city=data.get("city", ""),
        vat_number=data.get("vat_number", ""),
    )


def invoice_lines(invoice: Invoice) -> list[LedgerEntry]:
    return list(invoice.entries.order_by("date", "id"))


def legal_mentions(invoice: Invoice) -> dict:
    """The French mentions an invoice carries (texts shared by the PDF and the XML)."""
    seller = invoice.seller
    days = seller.get("payment_terms_days", 30)
    penalty = Decimal(seller.get("late_penalty_rate", "0"))
    return {
        "vat_exemption": "" if invoice.vat_subject else cii.FRANCHISE_REASON,
        "terms": _(
            "Paiement à %(days)s jours, au plus tard le %(date)s. Pas d'escompte pour "
            "paiement anticipé."
        )
        % {"days": days, "date": invoice.due_date.strftime("%d/%m/%Y")},
        "penalties": _(
            "En cas de retard de paiement, des pénalités au taux annuel de %(rate)s sont "
            "exigibles dès le lendemain de l'échéance (art. L441-10 du code de commerce)."
        )
        % {"rate": rate(penalty)},
        "indemnity": _(
            "Tout retard de paiement entraîne de plein droit une indemnité forfaitaire pour "
            "frais de recouvrement de 40 € (art. D441-5 du code de commerce)."
        ),
    }


def invoice_cii_document(invoice: Invoice, lines: list[LedgerEntry]) -> cii.CiiDocument:
    mentions = legal_mentions(invoice)
    notes = [
        ("PMT", mentions["indemnity"]),
        ("PMD", mentions["penalties"]),
        ("AAB", _("Pas d'escompte pour paiement anticipé.")),
    ]
    if invoice.reason:
        notes.insert(0, ("AAI", invoice.reason))
    credited = invoice.credited_invoice
    return cii.CiiDocument(
        number=invoice.number,
        type_code=cii.CREDIT_NOTE if invoice.is_credit_note else cii.INVOICE,
        issue_date=invoice.issue_date,
        seller=_party(invoice.seller),
        buyer=_party(invoice.buyer),
        lines=[
            cii.CiiLine(
                name=e.label,
                quantity=e.quantity,
                unit=e.unit,
                unit_price=e.unit_price,
                amount=e.amount,
                vat_rate=e.vat_rate,
            )
            for e in lines
        ],
        vat=[
            cii.CiiVat(rate=Decimal(g["rate"]), base=Decimal(g["base"]), vat=Decimal(g["vat"]))
            for g in invoice.vat_breakdown
        ],
        total_ht=invoice.total_ht,
        total_vat=invoice.total_vat,
        total_ttc=invoice.total_ttc,
        due_date=invoice.due_date,
        vat_subject=invoice.vat_subject,
        period=(invoice.period_start, invoice.period_end),
        payment_terms=mentions["terms"],
        notes=notes,
        iban=invoice.seller.get("iban", ""),
        bic=invoice.seller.get("bic", ""),
        preceding_invoice=(credited.number, credited.issue_date) if credited else None,
    )


def invoice_cii_xml(invoice: Invoice) -> bytes:
    """The invoice's Factur-X XML (EN 16931), checked against the official XSD."""
    import facturx

    xml = cii.build_cii(invoice_cii_document(invoice, invoice_lines(invoice)))
    facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    return xml


def render_invoice_html(invoice: Invoice, lines: list[LedgerEntry]) -> str:
    with translation.override("fr"):
        return render_to_string(
            "billing/invoice_pdf.html",
            {
                "invoice": invoice,
                "seller": invoice.seller,
                "buyer": invoice.buyer,
                "lines": lines,
                "mentions": legal_mentions(invoice),
                "credited": invoice.credited_invoice,
            },
        )


def render_invoice_pdf(invoice: Invoice) -> bytes:
    """A fresh Factur-X PDF/A-3 of the invoice (not stored)."""
    import facturx
    from weasyprint import HTML

    lines = invoice_lines(invoice)
    html = render_invoice_html(invoice, lines)
    pdf = HTML(string=html).write_pdf(pdf_variant="pdf/a-3b")
    xml = cii.build_cii(invoice_cii_document(invoice, lines))
    kind = _("Avoir") if invoice.is_credit_note else _("Facture")
    return facturx.generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        pdf_metadata={
            "author": invoice.seller.get("name", ""),
            "keywords": "Factur-X, " + kind,
            "title": f"{invoice.seller.get('name', '')} : {kind} {invoice.number}",
            "subject": f"{kind} {invoice.number} — {invoice.buyer.get('name', '')} — "
            f"{format_money(invoice.total_ttc)}",
        },
        lang="fr-FR",
    )


def invoice_pdf(*, invoice: Invoice) -> str:
    """The name in the private storage of the invoice's PDF, rendered on first use."""
    storage = private_storage()
    if invoice.pdf and storage.exists(invoice.pdf.name):
        return invoice.pdf.name
    content = render_invoice_pdf(invoice)
    name = storage.save(
        f"invoices/{invoice.cluster_id}/{invoice.issue_date.year}/{invoice.filename}",
        ContentFile(content),
    )
    Invoice.objects.filter(pk=invoice.pk).update(pdf=name)
    invoice.pdf.name = name
    return name
