"""Fixtures of the pooling tests: a rehearsal room of the Paris cluster, a clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from grappe.pooling.models import Resource
from grappe.pooling.periods import from_local

# A Monday in the future of every fixed clock below: 2030-03-04.
MONDAY = dt.date(2030, 3, 4)
NOW = from_local(dt.datetime.combine(dt.date(2030, 3, 1), dt.time(9, 0)))  # the Friday before


def at(day: dt.date, hhmm: str, days: int = 0) -> dt.datetime:
    """An aware datetime: Paris wall-clock ``hhmm`` on ``day`` (+ days)."""
    h, m = map(int, hhmm.split(":"))
    return from_local(dt.datetime.combine(day + dt.timedelta(days=days), dt.time(h, m)))


def make_resource(cluster, **extra) -> Resource:
    data = {
        "cluster": cluster,
        "kind": Resource.Kind.ROOM,
        "name": "Salle de répétition Myrha",
        "opening_hours": ["09:00-22:00"] * 6 + [""],
        "slot_minutes": 60,
        "price": Decimal("12.00"),
        "alone_price_per_hour": Decimal("25.00"),
        "cancellation_deadline_hours": 24,
        **extra,
    }
    return Resource.objects.create(**data)


@pytest.fixture
def room(world):
    return make_resource(world.paris)
