"""Times are stored in UTC and shown in the cluster's time zone (Europe/Paris); a month
is a Paris calendar month."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from grappe.engine.allocation import month_bounds


def paris():
    return timezone.get_default_timezone()


def to_local(moment: dt.datetime) -> dt.datetime:
    """An aware datetime → naive Paris wall-clock time (what the engine works with)."""
    return timezone.localtime(moment, paris()).replace(tzinfo=None)


def from_local(naive: dt.datetime) -> dt.datetime:
    """Naive Paris wall-clock time → aware datetime."""
    return timezone.make_aware(naive, paris())


def day_start(day: dt.date) -> dt.datetime:
    return from_local(dt.datetime.combine(day, dt.time()))


def days_range(first_day: dt.date, last_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first_day 00:00, last_day + 1 00:00) in Paris, as aware datetimes."""
    return day_start(first_day), day_start(last_day + dt.timedelta(days=1))


def month_of(moment_or_day) -> tuple[dt.date, dt.date]:
    """The Paris calendar month holding an aware datetime or a date."""
    day = (
        to_local(moment_or_day).date() if isinstance(moment_or_day, dt.datetime) else moment_or_day
    )
    return month_bounds(day.year, day.month)


def parse_month(value: str | None, default: dt.date) -> tuple[dt.date, dt.date]:
    """``"2026-11"`` → the month's bounds; a bad or missing value → the default's month."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return month_bounds(year, month)
    except (ValueError, TypeError):
        return month_bounds(default.year, default.month)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())
