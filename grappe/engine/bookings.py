"""Bookings of shared resources: opening hours, slots, booking rules and occupancy.

Pure Python: local wall-clock times (naive ``datetime``, the cluster's time zone) in
and out; the application converts to and from UTC. Opening hours are, per weekday
(Monday first), a tuple of intervals in minutes from midnight, ``(540, 1320)`` for
09:00-22:00; an interval may end at 1440 (midnight), and a day ending at midnight
followed by one opening at 00:00 makes one stretch, so a van can be booked over a
weekend. Closures are whole days (first and last day inclusive).

A request is checked by `booking_refusals`, which lists every broken rule (empty
list: the request may be booked) as `Refusal` messages: French ``%``-templates and
their parameters, so the application can translate them. Overlap with other
bookings is the database's business, not this module's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from grappe.engine.allocation import gettext_noop

DAY_MINUTES = 24 * 60
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

Interval = tuple[int, int]  # minutes from midnight, start < end <= 1440
DayHours = tuple[Interval, ...]
WeeklyHours = tuple[DayHours, ...]  # 7 entries, Monday first
Closure = tuple[date, date]  # first and last day, inclusive
Span = tuple[datetime, datetime]


def _same(text: str) -> str:
    return text


class BookingError(ValueError):
    """Invalid input (opening hours, rules), with a French message."""

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = {name: str(value) for name, value in params.items()}
        super().__init__(template % self.params if self.params else template)


@dataclass(frozen=True)
class Refusal:
    """One broken rule: a stable code, a French template and its parameters."""

    code: str
    template: str
    params: tuple[tuple[str, str], ...] = ()

    def render(self, translate: Callable[[str], str] = _same) -> str:
        template = translate(self.template)
        return template % dict(self.params) if self.params else template

    def __str__(self) -> str:
        return self.render()


def _refusal(code: str, template: str, **params: object) -> Refusal:
    return Refusal(code, template, tuple((k, str(v)) for k, v in params.items()))


# ----------------------------------------------------------------- opening hours

_INTERVAL = re.compile(r"^\s*(\d{1,2})(?:[:hH](\d{2})?)?\s*[-–à]\s*(\d{1,2})(?:[:hH](\d{2})?)?\s*$")


def parse_day_hours(text: str) -> DayHours:
    """``"09:00-12:00, 14h-22h"`` → ``((540, 720), (840, 1320))``; empty text: closed.

    Refuses overlapping or reversed intervals with a French message.
    """
    text = (text or "").strip()
    if not text or text.lower() in {"fermé", "ferme", "-", "—"}:
        return ()
    intervals = []
    for part in re.split(r"[,;/]", text):
        if not part.strip():
            continue
        match = _INTERVAL.match(part)
        if not match:
            raise BookingError(
                gettext_noop(
                    "Horaires illisibles : « %(text)s ». Écrivez par exemple 09:00-12:00, "
                    "14:00-22:00 (vide si fermé)."
                ),
                text=part.strip(),
            )
        h1, m1, h2, m2 = (int(g) if g else 0 for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59 or start > DAY_MINUTES or end > DAY_MINUTES:
            raise BookingError(gettext_noop("Heure invalide : « %(text)s »."), text=part.strip())
        if end <= start:
            raise BookingError(
                gettext_noop("L'intervalle « %(text)s » finit avant de commencer."),
                text=part.strip(),
            )
        intervals.append((start, end))
    intervals.sort()
    for (_s1, e1), (s2, _e2) in pairwise(intervals):
        if s2 < e1:
            raise BookingError(
                gettext_noop("Des intervalles se chevauchent : « %(text)s »."), text=text
            )
    return tuple(intervals)


def parse_weekly_hours(days: Sequence[str]) -> WeeklyHours:
    """Seven texts, Monday first, each parsed by `parse_day_hours`."""
    if len(days) != 7:
        raise BookingError(gettext_noop("Il faut des horaires pour chaque jour (7 valeurs)."))
    parsed = []
    for index, text in enumerate(days):
        try:
            parsed.append(parse_day_hours(text))
        except BookingError as exc:
            raise BookingError(
                gettext_noop("%(day)s : %(error)s"), day=WEEKDAYS[index].capitalize(), error=exc
            ) from None
    return tuple(parsed)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_day_hours(hours: DayHours) -> str:
    """``((540, 720),)`` → ``"09:00-12:00"``; closed → ``""``."""
    return ", ".join(f"{_hhmm(s)}-{_hhmm(e)}" for s, e in hours)


def _at(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time()) + timedelta(minutes=minutes)


def _closed(day: date, closures: Iterable[Closure]) -> bool:
    return any(first <= day <= last for first, last in closures)


def open_spans(
    first_day: date, last_day: date, weekly: WeeklyHours, closures: Iterable[Closure] = ()
) -> list[Span]:
    """The opening stretches between two days (inclusive), merged across midnight."""
    closures = tuple(closures)
    spans: list[Span] = []
    day = first_day
    while day <= last_day:
        if not _closed(day, closures):
            for start, end in weekly[day.weekday()]:
                span = (_at(day, start), _at(day, end))
                if spans and spans[-1][1] == span[0]:
                    spans[-1] = (spans[-1][0], span[1])
                else:
                    spans.append(span)
        day += timedelta(days=1)
    return spans


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes from ``start`` to ``end`` (a booking's length, a slot's)."""
    return _minutes(end - start)


