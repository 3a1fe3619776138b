"""Planning: does a request fit the employee's week, and if not, why and what would.

`plan` checks a request against the existing allocations: it is accepted only if,
on every day the request touches, neither the day's nor the ISO week's capacity is
exceeded. Otherwise the `PlanResult` explains the first conflict in French and
offers alternatives that would be accepted as they stand: other days with room, or
fewer hours. `available_hours` is the most a request could get.

A weekly request touches countless days; loads only change at breakpoints (a start,
an end, a one-off date), so a few representative weeks are measured (`_slots`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from grappe.engine.allocation import gettext_noop
from grappe.engine.timeshare.messages import (
    WEEKDAYS,
    Message,
    TimeshareError,
    fr_date,
    fr_number,
    plural_form,
)
from grappe.engine.timeshare.model import (
    Allocation,
    Alternative,
    Capacity,
    Conflict,
    ConflictKind,
    OneOff,
    PlanResult,
    Recurring,
)

_WEEK = timedelta(days=7)
_LAST_MONDAY = date.max - timedelta(days=date.max.weekday())


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
        message=Message.of(gettext_noop("La demande ne tient pas dans le planning.")),
        conflicts=_conflicts(request, blocked, dated=dated),
        alternatives=_alternatives(capacity, existing, request, available),
    )


def _accepted_message(request: Allocation) -> Message:
    if isinstance(request, OneOff):
        return Message.of(
            gettext_noop("La demande tient dans le planning : %(hours)s h le %(day)s."),
            hours=fr_number(request.hours),
            day=fr_date(request.day),
        )
    return Message.of(
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
        day_subject = str(Message.of(gettext_noop("Le %(day)s"), day=fr_date(slot.day)))
        week_subject = str(
            Message.of(
                gettext_noop("La semaine du %(monday)s"), monday=fr_date(slot.monday, weekday=False)
            )
        )
    else:
        day_subject = WEEKDAYS[weekday].capitalize()
        week_subject = str(Message.of(gettext_noop("La semaine")))
    common = {"day": slot.day if dated else None, "weekday": weekday, "requested": request.hours}
    if slot.day_capacity == 0:
        message = Message.of(
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
        return Message.of(
            plural_form(booked, *_FULL_TEMPLATES[kind]),
            subject=subject,
            booked=fr_number(booked),
            capacity=fr_number(capacity),
        )
    return Message.of(
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
                    message=Message.of(
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
                message=Message.of(
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
