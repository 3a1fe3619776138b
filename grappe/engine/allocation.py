"""Cent-exact cost allocation: split an amount between members by weights.

`allocate` uses the largest-remainder method on whole cents, with exact integer
arithmetic throughout:

* the parts add up exactly to the total;
* each part is within one cent of its exact proportional share (strictly less than
  one cent away, in fact);
* a key with zero weight gets exactly zero;
* the result does not depend on the order of the keys: leftover cents go to the
  largest remainders, ties broken by the keys' ``str`` then ``repr``;
* ``allocate(-t, w) == -allocate(t, w)``: a credit is split like a charge.

Money stays exact: floats (and bools) are refused everywhere, and the total must be
whole cents. Helpers for periods (members joining or leaving a pool mid-month) turn
days of presence into integer weights that `combine_weights` multiplies with a base
key such as surface.

Error messages are user-facing, hence in French. They are written as ``%``-style
templates marked with `gettext_noop` so that ``makemessages`` collects them; the
application layer may translate ``error.template`` and apply ``error.params``.
"""

from __future__ import annotations

import calendar
from collections.abc import Hashable, Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, localcontext
from fractions import Fraction
from math import lcm
from typing import TypeVar, cast

K = TypeVar("K", bound=Hashable)

Weight = int | Decimal

CENT = Decimal("0.01")

# Guards against absurd magnitudes (``Decimal("1E+999999999")`` would make exact
# integer arithmetic explode): far beyond any real amount, weight or surface.
_MAX_ADJUSTED_EXPONENT = 30
_MIN_WEIGHT_EXPONENT = -30


def gettext_noop(message: str) -> str:
    """Mark a message for translation without translating it (the engine has no Django)."""
    return message


class AllocationError(ValueError):
    """A refused allocation, with a French message for the user.

    ``template`` is the untranslated message (``%(name)s`` placeholders) and
    ``params`` its values, so the application can render it in another language.
    """

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)


# --------------------------------------------------------------------------- checks


def _describe(value: object) -> str:
    text = str(value) if isinstance(value, Decimal | int | date) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_exact_number(value: object, *, what: str) -> Fraction:
    """The exact value of an int or a finite Decimal; refuse floats, bools and the rest."""
    if isinstance(value, bool):
        raise AllocationError(
            gettext_noop("%(what)s doit être un nombre, pas un booléen (%(value)s)."),
            what=what,
            value=_describe(value),
        )
    if isinstance(value, float):
        raise AllocationError(
            gettext_noop(
                "%(what)s est un nombre à virgule flottante (%(value)s) : les montants et "
                "les poids doivent être exacts, utilisez un Decimal ou un entier."
            ),
            what=what,
            value=_describe(value),
        )
    if isinstance(value, int):
        if abs(value) >= 10 ** (_MAX_ADJUSTED_EXPONENT + 1):
            raise AllocationError(
                gettext_noop("%(what)s est hors des limites acceptées (%(value)s)."),
                what=what,
                value=_describe(value),
            )
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise AllocationError(
                gettext_noop("%(what)s doit être un nombre fini, pas %(value)s."),
                what=what,
                value=_describe(value),
            )
        exponent = cast(int, value.as_tuple().exponent)  # an int once finite
        if value and (value.adjusted() > _MAX_ADJUSTED_EXPONENT or exponent < _MIN_WEIGHT_EXPONENT):
            raise AllocationError(
                gettext_noop("%(what)s est hors des limites acceptées (%(value)s)."),
                what=what,
                value=_describe(value),
            )
        return Fraction(value)
    raise AllocationError(
        gettext_noop("%(what)s doit être un Decimal ou un entier, pas %(type)s (%(value)s)."),
        what=what,
        type=type(value).__name__,
        value=_describe(value),
    )


def _total_in_cents(total: object) -> int:
    exact = _check_exact_number(total, what=gettext_noop("Le montant à répartir"))
    cents = exact * 100
    if cents.denominator != 1:
        raise AllocationError(
            gettext_noop(
                "Le montant à répartir (%(value)s) a plus de deux décimales : "
                "il doit être exprimé en euros et centimes."
            ),
            value=_describe(total),
        )
    return cents.numerator


