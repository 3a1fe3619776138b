"""Invoice arithmetic: VAT by rate, cent-exact, and the numbering of a cluster's invoices.

Pure Python (no Django). The rules follow French practice and EN 16931:

* VAT is computed once per rate on the sum of the lines at that rate (BR-CO-17:
  ``round(base × rate / 100)``, half up), not line by line; the per-rate amount is
  then split back over the lines with `allocation.allocate`, so the lines' VAT adds
  up exactly to the invoice's VAT and each line is within a cent of its share;
* totals: ``total_ht = Σ lines``, ``total_vat = Σ rates``, ``total_ttc = ht + vat``;
* a credit line (negative amount) is split like a charge;
* an invoice number is ``<year>-<sequence>`` with the sequence on six digits
  (``2026-000123``); the sequence is one unbroken counter per cluster.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from grappe.engine.allocation import allocate

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def gettext_noop(message: str) -> str:
    return message


class InvoicingError(ValueError):
    """A refused input, with a French message (``template`` % ``params``)."""

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)


def money(value: Decimal) -> Decimal:
    """Round half up to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    amount: Decimal  # before tax, two decimals, negative for a credit
    vat_rate: Decimal  # percent


@dataclass(frozen=True)
class VatGroup:
    rate: Decimal
    base: Decimal
    vat: Decimal


@dataclass(frozen=True)
class Totals:
    line_vat: tuple[Decimal, ...]  # in the order of the lines
    groups: tuple[VatGroup, ...]  # by increasing rate
    total_ht: Decimal
    total_vat: Decimal
    total_ttc: Decimal


def _check_line(line: Line) -> None:
    for value, what in ((line.amount, "montant"), (line.vat_rate, "taux de TVA")):
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise InvoicingError(
                gettext_noop("Le %(what)s doit être un nombre décimal exact, pas %(value)r."),
                what=what,
                value=value,
            )
        if isinstance(value, Decimal) and not value.is_finite():
            raise InvoicingError(gettext_noop("Le %(what)s n'est pas fini."), what=what)
    if Decimal(line.amount) != Decimal(line.amount).quantize(CENT):
        raise InvoicingError(
            gettext_noop("Le montant %(amount)s a plus de deux décimales."), amount=line.amount
        )
    if not (0 <= line.vat_rate <= HUNDRED):
        raise InvoicingError(
            gettext_noop("Le taux de TVA %(rate)s %% n'est pas entre 0 et 100."),
            rate=line.vat_rate,
        )


def _split_vat(vat: Decimal, amounts: list[Decimal], rate: Decimal) -> list[Decimal]:
    """The group's VAT over its lines: cent-exact, each line within a cent of its share."""
    if vat == 0 or all(a == 0 for a in amounts):
        return [Decimal("0.00")] * len(amounts)
    if all(a >= 0 for a in amounts) or all(a <= 0 for a in amounts):
        parts = allocate(vat, {index: abs(a) for index, a in enumerate(amounts)})
        return [parts[index] for index in range(len(amounts))]
    # Charges and credits at the same rate: round each line, the rounding difference
    # goes to the largest line (the lowest index among equals).
    shares = [money(a * rate / HUNDRED) for a in amounts]
    biggest = max(range(len(amounts)), key=lambda index: (abs(amounts[index]), -index))
    shares[biggest] += vat - sum(shares, Decimal("0.00"))
    return shares


def compute_totals(lines: Sequence[Line]) -> Totals:
    """VAT by rate and totals of an invoice's lines (see the module docstring)."""
    for line in lines:
        _check_line(line)
    by_rate: dict[Decimal, list[int]] = {}
    for index, line in enumerate(lines):
        by_rate.setdefault(Decimal(line.vat_rate).normalize(), []).append(index)
    line_vat = [Decimal("0.00")] * len(lines)
    groups = []
    for rate in sorted(by_rate):
        indexes = by_rate[rate]
        amounts = [Decimal(lines[i].amount) for i in indexes]
        base = sum(amounts, Decimal("0.00"))
        vat = money(base * rate / HUNDRED)
        for i, part in zip(indexes, _split_vat(vat, amounts, rate), strict=True):
            line_vat[i] = part
        groups.append(VatGroup(rate=rate, base=base, vat=vat))
    total_ht = sum((Decimal(line.amount) for line in lines), Decimal("0.00"))
    total_vat = sum((g.vat for g in groups), Decimal("0.00"))
    return Totals(
        line_vat=tuple(line_vat),
        groups=tuple(groups),
        total_ht=total_ht,
        total_vat=total_vat,
        total_ttc=total_ht + total_vat,
    )


# --- Numbering and periods ---------------------------------------------------------------


def invoice_number(year: int, sequence: int) -> str:
    """``2026-000123``: the issue year, then the cluster's unbroken sequence."""
    if sequence < 1:
        raise InvoicingError(gettext_noop("Un numéro de facture commence à 1."))
    return f"{year}-{sequence:06d}"


def parse_month(text: str) -> tuple[int, int]:
    """``"2026-11"`` → ``(2026, 11)``; anything else is refused with a French message."""
    value = (text or "").strip()
    parts = value.split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise InvoicingError(
            gettext_noop("« %(value)s » n'est pas un mois au format AAAA-MM (ex. 2026-11)."),
            value=value,
        )
    year, month = int(parts[0]), int(parts[1])
    if not (1 <= month <= 12) or year < 2000:
        raise InvoicingError(gettext_noop("« %(value)s » n'est pas un mois valide."), value=value)
    return year, month


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """First and last day of a calendar month."""
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, 1), dt.date(year, month, last)


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"
