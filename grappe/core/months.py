"""Paris calendar months: a month is named by its first day; its bounds are aware datetimes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month_end(month: dt.date) -> dt.date:
    """The month's last day."""
    return next_month(month) - dt.timedelta(days=1)


def bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first instant, first instant of the next month) in Paris time."""
    start = dt.datetime.combine(month.replace(day=1), dt.time(), tzinfo=PARIS)
    end = dt.datetime.combine(next_month(month), dt.time(), tzinfo=PARIS)
    return start, end


def last_months(until: dt.date, count: int) -> list[dt.date]:
    """``count`` months ending with ``until``'s month, oldest first."""
    months = [month_start(until)]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    return months[::-1]


def parse_month(value: str) -> dt.date:
    """'2026-03' → date(2026, 3, 1); ValueError otherwise."""
    year, _sep, month = value.strip().partition("-")
    if not (len(year) == 4 and year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        raise ValueError(value)
    return dt.date(int(year), int(month), 1)
