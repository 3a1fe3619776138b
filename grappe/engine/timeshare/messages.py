"""French messages of the time-share engine: templates kept with their parameters.

Every user-facing text is a `Message` (a ``%``-template marked with `gettext_noop`
and its parameters, already formatted) so that the application can translate it;
numbers and dates are written the French way (`fr_number`, `fr_date`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

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

    @classmethod
    def of(cls, template: str, **params: object) -> Message:
        """``Message.of("Le %(day)s", day=...)``: the parameters turned into text."""
        return cls(template, tuple((name, str(value)) for name, value in params.items()))


class TimeshareError(ValueError):
    """Invalid input to the planner or the billing, with a French message."""

    def __init__(self, template: str, **params: object) -> None:
        self.message = Message.of(template, **params)
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


def plural_form(count: Decimal | int, singular: str, plural: str) -> str:
    """French agreement: plural from two on (``1,5 h réservée``, ``2 h réservées``)."""
    return plural if abs(count) >= 2 else singular
