"""Billing fixtures: a billing profile for Paris, and a registrable fake charge source."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from grappe.core import charges
from grappe.core.charges import ChargeLine


@pytest.fixture
def profile(world):
    from grappe.billing import services

    return services.billing_profile_update(
        by=world.actor(world.manager),
        legal_name="Association Musique Paris 18e",
        siret="73282932000074",
        address="14 rue Myrha",
        postcode="75018",
        city="Paris",
        vat_subject=True,
        default_vat_rate=Decimal("20.00"),
        payment_terms_days=30,
        late_penalty_rate=Decimal("12.00"),
        iban="FR7630004000031234567890143",
        bic="BNPAFRPP",
        invoice_footer="Association loi 1901.",
    )


class FakeSource:
    """A charge source whose lines the test sets: ``source.lines[cluster_slug] = [...]``."""

    def __init__(self):
        self.lines: dict[str, list[ChargeLine]] = {}
        self.filter_dates = True  # False: return every line, even outside the period

    def __call__(self, cluster, first_day, last_day):
        return [
            line
            for line in self.lines.get(cluster.slug, [])
            if not self.filter_dates or first_day <= line.date <= last_day
        ]


@pytest.fixture
def source(monkeypatch):
    """A fake charge source registered for the test only (membership fees stay registered)."""
    fake = FakeSource()
    registry = dict(charges._sources)
    registry["test"] = fake
    monkeypatch.setattr(charges, "_sources", registry)
    return fake


def line(org, key, amount, *, day=dt.date(2026, 3, 10), rate="20", alone=None, qty="1", **kw):
    amount = Decimal(amount)
    return ChargeLine(
        source_key=key,
        organisation_id=org.pk,
        date=day,
        category=kw.pop("category", "booking"),
        label=kw.pop("label", f"Réservation {key}"),
        quantity=Decimal(qty),
        unit=kw.pop("unit", "h"),
        unit_price=kw.pop("unit_price", (amount / Decimal(qty)).quantize(Decimal("0.0001"))),
        amount=amount,
        vat_rate=Decimal(rate),
        alone_amount=None if alone is None else Decimal(alone),
    )