def _check_weights(weights: Mapping[K, object]) -> dict[K, Fraction]:
    if not isinstance(weights, Mapping):
        raise AllocationError(
            gettext_noop("Les poids doivent être donnés par clé (un dictionnaire), pas %(type)s."),
            type=type(weights).__name__,
        )
    if not weights:
        raise AllocationError(
            gettext_noop("Aucune clé de répartition : il faut au moins un participant.")
        )
    exact: dict[K, Fraction] = {}
    for key, weight in weights.items():
        value = _check_exact_number(
            weight, what=gettext_noop("Le poids de « %s »") % _describe_key(key)
        )
        if value < 0:
            raise AllocationError(
                gettext_noop("Le poids de « %(key)s » est négatif (%(value)s) : impossible."),
                key=_describe_key(key),
                value=_describe(weight),
            )
        exact[key] = value
    if not any(exact.values()):
        raise AllocationError(
            gettext_noop("Tous les poids sont nuls : rien ne permet de répartir le montant.")
        )
    return exact


def _describe_key(key: object) -> str:
    text = str(key)
    return text if len(text) <= 60 else text[:57] + "..."


def _tie_break(key: object) -> tuple[str, str]:
    return (str(key), repr(key))


def _cents_to_euros(cents: int) -> Decimal:
    # Built from a string: exact whatever the decimal context's precision.
    return Decimal(f"{cents}E-2")


# ----------------------------------------------------------------------- allocation


