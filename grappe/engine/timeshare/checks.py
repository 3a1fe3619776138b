"""Input checks of the time-share engine: exact hours, amounts and dates, or a French error.

Hours and amounts are `Decimal` or `int`, never `float` (nor `bool`); dates are
`datetime.date`, never `datetime`. Each check returns the value to use or raises
`TimeshareError` naming what was wrong.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from grappe.engine.allocation import gettext_noop
from grappe.engine.timeshare.messages import TimeshareError

Hours = Decimal | int


def describe(value: object) -> str:
    return str(value) if isinstance(value, Decimal | int | date) else repr(value)


def check_hours(value: object, *, what: str, positive: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TimeshareError(
            gettext_noop(
                "%(what)s doit être un nombre d'heures exact (Decimal ou entier), pas %(value)s."
            ),
            what=what,
            value=describe(value),
        )
    hours = Decimal(value)
    if not hours.is_finite() or hours < 0 or (positive and hours == 0) or hours > 10**6:
        raise TimeshareError(
            gettext_noop(
                "%(what)s est invalide (%(value)s) : il faut un nombre d'heures %(rule)s."
            ),
            what=what,
            value=describe(value),
            rule=gettext_noop("positif") if positive else gettext_noop("positif ou nul"),
        )
    return hours


def check_money(value: object, *, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TimeshareError(
            gettext_noop("%(what)s doit être un montant exact (Decimal ou entier), pas %(value)s."),
            what=what,
            value=describe(value),
        )
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0 or amount.adjusted() > 15:
        raise TimeshareError(
            gettext_noop("%(what)s est invalide (%(value)s) : il faut un montant positif ou nul."),
            what=what,
            value=describe(value),
        )
    return amount


def check_cents(value: object, *, what: str) -> Decimal:
    amount = check_money(value, what=what)
    if amount != amount.quantize(Decimal("0.01"), rounding=ROUND_DOWN):
        raise TimeshareError(
            gettext_noop("%(what)s (%(value)s) a plus de deux décimales : en euros et centimes."),
            what=what,
            value=describe(value),
        )
    return amount


def check_day(value: object, *, what: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TimeshareError(
            gettext_noop("%(what)s doit être une date (sans heure), pas %(value)s."),
            what=what,
            value=describe(value),
        )
    return value


def check_weekday(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 6:
        raise TimeshareError(
            gettext_noop("Jour de la semaine invalide (%(value)s) : de 0 (lundi) à 6 (dimanche)."),
            value=describe(value),
        )
    return int(value)


def round_cents(value: Fraction) -> Decimal:
    """To the cent, halves away from zero, exactly."""
    cents = int(abs(value) * 100 + Fraction(1, 2))
    return Decimal(f"{cents if value >= 0 else -cents}E-2")
