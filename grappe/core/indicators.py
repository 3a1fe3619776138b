"""Indicators of a cluster over time: each app registers the indicators it can compute
(Decidim's ``register_stat``); the insights app takes the monthly snapshots, draws the
dashboard and writes the funder dossier. Insights never imports the apps' internals.

An indicator is a function ``fn(cluster, month) -> value`` where ``month`` is the first
day of a Paris calendar month and the value describes that month (a stock at its last
day, or a flow during it). The value is one of:

- a number (``int`` or ``Decimal``);
- a ``dict`` of label → number, a breakdown (members by commune): its total is the value;
- a ``dict`` with a ``"value"`` key and any other JSON details beside it.

Values must be aggregates: a funder reads them, so never a firm's name or its own figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

# Sections of the dashboard and of the funder dossier.
FAMILIES = ("members", "activity", "services", "funding", "interaction", "satisfaction")
ROLLUPS = ("last", "sum", "mean")


@dataclass(frozen=True)
class Indicator:
    key: str  # "<app>.<name>", stable: snapshots are stored under it
    label: str  # French, lazily translated
    fn: Callable[[object, dt.date], object]
    family: str = "activity"
    unit: str = ""  # "", "%", "€", "j", "h"
    rollup: str = "sum"  # how twelve months make a year: last (a stock), sum (a flow), mean
    usage: bool = False  # a use of services: its breakdown's series are watched for a fall
    order: int = 100

    def __post_init__(self):
        if self.family not in FAMILIES:
            raise ValueError(f"{self.key}: unknown family {self.family!r}")
        if self.rollup not in ROLLUPS:
            raise ValueError(f"{self.key}: unknown rollup {self.rollup!r}")


_indicators: dict[str, Indicator] = {}


def register_indicator(
    key: str,
    label,
    fn: Callable[[object, dt.date], object],
    *,
    family: str = "activity",
    unit: str = "",
    rollup: str = "sum",
    usage: bool = False,
    order: int = 100,
) -> None:
    """Register ``fn(cluster, month) -> number | dict`` under ``key``."""
    _indicators[key] = Indicator(key, label, fn, family, unit, rollup, usage, order)


def unregister_indicator(key: str) -> None:
    _indicators.pop(key, None)


def indicators() -> list[Indicator]:
    return sorted(_indicators.values(), key=lambda i: (FAMILIES.index(i.family), i.order, i.key))


def indicator(key: str) -> Indicator | None:
    return _indicators.get(key)


def split_value(raw) -> tuple[Decimal | None, dict]:
    """A registered function's answer → (value, details), as a snapshot stores them."""
    if raw is None:
        return None, {}
    if isinstance(raw, dict):
        details = {str(k): _plain(v) for k, v in raw.items()}
        if "value" in raw:
            value = raw["value"]
            details.pop("value")
        else:
            value = sum((Decimal(str(v)) for v in raw.values() if _is_number(v)), Decimal(0))
        return (None if value is None else Decimal(str(value))), details
    if _is_number(raw):
        return Decimal(str(raw)), {}
    raise TypeError(f"an indicator returns a number or a dict, not {type(raw).__name__}")


def _is_number(v) -> bool:
    return isinstance(v, int | Decimal | float) and not isinstance(v, bool)


def _plain(v):
    if isinstance(v, Decimal):  # JSON has no decimal: money stays exact as a string
        return int(v) if v == v.to_integral_value() else str(v)
    if isinstance(v, float):
        return str(Decimal(str(v)))
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return v


# Activity: who did something lately. Apps register what counts as a member firm's
# activity (a login, a post, a booking, a survey answer); an active member with none of
# it for six months is flagged on the dashboard.
ActivitySource = Callable[["object", dt.datetime], dict[int, dt.datetime]]
_activity: dict[str, ActivitySource] = {}


def register_activity_source(name: str, source: ActivitySource) -> None:
    """Register ``source(cluster, since) -> {organisation_id: last activity after since}``."""
    _activity[name] = source


def activity_sources() -> dict[str, ActivitySource]:
    return dict(sorted(_activity.items()))
