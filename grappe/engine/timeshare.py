"""Shared employees (time-share): plan a person's weekly hours across member firms, bill them.

A cluster employs a person — a webmaster, an administrator, a sound engineer — and
shares their time between members. This module is pure: plain dataclasses in and
out, no clock (dates are always given), no database.

Planning
    `Capacity` is what the person can work: hours per week and, per weekday, hours
    per day (Monday to Friday at a fifth of the week each unless stated otherwise).
    Members hold allocations: `Recurring` (a weekday and hours every week, between
    two optional dates) or `OneOff` (a date and hours). `plan` checks a request
    against the existing allocations: it is accepted only if, on every day the
    request touches, neither the day's nor the ISO week's capacity is exceeded.
    Otherwise the `PlanResult` explains the first conflict in French and offers
    alternatives that would be accepted as they stand: other days with room, or
    fewer hours.

Billing
    `hourly_cost` turns a yearly loaded salary into an hourly cost; `monthly_billing`
    charges each member its hours * hourly cost * coefficient plus its share of the
    monthly management fee, pro rata of hours, cent-exact (`allocation.allocate`).

Demand
    `demand_for_new_post` reads members' stated needs for a kind of role and says
    when they add up to enough for a new shared post.

Every date is a `datetime.date` (no time, no time zone), every interval inclusive.
Messages are French, kept as templates plus parameters (`Message`) so the
application can translate them.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from typing import TypeVar

from grappe.engine.allocation import allocate, gettext_noop

K = TypeVar("K", bound=Hashable)

Hours = Decimal | int

FULL_TIME_WEEKLY_HOURS = Decimal(35)
# Legal yearly working time of a full-time employee in France (35 h, with the
# "journée de solidarité"): the usual divisor of a yearly cost.
FULL_TIME_YEARLY_HOURS = Decimal(1607)

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

_WEEK = timedelta(days=7)
_LAST_MONDAY = date.max - timedelta(days=date.max.weekday())


# ------------------------------------------------------------------------- messages


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Message:
    """A French message: a ``%``-template and its (already formatted) parameters."""

    template: str
    params: tuple[tuple[str, str], ...] = ()

    def render(self, translate: Callable[[str], str] = _same) -> str:
        template = translate(self.template)
        return template % dict(self.params) if self.params else template

    def __str__(self) -> str:
        return self.render()


def _message(template: str, **params: object) -> Message:
    return Message(template, tuple((name, str(value)) for name, value in params.items()))


class TimeshareError(ValueError):
    """Invalid input to the planner or the billing, with a French message."""

    def __init__(self, template: str, **params: object) -> None:
        self.message = _message(template, **params)
        self.template = template
        self.params = dict(self.message.params)
        super().__init__(str(self.message))


def fr_number(value: Decimal | int) -> str:
    """``Decimal("7.50")`` → ``"7,5"``: no useless zeros, a decimal comma."""
    return format(Decimal(value).normalize(), "f").replace(".", ",")


def fr_date(day: date, *, weekday: bool = True) -> str:
    """``date(2025, 3, 1)`` → ``"samedi 1er mars 2025"``."""
    number = "1er" if day.day == 1 else str(day.day)
    text = f"{number} {MONTHS[day.month - 1]} {day.year}"
    return f"{WEEKDAYS[day.weekday()]} {text}" if weekday else text


def _plural(count: Decimal | int, singular: str, plural: str) -> str:
    """French agreement: plural from two on (``1,5 h réservée``, ``2 h réservées``)."""
    return plural if abs(count) >= 2 else singular


# --------------------------------------------------------------------------- checks


def _describe(value: object) -> str:
    return str(value) if isinstance(value, Decimal | int | date) else repr(value)


def _hours(value: object, *, what: str, positive: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TimeshareError(
            gettext_noop(
                "%(what)s doit être un nombre d'heures exact (Decimal ou entier), pas %(value)s."
            ),
            what=what,
            value=_describe(value),
        )
    hours = Decimal(value)
    if not hours.is_finite() or hours < 0 or (positive and hours == 0) or hours > 10**6:
        raise TimeshareError(
            gettext_noop(
                "%(what)s est invalide (%(value)s) : il faut un nombre d'heures %(rule)s."
            ),
            what=what,
            value=_describe(value),
            rule=gettext_noop("positif") if positive else gettext_noop("positif ou nul"),
        )
    return hours


def _money(value: object, *, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TimeshareError(
            gettext_noop("%(what)s doit être un montant exact (Decimal ou entier), pas %(value)s."),
            what=what,
            value=_describe(value),
        )
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0 or amount.adjusted() > 15:
        raise TimeshareError(
            gettext_noop("%(what)s est invalide (%(value)s) : il faut un montant positif ou nul."),
            what=what,
            value=_describe(value),
        )
    return amount


def _cents(value: object, *, what: str) -> Decimal:
    amount = _money(value, what=what)
    if amount != amount.quantize(Decimal("0.01"), rounding=ROUND_DOWN):
        raise TimeshareError(
            gettext_noop("%(what)s (%(value)s) a plus de deux décimales : en euros et centimes."),
            what=what,
            value=_describe(value),
        )
    return amount


def _day(value: object, *, what: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TimeshareError(
            gettext_noop("%(what)s doit être une date (sans heure), pas %(value)s."),
            what=what,
            value=_describe(value),
        )
    return value


def _weekday(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 6:
        raise TimeshareError(
            gettext_noop("Jour de la semaine invalide (%(value)s) : de 0 (lundi) à 6 (dimanche)."),
            value=_describe(value),
        )
    return int(value)


def _round_cents(value: Fraction) -> Decimal:
    """To the cent, halves away from zero, exactly."""
    cents = int(abs(value) * 100 + Fraction(1, 2))
    return Decimal(f"{cents if value >= 0 else -cents}E-2")


# ---------------------------------------------------------------------------- model


@dataclass(frozen=True, kw_only=True)
class Capacity:
    """What the shared employee can work: hours per week, and per weekday (Monday first)."""

    weekly_hours: Decimal
    daily_hours: tuple[Decimal, ...]

    def __post_init__(self) -> None:
        weekly = _hours(self.weekly_hours, what=gettext_noop("La capacité hebdomadaire"))
        if weekly == 0:
            raise TimeshareError(gettext_noop("La capacité hebdomadaire doit être positive."))
        daily = tuple(self.daily_hours)
        if len(daily) != 7:
            raise TimeshareError(
                gettext_noop(
                    "Il faut une disponibilité par jour, du lundi au dimanche (7 valeurs)."
                )
            )
        object.__setattr__(self, "weekly_hours", weekly)
        object.__setattr__(
            self,
            "daily_hours",
            tuple(
                _hours(hours, what=gettext_noop("La disponibilité du %s") % WEEKDAYS[index])
                for index, hours in enumerate(daily)
            ),
        )

    @classmethod
    def weekly(cls, weekly_hours: Hours, *, days: Mapping[int, Hours] | None = None) -> Capacity:
        """A capacity of ``weekly_hours``; ``days`` maps weekdays (0 = Monday) to hours.

        Without ``days``, Monday to Friday at a fifth of the week each (35 h → 7 h a day).
        Weekdays missing from ``days`` are not worked.
        """
        weekly = _hours(weekly_hours, what=gettext_noop("La capacité hebdomadaire"))
        if days is None:
            return cls(weekly_hours=weekly, daily_hours=(weekly / 5,) * 5 + (Decimal(0),) * 2)
        daily = [Decimal(0)] * 7
        for weekday, hours in days.items():
            daily[_weekday(weekday)] = hours
        return cls(weekly_hours=weekly, daily_hours=tuple(daily))


@dataclass(frozen=True, kw_only=True)
class Recurring:
    """Hours every week on one weekday (0 = Monday), between two optional dates (inclusive)."""

    member: Hashable
    weekday: int
    hours: Decimal
    starts: date | None = None
    ends: date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekday", _weekday(self.weekday))
        object.__setattr__(
            self,
            "hours",
            _hours(self.hours, what=gettext_noop("Le nombre d'heures"), positive=True),
        )
        if self.starts is not None:
            _day(self.starts, what=gettext_noop("La date de début"))
        if self.ends is not None:
            _day(self.ends, what=gettext_noop("La date de fin"))
        if self.starts is not None and self.ends is not None and self.ends < self.starts:
            raise TimeshareError(
                gettext_noop("La demande finit (%(ends)s) avant de commencer (%(starts)s)."),
                starts=fr_date(self.starts),
                ends=fr_date(self.ends),
            )

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and (self.starts is None or self.starts <= day)
            and (self.ends is None or day <= self.ends)
        )

    def breakpoints(self) -> tuple[date, ...]:
        return tuple(day for day in (self.starts, self.ends) if day is not None)


@dataclass(frozen=True, kw_only=True)
class OneOff:
    """Hours on one date."""

    member: Hashable
    day: date
    hours: Decimal

    def __post_init__(self) -> None:
        _day(self.day, what=gettext_noop("La date"))
        object.__setattr__(
            self,
            "hours",
            _hours(self.hours, what=gettext_noop("Le nombre d'heures"), positive=True),
        )

    def applies_on(self, day: date) -> bool:
        return day == self.day

    def breakpoints(self) -> tuple[date, ...]:
        return (self.day,)


Allocation = Recurring | OneOff


class ConflictKind(StrEnum):
    DAY_OFF = "day_off"  # the employee does not work that weekday
    DAY = "day"  # the day's capacity would be exceeded
    WEEK = "week"  # the week's capacity would be exceeded


@dataclass(frozen=True, kw_only=True)
class Conflict:
    """Why a request does not fit, at the first day where it does not."""

    kind: ConflictKind
    day: date | None  # None for a weekly pattern that conflicts from the start, undated
    weekday: int
    booked: Decimal  # hours already booked on that day (DAY) or in that week (WEEK)
    capacity: Decimal
    requested: Decimal
    message: Message

    @property
    def room(self) -> Decimal:
        return max(Decimal(0), self.capacity - self.booked)


@dataclass(frozen=True, kw_only=True)
class Alternative:
    """A request that would be accepted as it stands, and why it is offered."""

    request: Allocation
    message: Message


@dataclass(frozen=True, kw_only=True)
class PlanResult:
    request: Allocation
    accepted: bool
    available_hours: Decimal  # the most this request could get on its day(s)
    message: Message
    conflicts: tuple[Conflict, ...] = ()
    alternatives: tuple[Alternative, ...] = ()

    def explanation(self) -> str:
        """The whole answer in French, one line per point."""
        lines = [str(self.message)]
        lines += [str(conflict.message) for conflict in self.conflicts]
        if self.alternatives:
            lines.append(str(_message(gettext_noop("Autres possibilités :"))))
            lines += [f"- {alternative.message}" for alternative in self.alternatives]
        return "\n".join(lines)


# ------------------------------------------------------------------------- planning


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_days(monday: date) -> list[date]:
    last = 6 if monday < _LAST_MONDAY else (date.max - monday).days
    return [monday + timedelta(days=offset) for offset in range(last + 1)]


class _Bookings:
    """Existing allocations indexed so that a day's or a week's load costs O(recurring)."""

    def __init__(self, existing: tuple[Allocation, ...]) -> None:
        self.recurring = tuple(a for a in existing if isinstance(a, Recurring))
        self.by_day: dict[date, Decimal] = {}
        self.by_monday: dict[date, Decimal] = {}
        for allocation in existing:
            if isinstance(allocation, OneOff):
                day, monday = allocation.day, _monday(allocation.day)
                self.by_day[day] = self.by_day.get(day, Decimal(0)) + allocation.hours
                self.by_monday[monday] = self.by_monday.get(monday, Decimal(0)) + allocation.hours

    def day_load(self, day: date) -> Decimal:
        recurring = (r.hours for r in self.recurring if r.applies_on(day))
        return sum(recurring, self.by_day.get(day, Decimal(0)))

    def week_load(self, monday: date) -> Decimal:
        total = self.by_monday.get(monday, Decimal(0))
        for r in self.recurring:
            if (date.max - monday).days >= r.weekday and r.applies_on(
                monday + timedelta(days=r.weekday)
            ):
                total += r.hours
        return total


def _slots(request: Allocation, existing: tuple[Allocation, ...]) -> list[tuple[date, date]]:
    """The (Monday, day) pairs that stand for every day the request touches.

    Loads only change at breakpoints (a start, an end, a one-off date), so between
    two breakpoints every week looks the same: the week of each breakpoint and the
    week after it represent them all.

    A breakpoint counts if its *week* meets the request's weeks, not only if its day
    lies between the request's dates: a one-off on the Saturday after a request's
    last Wednesday still loads that Wednesday's week.
    """
    if isinstance(request, OneOff):
        return [(_monday(request.day), request.day)]
    first = request.starts or date.min
    last = request.ends or date.max
    first_monday, last_monday = _monday(first), _monday(last)
    points = {first}
    for allocation in existing:
        points.update(
            day for day in allocation.breakpoints() if first_monday <= _monday(day) <= last_monday
        )
    mondays: set[date] = set()
    for point in points:
        monday = _monday(point)
        mondays.add(monday)
        if monday < _LAST_MONDAY:
            mondays.add(monday + _WEEK)
    slots = []
    for monday in sorted(mondays):
        if (date.max - monday).days < request.weekday:
            continue
        day = monday + timedelta(days=request.weekday)
        if first <= day <= last:
            slots.append((monday, day))
    return slots


@dataclass(frozen=True)
class _Slot:
    monday: date
    day: date
    day_capacity: Decimal
    day_booked: Decimal
    week_booked: Decimal
    weekly_capacity: Decimal

    @property
    def room(self) -> Decimal:
        return min(self.day_capacity - self.day_booked, self.weekly_capacity - self.week_booked)


def _measure(
    capacity: Capacity, existing: tuple[Allocation, ...], request: Allocation
) -> list[_Slot]:
    bookings = _Bookings(existing)
    measured = [
        _Slot(
            monday=monday,
            day=day,
            day_capacity=capacity.daily_hours[day.weekday()],
            day_booked=bookings.day_load(day),
            week_booked=bookings.week_load(monday),
            weekly_capacity=capacity.weekly_hours,
        )
        for monday, day in _slots(request, existing)
    ]
    if not measured and isinstance(request, Recurring):  # a one-off always has its day
        raise TimeshareError(
            gettext_noop("Aucun %(weekday)s entre le %(starts)s et le %(ends)s."),
            weekday=WEEKDAYS[request.weekday],
            starts=fr_date(request.starts or date.min),
            ends=fr_date(request.ends or date.max),
        )
    return measured


def available_hours(
    capacity: Capacity, existing: Iterable[Allocation], request: Allocation
) -> Decimal:
    """The most hours ``request`` could take on its day(s), whatever hours it asks for."""
    slots = _measure(capacity, tuple(existing), request)
    return max(Decimal(0), min(slot.room for slot in slots))


def plan(capacity: Capacity, existing: Iterable[Allocation], request: Allocation) -> PlanResult:
    """Check ``request`` against the ``existing`` allocations of the employee.

    Accepted when, on every day it touches, the day's hours and the ISO week's hours
    stay within ``capacity``. Otherwise the result explains the first conflict (in
    date order) and offers alternatives: other days with room for all the hours,
    then the request with as many hours as fit.
    """
    if not isinstance(capacity, Capacity):
        raise TimeshareError(gettext_noop("Capacité invalide : %(value)s."), value=capacity)
    if not isinstance(request, Recurring | OneOff):
        raise TimeshareError(gettext_noop("Demande invalide : %(value)s."), value=request)
    existing = tuple(existing)
    for allocation in existing:
        if not isinstance(allocation, Recurring | OneOff):
            raise TimeshareError(
                gettext_noop("Réservation invalide : %(value)s."), value=allocation
            )

    slots = _measure(capacity, existing, request)
    available = max(Decimal(0), min(slot.room for slot in slots))
    blocked = next((slot for slot in slots if slot.room < request.hours), None)
    if blocked is None:
        return PlanResult(
            request=request,
            accepted=True,
            available_hours=available,
            message=_accepted_message(request),
        )
    dated = not (isinstance(request, Recurring) and request.starts is None and blocked is slots[0])
    return PlanResult(
        request=request,
        accepted=False,
        available_hours=available,
        message=_message(gettext_noop("La demande ne tient pas dans le planning.")),
        conflicts=_conflicts(request, blocked, dated=dated),
        alternatives=_alternatives(capacity, existing, request, available),
    )


def _accepted_message(request: Allocation) -> Message:
    if isinstance(request, OneOff):
        return _message(
            gettext_noop("La demande tient dans le planning : %(hours)s h le %(day)s."),
            hours=fr_number(request.hours),
            day=fr_date(request.day),
        )
    return _message(
        gettext_noop("La demande tient dans le planning : %(hours)s h chaque %(weekday)s."),
        hours=fr_number(request.hours),
        weekday=WEEKDAYS[request.weekday],
    )


_FULL_TEMPLATES = {
    ConflictKind.DAY: (
        gettext_noop("%(subject)s est déjà complet : %(booked)s h sur %(capacity)s h réservée"),
        gettext_noop("%(subject)s est déjà complet : %(booked)s h sur %(capacity)s h réservées"),
    ),
    ConflictKind.WEEK: (
        gettext_noop("%(subject)s est déjà complète : %(booked)s h sur %(capacity)s h réservée"),
        gettext_noop("%(subject)s est déjà complète : %(booked)s h sur %(capacity)s h réservées"),
    ),
}


def _conflicts(request: Allocation, slot: _Slot, *, dated: bool) -> tuple[Conflict, ...]:
    weekday = slot.day.weekday()
    if dated:
        day_subject = str(_message(gettext_noop("Le %(day)s"), day=fr_date(slot.day)))
        week_subject = str(
            _message(
                gettext_noop("La semaine du %(monday)s"), monday=fr_date(slot.monday, weekday=False)
            )
        )
    else:
        day_subject = WEEKDAYS[weekday].capitalize()
        week_subject = str(_message(gettext_noop("La semaine")))
    common = {"day": slot.day if dated else None, "weekday": weekday, "requested": request.hours}
    if slot.day_capacity == 0:
        message = _message(
            gettext_noop("%(subject)s n'est pas un jour travaillé"), subject=day_subject
        )
        return (
            Conflict(
                kind=ConflictKind.DAY_OFF,
                booked=slot.day_booked,
                capacity=Decimal(0),
                message=message,
                **common,
            ),
        )
    limits = (
        (ConflictKind.DAY, day_subject, slot.day_booked, slot.day_capacity),
        (ConflictKind.WEEK, week_subject, slot.week_booked, slot.weekly_capacity),
    )
    return tuple(
        Conflict(
            kind=kind,
            booked=booked,
            capacity=limit,
            message=_limit_message(
                kind, subject, booked=booked, capacity=limit, requested=request.hours
            ),
            **common,
        )
        for kind, subject, booked, limit in limits
        if limit - booked < request.hours
    )


def _limit_message(
    kind: ConflictKind, subject: str, *, booked: Decimal, capacity: Decimal, requested: Decimal
) -> Message:
    room = capacity - booked
    if room <= 0:
        return _message(
            _plural(booked, *_FULL_TEMPLATES[kind]),
            subject=subject,
            booked=fr_number(booked),
            capacity=fr_number(capacity),
        )
    return _message(
        gettext_noop(
            "%(subject)s n'a plus que %(room)s h de libre sur %(capacity)s h "
            "(demande : %(requested)s h)"
        ),
        subject=subject,
        room=fr_number(room),
        capacity=fr_number(capacity),
        requested=fr_number(requested),
    )


def _alternatives(
    capacity: Capacity,
    existing: tuple[Allocation, ...],
    request: Allocation,
    available: Decimal,
) -> tuple[Alternative, ...]:
    alternatives: list[Alternative] = []
    for candidate in _other_days(request):
        try:
            room = available_hours(capacity, existing, candidate)
        except TimeshareError:  # no such weekday between the request's dates
            continue
        if room >= request.hours:
            alternatives.append(
                Alternative(
                    request=candidate,
                    message=_message(
                        gettext_noop("%(when)s : %(room)s h de libre"),
                        when=_when(candidate).capitalize(),
                        room=fr_number(room),
                    ),
                )
            )
    if 0 < available < request.hours:
        reduced = replace(request, hours=available)
        alternatives.append(
            Alternative(
                request=reduced,
                message=_message(
                    gettext_noop("Réduire à %(hours)s h le %(when)s"),
                    hours=fr_number(available),
                    when=_when(reduced),
                ),
            )
        )
    return tuple(alternatives)


def _other_days(request: Allocation) -> list[Allocation]:
    if isinstance(request, Recurring):
        return [
            replace(request, weekday=weekday) for weekday in range(7) if weekday != request.weekday
        ]
    monday = _monday(request.day)
    days = [day for day in _week_days(monday) if day != request.day]
    if (date.max - request.day).days >= 7:
        days.append(request.day + _WEEK)  # the same weekday, the week after
    return [replace(request, day=day) for day in days]


def _when(request: Allocation) -> str:
    if isinstance(request, OneOff):
        return fr_date(request.day)
    return WEEKDAYS[request.weekday]


# -------------------------------------------------------------------------- billing


def hourly_cost(
    yearly_loaded_salary: Decimal | int, yearly_hours: Hours = FULL_TIME_YEARLY_HOURS
) -> Decimal:
    """Yearly loaded salary (employer's charges included) ÷ yearly hours, to the cent.

    ``yearly_hours`` defaults to the French full-time 1,607 hours.
    """
    salary = _cents(yearly_loaded_salary, what=gettext_noop("Le salaire annuel chargé"))
    hours = _hours(yearly_hours, what=gettext_noop("Le nombre d'heures annuel"), positive=True)
    return _round_cents(Fraction(salary) / Fraction(hours))


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
    cost = _money(hourly_cost, what=gettext_noop("Le coût horaire"))
    factor = _money(coefficient, what=gettext_noop("Le coefficient"))
    fee = _cents(monthly_fee, what=gettext_noop("Le montant des frais de gestion mensuels"))
    hours = {
        member: _hours(value, what=gettext_noop("Le nombre d'heures de « %s »") % member)
        for member, value in hours_by_member.items()
    }
    rate = _exact_product(cost, factor)
    fee_weights = hours if any(hours.values()) else dict.fromkeys(hours, 1)
    fee_shares = allocate(fee, fee_weights)
    bills = {}
    for member, worked in hours.items():
        amount = _round_cents(Fraction(worked) * Fraction(rate))
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


# --------------------------------------------------------------------------- demand


@dataclass(frozen=True, kw_only=True)
class Need:
    """A member's stated need for a kind of role, in hours per week."""

    member: Hashable
    role: str
    weekly_hours: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.role, str) or not self.role.split():
            raise TimeshareError(gettext_noop("Le besoin doit nommer un métier."))
        object.__setattr__(
            self,
            "weekly_hours",
            _hours(self.weekly_hours, what=gettext_noop("Le besoin hebdomadaire"), positive=True),
        )


