"""The time-share model: what the employee can work, what members book, what `plan` answers.

`Capacity` is hours per week and per weekday; an `Allocation` is `Recurring` (a
weekday every week, between two optional dates, inclusive) or `OneOff` (a date).
`PlanResult` carries the answer, its `Conflict` and the `Alternative` requests.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from grappe.engine.allocation import gettext_noop
from grappe.engine.timeshare.checks import Hours, check_day, check_hours, check_weekday
from grappe.engine.timeshare.messages import WEEKDAYS, Message, TimeshareError, fr_date


@dataclass(frozen=True, kw_only=True)
class Capacity:
    """What the shared employee can work: hours per week, and per weekday (Monday first)."""

    weekly_hours: Decimal
    daily_hours: tuple[Decimal, ...]

    def __post_init__(self) -> None:
        weekly = check_hours(self.weekly_hours, what=gettext_noop("La capacité hebdomadaire"))
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
                check_hours(hours, what=gettext_noop("La disponibilité du %s") % WEEKDAYS[index])
                for index, hours in enumerate(daily)
            ),
        )

    @classmethod
    def weekly(cls, weekly_hours: Hours, *, days: Mapping[int, Hours] | None = None) -> Capacity:
        """A capacity of ``weekly_hours``; ``days`` maps weekdays (0 = Monday) to hours.

        Without ``days``, Monday to Friday at a fifth of the week each (35 h → 7 h a day).
        Weekdays missing from ``days`` are not worked.
        """
        weekly = check_hours(weekly_hours, what=gettext_noop("La capacité hebdomadaire"))
        if days is None:
            return cls(weekly_hours=weekly, daily_hours=(weekly / 5,) * 5 + (Decimal(0),) * 2)
        daily = [Decimal(0)] * 7
        for weekday, hours in days.items():
            daily[check_weekday(weekday)] = hours
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
        object.__setattr__(self, "weekday", check_weekday(self.weekday))
        object.__setattr__(
            self,
            "hours",
            check_hours(self.hours, what=gettext_noop("Le nombre d'heures"), positive=True),
        )
        if self.starts is not None:
            check_day(self.starts, what=gettext_noop("La date de début"))
        if self.ends is not None:
            check_day(self.ends, what=gettext_noop("La date de fin"))
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
        check_day(self.day, what=gettext_noop("La date"))
        object.__setattr__(
            self,
            "hours",
            check_hours(self.hours, what=gettext_noop("Le nombre d'heures"), positive=True),
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
            lines.append(str(Message.of(gettext_noop("Autres possibilités :"))))
            lines += [f"- {alternative.message}" for alternative in self.alternatives]
        return "\n".join(lines)