def _span_containing(start: datetime, end: datetime, spans: list[Span]) -> Span | None:
    return next((span for span in spans if span[0] <= start and end <= span[1]), None)


def day_slots(
    day: date, weekly: WeeklyHours, closures: Iterable[Closure], slot_minutes: int
) -> list[Span]:
    """The bookable slots of a day: each opening interval cut in slots from its start."""
    if slot_minutes <= 0:
        raise BookingError(gettext_noop("La durée d'un créneau doit être positive."))
    if _closed(day, tuple(closures)):
        return []
    slots = []
    for start, end in weekly[day.weekday()]:
        cursor = start
        while cursor + slot_minutes <= end:
            slots.append((_at(day, cursor), _at(day, cursor + slot_minutes)))
            cursor += slot_minutes
    return slots


def open_minutes(
    first_day: date, last_day: date, weekly: WeeklyHours, closures: Iterable[Closure] = ()
) -> int:
    """Minutes open between two days (inclusive)."""
    return sum(
        _minutes(end - start) for start, end in open_spans(first_day, last_day, weekly, closures)
    )


# ------------------------------------------------------------------------ rules


@dataclass(frozen=True, kw_only=True)
class Rules:
    slot_minutes: int = 60
    min_notice_minutes: int = 0
    max_minutes_per_month: int | None = None  # per member firm, per calendar month
    cancellation_deadline_minutes: int = 0


def _fr_duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not rest:
        return f"{hours} h"
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}"


def _fr_datetime(moment: datetime) -> str:
    return (
        f"{moment.day:02d}/{moment.month:02d}/{moment.year} {moment.hour:02d}:{moment.minute:02d}"
    )


