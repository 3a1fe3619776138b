"""Helpers of the calls tests: calls with deadlines relative to today (no wall-clock
dependency), a catalogue of two recorded samples."""

from __future__ import annotations

import datetime as dt
from itertools import count
from pathlib import Path

import pytest
from django.utils import timezone

from grappe.calls.importers import documents, fingerprint
from grappe.calls.models import Call

DATA = Path(__file__).resolve().parents[1] / "data" / "calls"
AT_PAGE = Path(__file__).resolve().parents[1] / "engine" / "data" / "aides_territoires_page.json"
_ids = count(1)

PERIMETERS = {
    "fr": ("country", "France", " fr "),
    "eu": ("continent", "Europe", " eu "),
    "idf": ("region", "Île-de-France", " reg:11 "),
    "paris": ("department", "Paris", " dep:75 "),
    "lyon": ("department", "Rhône", " dep:69 "),
}


def make_call(
    name: str = "Aide aux studios d'enregistrement",
    *,
    where: str = "fr",
    audiences=("private_sector", "association"),
    days: int | None = 30,
    description: str = "Soutien à l'enregistrement et au mixage d'albums dans un studio.",
    categories=("Culture et identité collective / patrimoine / sports|Spectacle vivant",),
    financers=("Centre national de la musique (CNM)",),
    source: str = "csv",
    **extra,
) -> Call:
    scale, perimeter_name, keys = PERIMETERS[where]
    fields = {
        "name": name,
        "description": description,
        "eligibility": extra.pop("eligibility", ""),
        "financers": list(financers),
        "programs": [],
        "categories": list(categories),
        "targeted_audiences": list(audiences),
        "aid_types": extra.pop("aid_types", ["grant"]),
        "perimeter_label": perimeter_name,
        "perimeter_scale": scale,
        "perimeter_name": perimeter_name,
        "perimeter_keys": keys,
    }
    fields.update(documents(fields))
    deadline = timezone.localdate() + dt.timedelta(days=days) if days is not None else None
    return Call.objects.create(
        source=source,
        source_id=extra.pop("source_id", f"T-{next(_ids)}"),
        submission_deadline=deadline,
        recurrence=extra.pop("recurrence", "oneoff"),
        fingerprint=fingerprint(fields),
        **fields,
        **extra,
    )


@pytest.fixture
def call_factory(db):
    return make_call