def allocate(total: Decimal | int, weights: Mapping[K, Weight]) -> dict[K, Decimal]:
    """Split ``total`` euros between the keys of ``weights``, cent-exact.

    Returns a dict with the same keys (in the same order) whose values are Decimals
    with exactly two decimals and add up exactly to ``total``. See the module
    docstring for the guarantees; raises `AllocationError` for an empty mapping,
    a negative weight, all-zero weights, a float or a bool, a non-finite Decimal,
    or a total with more than two decimals.
    """
    total_cents = _total_in_cents(total)
    exact = _check_weights(weights)

    # Scale the weights to integers: shares are then plain integer divisions.
    common = lcm(*(weight.denominator for weight in exact.values()))
    scaled = {
        key: weight.numerator * (common // weight.denominator) for key, weight in exact.items()
    }
    weight_sum = sum(scaled.values())

    sign = -1 if total_cents < 0 else 1
    magnitude = abs(total_cents)
    parts: dict[K, int] = {}
    remainders: dict[K, int] = {}
    for key, weight in scaled.items():
        parts[key], remainders[key] = divmod(magnitude * weight, weight_sum)
    leftover = magnitude - sum(parts.values())
    # 0 <= leftover < number of keys with a non-zero remainder, so a key with zero
    # weight (remainder 0) never receives a leftover cent.
    if leftover:
        ranked = sorted(remainders, key=lambda key: (-remainders[key], *_tie_break(key)))
        for key in ranked[:leftover]:
            parts[key] += 1
    return {key: _cents_to_euros(sign * parts[key]) for key in weights}


def prorate(amount: Decimal | int, *, days_in: int, days_total: int) -> Decimal:
    """The share of ``amount`` for ``days_in`` days out of ``days_total``, to the cent.

    Rounded half away from zero (``arrondi commercial``). To split one amount between
    several members so that the parts add up, use `allocate` with `period_weights`.
    """
    cents = _total_in_cents(amount)
    for name, value in (("days_in", days_in), ("days_total", days_total)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise AllocationError(
                gettext_noop("Le nombre de jours (%(name)s) doit être un entier, pas %(value)s."),
                name=name,
                value=_describe(value),
            )
    if days_total <= 0 or not 0 <= days_in <= days_total:
        raise AllocationError(
            gettext_noop(
                "Nombre de jours incohérent : %(days_in)s jours sur %(days_total)s "
                "(il faut 0 ≤ jours de présence ≤ jours de la période, période non vide)."
            ),
            days_in=days_in,
            days_total=days_total,
        )
    return _cents_to_euros(_round_half_away(Fraction(cents * days_in, days_total)))


def _round_half_away(value: Fraction) -> int:
    """Round to the nearest integer, halves away from zero."""
    magnitude = abs(value)
    rounded = int(magnitude + Fraction(1, 2))  # int() truncates toward zero
    return rounded if value >= 0 else -rounded


# -------------------------------------------------------------------------- periods


def _check_day(value: object, *, what: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise AllocationError(
            gettext_noop("%(what)s doit être une date (sans heure), pas %(value)s."),
            what=what,
            value=_describe(value),
        )
    return value


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first and the last day of a calendar month (both inclusive)."""
    if not 1 <= month <= 12:
        raise AllocationError(gettext_noop("Mois invalide : %(month)s."), month=month)
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def days_between(start: date, end: date) -> int:
    """The number of days from ``start`` to ``end``, both inclusive (0 if end < start)."""
    return max(0, (end - start).days + 1)


def period_weights(
    memberships: Mapping[K, Iterable[tuple[date, date | None]]],
    period_start: date,
    period_end: date,
) -> dict[K, int]:
    """Days of presence of each key during a period, as integer weights.

    ``memberships`` maps each key to its spells of membership ``(start, end)``: the
    first and the last day of presence, both inclusive; ``end`` is ``None`` while the
    member stays. The period is inclusive too (`month_bounds` gives a month's).
    Overlapping spells of one key are counted once. Every key appears in the result,
    with 0 when it was absent for the whole period.

    ``allocate(total, period_weights(...))`` makes each member pay for its days; a
    member present half the month bears half the weight of one present all month.
    """
    period_start = _check_day(period_start, what=gettext_noop("Le début de la période"))
    period_end = _check_day(period_end, what=gettext_noop("La fin de la période"))
    if period_end < period_start:
        raise AllocationError(
            gettext_noop("La période finit (%(end)s) avant de commencer (%(start)s)."),
            start=period_start.isoformat(),
            end=period_end.isoformat(),
        )
    presence: dict[K, int] = {}
    for key, spells in memberships.items():
        clipped: list[tuple[date, date]] = []
        for spell in spells:
            try:
                start, end = spell
            except (TypeError, ValueError):
                raise AllocationError(
                    gettext_noop(
                        "Période d'adhésion invalide pour « %(key)s » : "
                        "il faut un couple (début, fin)."
                    ),
                    key=_describe_key(key),
                ) from None
            start = _check_day(start, what=gettext_noop("Le début d'adhésion"))
            if end is not None:
                end = _check_day(end, what=gettext_noop("La fin d'adhésion"))
                if end < start:
                    raise AllocationError(
                        gettext_noop(
                            "L'adhésion de « %(key)s » finit (%(end)s) avant de commencer "
                            "(%(start)s)."
                        ),
                        key=_describe_key(key),
                        start=start.isoformat(),
                        end=end.isoformat(),
                    )
            low = max(start, period_start)
            high = period_end if end is None else min(end, period_end)
            if low <= high:
                clipped.append((low, high))
        presence[key] = _union_length(clipped)
    return presence


def _union_length(spells: list[tuple[date, date]]) -> int:
    days = 0
    covered_until: date | None = None  # last day already counted
    for start, end in sorted(spells):
        if covered_until is not None and start <= covered_until:
            if end <= covered_until:
                continue
            start = covered_until + timedelta(days=1)
        days += days_between(start, end)
        covered_until = end
    return days


def combine_weights(base: Mapping[K, Weight], presence: Mapping[K, Weight]) -> dict[K, Weight]:
    """Multiply a base key (surface, weights) by presence (days): exact, same keys.

    Both mappings must have the same keys; the result keeps ``base``'s order.
    """
    missing = [key for key in base if key not in presence]
    extra = [key for key in presence if key not in base]
    if missing or extra:
        raise AllocationError(
            gettext_noop(
                "Les clés de répartition et les présences ne concernent pas les mêmes "
                "participants (sans présence : %(missing)s ; sans clé : %(extra)s)."
            ),
            missing=", ".join(sorted(map(_describe_key, missing))) or "aucun",
            extra=", ".join(sorted(map(_describe_key, extra))) or "aucun",
        )
    combined: dict[K, Weight] = {}
    for key, weight in base.items():
        for factor in (weight, presence[key]):
            value = _check_exact_number(
                factor, what=gettext_noop("Le poids de « %s »") % _describe_key(key)
            )
            if value < 0:
                raise AllocationError(
                    gettext_noop("Le poids de « %(key)s » est négatif (%(value)s) : impossible."),
                    key=_describe_key(key),
                    value=_describe(factor),
                )
        combined[key] = _exact_product(weight, presence[key])
    return combined


def _exact_product(left: Weight, right: Weight) -> Weight:
    if isinstance(left, int) and isinstance(right, int):
        return left * right
    left, right = Decimal(left), Decimal(right)
    with localcontext() as context:
        # A product of decimals has at most the sum of their digits: never rounded.
        context.prec = len(left.as_tuple().digits) + len(right.as_tuple().digits)
        return left * right