@dataclass(frozen=True, kw_only=True)
class Proposal:
    """The demand for one role, and whether it is enough for a new shared post."""

    role: str
    members: tuple[Hashable, ...]
    weekly_hours: Decimal
    full_time_hours: Decimal
    share_of_full_time: Decimal  # weekly_hours / full_time_hours, rounded down to 0.0001
    sufficient: bool
    message: Message
    reasons: tuple[Message, ...] = field(default=())

    def explanation(self) -> str:
        return " : ".join([str(self.message), " ; ".join(map(str, self.reasons))])


def _role_key(role: str) -> str:
    decomposed = unicodedata.normalize("NFKD", " ".join(role.split()).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def demand_for_new_post(
    needs: Iterable[Need],
    *,
    full_time_hours: Hours = FULL_TIME_WEEKLY_HOURS,
    threshold: Decimal | int = Decimal("0.5"),
    min_members: int = 2,
    include_insufficient: bool = False,
) -> list[Proposal]:
    """Roles whose stated needs justify a new shared post.

    Needs are grouped by role (case, accents and spacing ignored); a member's needs
    for one role add up. A post is proposed when at least ``min_members`` firms ask
    for it and their hours reach ``threshold`` of a full-time week. Sorted by hours,
    most first; with ``include_insufficient``, the other roles follow, each saying
    what is missing.
    """
    full_time = _hours(full_time_hours, what=gettext_noop("Le temps plein"), positive=True)
    if isinstance(threshold, bool) or not isinstance(threshold, int | Decimal):
        raise TimeshareError(
            gettext_noop("Le seuil doit être une part exacte d'un temps plein, pas %(value)s."),
            value=_describe(threshold),
        )
    threshold = Decimal(threshold)
    if not threshold.is_finite() or threshold <= 0:
        raise TimeshareError(
            gettext_noop("Le seuil doit être une part positive d'un temps plein, pas %(value)s."),
            value=_describe(threshold),
        )
    if isinstance(min_members, bool) or not isinstance(min_members, int) or min_members < 2:
        raise TimeshareError(
            gettext_noop("Un poste partagé suppose au moins 2 entreprises (reçu : %(value)s)."),
            value=_describe(min_members),
        )

    hours_by_role: dict[str, dict[Hashable, Decimal]] = {}
    spellings: dict[str, Counter[str]] = {}
    for need in needs:
        if not isinstance(need, Need):
            raise TimeshareError(gettext_noop("Besoin invalide : %(value)s."), value=need)
        key = _role_key(need.role)
        members = hours_by_role.setdefault(key, {})
        members[need.member] = members.get(need.member, Decimal(0)) + need.weekly_hours
        spellings.setdefault(key, Counter())[" ".join(need.role.split())] += 1

    proposals = []
    for key, members in hours_by_role.items():
        label = min(spellings[key].items(), key=lambda item: (-item[1], item[0]))[0]
        proposal = _proposal(
            label,
            members,
            full_time=full_time,
            threshold=threshold,
            min_members=min_members,
        )
        if proposal.sufficient or include_insufficient:
            proposals.append(proposal)
    proposals.sort(key=lambda p: (not p.sufficient, -p.weekly_hours, -len(p.members), p.role))
    return proposals


def _proposal(
    label: str,
    members: dict[Hashable, Decimal],
    *,
    full_time: Decimal,
    threshold: Decimal,
    min_members: int,
) -> Proposal:
    total = sum(members.values(), Decimal(0))
    share = Fraction(total) / Fraction(full_time)
    count = len(members)
    enough_hours = share >= Fraction(threshold)
    enough_members = count >= min_members
    percent = fr_number(_floor(share * 100, places=1))
    if count == 1:
        message = _message(
            gettext_noop(
                "%(role)s : 1 entreprise demande %(hours)s h par semaine, "
                "soit %(percent)s %% d'un temps plein de %(full_time)s h"
            ),
            role=label,
            hours=fr_number(total),
            percent=percent,
            full_time=fr_number(full_time),
        )
    else:
        message = _message(
            gettext_noop(
                "%(role)s : %(count)s entreprises demandent au total %(hours)s h par semaine, "
                "soit %(percent)s %% d'un temps plein de %(full_time)s h"
            ),
            role=label,
            count=count,
            hours=fr_number(total),
            percent=percent,
            full_time=fr_number(full_time),
        )
    reasons: list[Message] = []
    if enough_hours and enough_members:
        reasons.append(
            _message(gettext_noop("assez pour plus d'un poste partagé"))
            if share > 1
            else _message(gettext_noop("assez pour créer un poste partagé"))
        )
    if not enough_hours:
        missing = Fraction(threshold) * Fraction(full_time) - Fraction(total)
        reasons.append(
            _message(
                gettext_noop(
                    "il manque %(missing)s h par semaine pour atteindre le seuil de "
                    "%(threshold)s %% d'un temps plein"
                ),
                missing=fr_number(_ceil(missing, places=2)),
                threshold=fr_number(threshold * 100),
            )
        )
    if not enough_members:
        reasons.append(
            _message(
                gettext_noop("il faut au moins %(min_members)s entreprises pour partager un poste"),
                min_members=min_members,
            )
        )
    return Proposal(
        role=label,
        members=tuple(sorted(members, key=lambda member: (str(member), repr(member)))),
        weekly_hours=total,
        full_time_hours=full_time,
        share_of_full_time=_floor(share, places=4),
        sufficient=enough_hours and enough_members,
        message=message,
        reasons=tuple(reasons),
    )


def _floor(value: Fraction, *, places: int) -> Decimal:
    scale = 10**places
    return Decimal(f"{value.numerator * scale // value.denominator}E-{places}")


def _ceil(value: Fraction, *, places: int) -> Decimal:
    scale = 10**places
    return Decimal(f"{-(-value.numerator * scale // value.denominator)}E-{places}")
