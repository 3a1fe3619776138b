"""Cost pools: split one period's cost between the participants, cent-exact.

A pool is a recurring monthly cost (rent and charges of a co-rented shop, a licence)
or a one-off cost (an insurance premium), shared by participants according to an
allocation key. Participants join and leave at dates (a `Spell` each: first and
last day of presence, inclusive). For a recurring pool, a period's amount is
prorated to the days the pool itself runs in the period, then split by
``key weight × days of presence`` (`allocation.period_weights` and
`allocation.combine_weights`), so a firm that joins on the 16th of a 30-day month
bears half the weight of one present all month. The parts always add up to the
period's amount (`allocation.allocate`).

Keys: ``equal`` (1 each), ``surface`` and ``weights`` (the spell's figure),
``booked_time`` (minutes the participant booked on the pool's resources in the
period; if nobody booked, equal shares by presence, and the split says so) and
``custom`` (weights stated for the period, presence not applied).

What a participant would have paid alone (``alone_amount``, stated per period) is
prorated to its days of presence, for the savings.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from grappe.engine.allocation import (
    AllocationError,
    allocate,
    combine_weights,
    days_between,
    gettext_noop,
    period_weights,
    prorate,
)


class Key(StrEnum):
    EQUAL = "equal"
    SURFACE = "surface"
    WEIGHTS = "weights"
    BOOKED_TIME = "booked_time"
    CUSTOM = "custom"


class CostPoolError(ValueError):
    """A period that cannot be split, with a French message for the manager."""

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = {name: str(value) for name, value in params.items()}
        super().__init__(template % self.params if self.params else template)


@dataclass(frozen=True, kw_only=True)
class Spell:
    """One participation: a key (any hashable), its dates and its figures."""

    key: Hashable
    label: str
    joined_on: date
    left_on: date | None = None
    weight: Decimal | int = 1  # for the ``weights`` key
    surface: Decimal | int | None = None  # for the ``surface`` key
    alone_amount: Decimal | None = None  # per period, what it would pay alone


@dataclass(frozen=True, kw_only=True)
class Share:
    key: Hashable
    label: str
    presence_days: int
    figure: Decimal | int  # the key's figure: surface, weight, minutes booked, custom share
    weight: Decimal | int  # the weight actually used (figure × days, or custom)
    amount: Decimal
    alone_amount: Decimal | None

    @property
    def saving(self) -> Decimal | None:
        return None if self.alone_amount is None else self.alone_amount - self.amount


@dataclass(frozen=True, kw_only=True)
class PeriodSplit:
    first_day: date
    last_day: date
    amount: Decimal  # the period's amount, prorated to the days the pool runs
    days_active: int
    days_in_period: int
    shares: tuple[Share, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def total(self) -> Decimal:
        return sum((share.amount for share in self.shares), Decimal("0.00"))


def _active_days(
    first_day: date, last_day: date, starts_on: date, ends_on: date | None
) -> tuple[date, date] | None:
    low = max(first_day, starts_on)
    high = last_day if ends_on is None else min(last_day, ends_on)
    return (low, high) if low <= high else None


def _figure(spell: Spell, key: Key) -> Decimal | int:
    if key is Key.EQUAL or key is Key.BOOKED_TIME:
        return 1
    if key is Key.SURFACE:
        if spell.surface is None:
            raise CostPoolError(
                gettext_noop("La surface de « %(label)s » n'est pas renseignée."),
                label=spell.label,
            )
        return spell.surface
    return spell.weight


def split_period(
    amount: Decimal,
    spells: Iterable[Spell],
    *,
    key: Key | str,
    first_day: date,
    last_day: date,
    starts_on: date,
    ends_on: date | None = None,
    booked_minutes: Mapping[Hashable, int] | None = None,
    custom_weights: Mapping[Hashable, Decimal | int] | None = None,
) -> PeriodSplit | None:
    """A recurring pool's split for one period (a month), or None if it does not run then.

    Raises `CostPoolError` (or `allocation.AllocationError`) with a French message
    when nobody takes part in the period, a surface is missing, or custom shares are
    missing.
    """
    key = Key(key)
    active = _active_days(first_day, last_day, starts_on, ends_on)
    if active is None:
        return None
    days_in_period = days_between(first_day, last_day)
    days_active = days_between(*active)
    period_amount = (
        amount
        if days_active == days_in_period
        else prorate(amount, days_in=days_active, days_total=days_in_period)
    )
    spells = list(spells)
    presence = period_weights(
        {spell.key: [(spell.joined_on, spell.left_on)] for spell in spells}, *active
    )
    present = [spell for spell in spells if presence[spell.key] > 0]
    if not present:
        raise CostPoolError(
            gettext_noop("Aucun participant du %(first)s au %(last)s : rien à répartir."),
            first=active[0].strftime("%d/%m/%Y"),
            last=active[1].strftime("%d/%m/%Y"),
        )
    notes: list[str] = []
    weights, figures = _weights(key, present, presence, booked_minutes, custom_weights, notes)
    parts = allocate(period_amount, weights)
    return PeriodSplit(
        first_day=first_day,
        last_day=last_day,
        amount=period_amount,
        days_active=days_active,
        days_in_period=days_in_period,
        shares=tuple(
            Share(
                key=spell.key,
                label=spell.label,
                presence_days=presence[spell.key],
                figure=figures[spell.key],
                weight=weights[spell.key],
                amount=parts[spell.key],
                alone_amount=None
                if spell.alone_amount is None
                else prorate(
                    spell.alone_amount, days_in=presence[spell.key], days_total=days_in_period
                ),
            )
            for spell in present
        ),
        notes=tuple(notes),
    )


def split_one_off(
    amount: Decimal,
    spells: Iterable[Spell],
    *,
    key: Key | str,
    day: date,
    booked_minutes: Mapping[Hashable, int] | None = None,
    custom_weights: Mapping[Hashable, Decimal | int] | None = None,
) -> PeriodSplit:
    """A one-off cost on ``day``, split between the participants present that day."""
    key = Key(key)
    spells = list(spells)
    present = [
        spell
        for spell in spells
        if spell.joined_on <= day and (spell.left_on is None or day <= spell.left_on)
    ]
    if not present:
        raise CostPoolError(
            gettext_noop("Aucun participant le %(day)s : rien à répartir."),
            day=day.strftime("%d/%m/%Y"),
        )
    presence = {spell.key: 1 for spell in present}
    notes: list[str] = []
    weights, figures = _weights(key, present, presence, booked_minutes, custom_weights, notes)
    parts = allocate(amount, weights)
    return PeriodSplit(
        first_day=day,
        last_day=day,
        amount=amount,
        days_active=1,
        days_in_period=1,
        shares=tuple(
            Share(
                key=spell.key,
                label=spell.label,
                presence_days=1,
                figure=figures[spell.key],
                weight=weights[spell.key],
                amount=parts[spell.key],
                alone_amount=spell.alone_amount,
            )
            for spell in present
        ),
        notes=tuple(notes),
    )


def _weights(
    key: Key,
    present: list[Spell],
    presence: Mapping[Hashable, int],
    booked_minutes: Mapping[Hashable, int] | None,
    custom_weights: Mapping[Hashable, Decimal | int] | None,
    notes: list[str],
) -> tuple[dict[Hashable, Decimal | int], dict[Hashable, Decimal | int]]:
    """The weights to allocate by, and each participant's key figure (for display)."""
    if key is Key.CUSTOM:
        custom = custom_weights or {}
        weights = {spell.key: custom.get(spell.key, 0) for spell in present}
        if not any(weights.values()):
            raise CostPoolError(
                gettext_noop(
                    "Aucune part n'est saisie pour cette période : saisissez la part de chaque "
                    "participant."
                )
            )
        return weights, dict(weights)
    if key is Key.BOOKED_TIME:
        booked = booked_minutes or {}
        weights = {spell.key: int(booked.get(spell.key, 0)) for spell in present}
        if any(weights.values()):
            return weights, dict(weights)
        notes.append(
            gettext_noop("Aucune réservation sur la période : parts égales selon la présence.")
        )
    base = {spell.key: _figure(spell, key) for spell in present}
    try:
        combined = combine_weights(base, {spell.key: presence[spell.key] for spell in present})
    except AllocationError as exc:
        raise CostPoolError(exc.template, **exc.params) from None
    return combined, base