def booking_refusals(
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    weekly: WeeklyHours,
    closures: Iterable[Closure] = (),
    rules: Rules,
    booked_minutes_in_month: int = 0,
) -> list[Refusal]:
    """Every rule a request breaks (local times); an empty list means it may be booked.

    Checked: the order of start and end, a start in the future with the minimum
    notice, whole slots from the start of an opening stretch, within opening hours
    and outside closures, and the firm's monthly maximum (``booked_minutes_in_month``
    is what the firm already holds that month, this request excluded).
    """
    closures = tuple(closures)
    if end <= start:
        return [_refusal("order", gettext_noop("La fin doit être après le début."))]
    refusals = []
    if start <= now:
        refusals.append(
            _refusal("past", gettext_noop("Ce créneau est passé : choisissez un horaire à venir."))
        )
    elif start - now < timedelta(minutes=rules.min_notice_minutes):
        refusals.append(
            _refusal(
                "notice",
                gettext_noop("Il faut réserver au moins %(notice)s à l'avance."),
                notice=_fr_duration(rules.min_notice_minutes),
            )
        )
    duration = _minutes(end - start)
    span = None
    if any(
        _closed(start.date() + timedelta(days=d), closures) for d in range((end - start).days + 1)
    ):
        refusals.append(_refusal("closed", gettext_noop("La ressource est fermée à ces dates.")))
    else:
        spans = open_spans(start.date() - timedelta(days=1), end.date(), weekly, closures)
        span = _span_containing(start, end, spans)
        if span is None:
            refusals.append(
                _refusal(
                    "hours",
                    gettext_noop(
                        "Du %(start)s au %(end)s, la ressource n'est pas ouverte en continu : "
                        "consultez ses horaires."
                    ),
                    start=_fr_datetime(start),
                    end=_fr_datetime(end),
                )
            )
    if span is not None and (
        duration % rules.slot_minutes or _offset_in_interval(start, weekly) % rules.slot_minutes
    ):
        refusals.append(
            _refusal(
                "slot",
                gettext_noop("Les réservations se font par créneaux de %(slot)s."),
                slot=_fr_duration(rules.slot_minutes),
            )
        )
    if (
        rules.max_minutes_per_month is not None
        and booked_minutes_in_month + duration > rules.max_minutes_per_month
    ):
        left = max(0, rules.max_minutes_per_month - booked_minutes_in_month)
        refusals.append(
            _refusal(
                "quota",
                gettext_noop(
                    "Votre structure dépasserait le maximum de %(max)s par mois pour cette "
                    "ressource (il lui reste %(left)s)."
                ),
                max=_fr_duration(rules.max_minutes_per_month),
                left=_fr_duration(left),
            )
        )
    return refusals


def _offset_in_interval(start: datetime, weekly: WeeklyHours) -> int:
    """Minutes from the opening of the interval (of the start's day) holding the start."""
    minute = start.hour * 60 + start.minute
    for low, high in weekly[start.weekday()]:
        if low <= minute < high:
            return _minutes(start - _at(start.date(), low))
    return 0  # inside a stretch that began the day before: counted from midnight


def cancellation_refusal(start: datetime, *, now: datetime, rules: Rules) -> Refusal | None:
    """Why a booking can no longer be cancelled by its firm, or None."""
    if start <= now:
        return _refusal(
            "started",
            gettext_noop("Une réservation commencée ou passée ne peut plus être annulée."),
        )
    if start - now < timedelta(minutes=rules.cancellation_deadline_minutes):
        return _refusal(
            "deadline",
            gettext_noop(
                "L'annulation n'est plus possible moins de %(deadline)s avant le début : "
                "contactez l'équipe de la grappe."
            ),
            deadline=_fr_duration(rules.cancellation_deadline_minutes),
        )
    return None


# -------------------------------------------------------------------- occupancy


@dataclass(frozen=True)
class Occupancy:
    booked_minutes: int  # booked and open
    open_minutes: int

    @property
    def ratio(self) -> float | None:
        """For display only (money never goes through this)."""
        return self.booked_minutes / self.open_minutes if self.open_minutes else None

    @property
    def percent(self) -> int | None:
        if not self.open_minutes:
            return None
        return (self.booked_minutes * 100 + self.open_minutes // 2) // self.open_minutes


def occupancy(
    bookings: Iterable[Span],
    first_day: date,
    last_day: date,
    weekly: WeeklyHours,
    closures: Iterable[Closure] = (),
) -> Occupancy:
    """Booked time within opening hours over open time, between two days (inclusive).

    Bookings must not overlap one another (the database guarantees it).
    """
    spans = open_spans(first_day, last_day, weekly, closures)
    booked = 0
    for start, end in bookings:
        for low, high in spans:
            overlap = min(end, high) - max(start, low)
            if overlap > timedelta(0):
                booked += _minutes(overlap)
    return Occupancy(booked_minutes=booked, open_minutes=sum(_minutes(e - s) for s, e in spans))
