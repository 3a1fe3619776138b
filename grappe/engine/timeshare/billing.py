"""Billing a shared employee: an hourly cost, then each member's month, cent-exact.

`hourly_cost` turns a yearly loaded salary into an hourly cost; `monthly_billing`
charges each member its hours * hourly cost * coefficient plus its share of the
monthly management fee, pro rata of hours (`allocation.allocate`).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import TypeVar

from grappe.engine.allocation import allocate, gettext_noop
from grappe.engine.timeshare.checks import (
    Hours,
    check_cents,
    check_hours,
    check_money,
    round_cents,
)
from grappe.engine.timeshare.messages import TimeshareError

K = TypeVar("K", bound=Hashable)

# Legal yearly working time of a full-time employee in France (35 h, with the
# "journée de solidarité"): the usual divisor of a yearly cost.
FULL_TIME_YEARLY_HOURS = Decimal(1607)


def hourly_cost(
    yearly_loaded_salary: Decimal | int, yearly_hours: Hours = FULL_TIME_YEARLY_HOURS
) -> Decimal:
    """Yearly loaded salary (employer's charges included) ÷ yearly hours, to the cent.

    ``yearly_hours`` defaults to the French full-time 1,607 hours.
    """
    salary = check_cents(yearly_loaded_salary, what=gettext_noop("Le salaire annuel chargé"))
    hours = check_hours(yearly_hours, what=gettext_noop("Le nombre d'heures annuel"), positive=True)
    return round_cents(Fraction(salary) / Fraction(hours))


@dataclass(frozen=True, kw_only=True)
class MemberBill:
    """One member's month: hours * hourly rate (cost * coefficient) + its share of the fee."""

    hours: Decimal
    hourly_rate: Decimal  # hourly cost * coefficient, exact (not rounded)
    hours_amount: Decimal  # hours * hourly rate, to the cent
    fee_share: Decimal
    total: Decimal


def monthly_bills(
    hours_by_member: Mapping[K, Hours],
    *,
    hourly_cost: Decimal | int,
    coefficient: Decimal | int,
    monthly_fee: Decimal | int,
) -> dict[K, MemberBill]:
    """The detail behind `monthly_billing`, per member, in the input's order.

    Each member's hours amount is rounded to the cent once (halves away from zero);
    the fee is split pro rata of hours with `allocate`, so its shares add up exactly
    to the fee. If nobody worked any hours that month, the fee is split equally.
    """
    if not isinstance(hours_by_member, Mapping) or not hours_by_member:
        raise TimeshareError(gettext_noop("Aucun membre à facturer."))
    cost = check_money(hourly_cost, what=gettext_noop("Le coût horaire"))
    factor = check_money(coefficient, what=gettext_noop("Le coefficient"))
    fee = check_cents(monthly_fee, what=gettext_noop("Le montant des frais de gestion mensuels"))
    hours = {
        member: check_hours(value, what=gettext_noop("Le nombre d'heures de « %s »") % member)
        for member, value in hours_by_member.items()
    }
    rate = _exact_product(cost, factor)
    fee_weights = hours if any(hours.values()) else dict.fromkeys(hours, 1)
    fee_shares = allocate(fee, fee_weights)
    bills = {}
    for member, worked in hours.items():
        amount = round_cents(Fraction(worked) * Fraction(rate))
        bills[member] = MemberBill(
            hours=worked,
            hourly_rate=rate,
            hours_amount=amount,
            fee_share=fee_shares[member],
            total=amount + fee_shares[member],
        )
    return bills


def monthly_billing(
    hours_by_member: Mapping[K, Hours],
    hourly_cost: Decimal | int,
    coefficient: Decimal | int,
    monthly_fee: Decimal | int,
) -> dict[K, Decimal]:
    """What each member owes for the month: hours * hourly cost * coefficient + fee share.

    Cent-exact: every amount has two decimals and the fee shares add up to the fee.
    """
    bills = monthly_bills(
        hours_by_member, hourly_cost=hourly_cost, coefficient=coefficient, monthly_fee=monthly_fee
    )
    return {member: bill.total for member, bill in bills.items()}


def _exact_product(left: Decimal, right: Decimal) -> Decimal:
    with localcontext() as context:
        # A product of decimals has at most the sum of their digits: never rounded.
        context.prec = len(left.as_tuple().digits) + len(right.as_tuple().digits)
        return left * right
