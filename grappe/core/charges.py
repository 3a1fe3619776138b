"""What members owe: each app that bills registers a *charge source*; the billing app
collects them. Neither side imports the other.

A source is called with a cluster and a Paris calendar period and returns the
:class:`ChargeLine` objects of that period. Each line has a ``source_key`` that is
stable and unique within the cluster ("booking:123", "cost-pool:5:2026-11:42"): the
billing app records a line once, however often the period is collected again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class ChargeLine:
    source_key: str
    organisation_id: int
    date: dt.date  # when the service was rendered (in the period)
    category: str  # booking, cost_pool, shared_employee, study, membership_fee, ...
    label: str  # French, shown on the invoice
    quantity: Decimal
    unit: str  # "h", "jour", "mois", "forfait", ...
    unit_price: Decimal  # before tax
    amount: Decimal  # before tax, two decimals; negative for a credit
    vat_rate: Decimal = Decimal("0")  # percent, e.g. Decimal("20")
    alone_amount: Decimal | None = None  # what the member would have paid alone

    def __post_init__(self):
        if self.amount != self.amount.quantize(CENT):
            raise ValueError(f"{self.source_key}: amount must have two decimals, not {self.amount}")


ChargeSource = Callable[["object", dt.date, dt.date], Iterable[ChargeLine]]
_sources: dict[str, ChargeSource] = {}


def register_charge_source(name: str, source: ChargeSource) -> None:
    """Register ``source(cluster, first_day, last_day) -> Iterable[ChargeLine]``."""
    _sources[name] = source


def charge_sources() -> dict[str, ChargeSource]:
    return dict(sorted(_sources.items()))
