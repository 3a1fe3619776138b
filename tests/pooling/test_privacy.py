"""People's data in pooling: exported with the rest, erased without losing the firms' rows."""

import datetime as dt
from decimal import Decimal

import pytest

from grappe.core.privacy import personal_data_erase, personal_data_export
from grappe.pooling.models import Booking, Pledge, Study, WaitlistEntry
from tests.pooling.conftest import MONDAY, at, make_resource

pytestmark = pytest.mark.django_db


def test_a_person_exports_and_erases_their_pooling_data(world):
    room = make_resource(world.paris)
    booking = Booking.objects.create(
        resource=room,
        organisation=world.org_a,
        booked_by=world.member_a,
        starts_at=at(MONDAY, "10:00"),
        ends_at=at(MONDAY, "11:00"),
        note="Répétition",
    )
    entry = WaitlistEntry.objects.create(
        resource=room,
        organisation=world.org_a,
        user=world.member_a,
        starts_at=at(MONDAY, "12:00"),
        ends_at=at(MONDAY, "13:00"),
    )
    study = Study.objects.create(
        cluster=world.paris,
        title="Étude",
        description="…",
        total_price=Decimal("100"),
        pledge_deadline=dt.date(2030, 1, 1),
    )
    Pledge.objects.create(study=study, organisation=world.org_a, pledged_by=world.member_a)
    data = personal_data_export(world.member_a)["pooling"]
    assert data["bookings"][0]["resource"] == "Salle de répétition Myrha"
    assert data["bookings"][0]["note"] == "Répétition"
    assert data["waitlist"][0]["status"] == "waiting"
    assert data["pledges"] == [{"study": "Étude", "organisation": "Studio Alpha"}]
    personal_data_erase(world.member_a)
    booking.refresh_from_db()
    entry.refresh_from_db()
    assert booking.booked_by is None and booking.status == Booking.Status.CONFIRMED  # the firm's
    assert entry.user is None and entry.status == WaitlistEntry.Status.WITHDRAWN
    assert Pledge.objects.get().pledged_by is None
