"""Bookings refused for lack of room are kept as unmet demand: the hours feed an indicator,
the firm's note feeds the needs radar (private to the firm and the managers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from grappe.core import texts
from grappe.core.privacy import personal_data_erase, personal_data_export
from grappe.pooling import indicators
from grappe.pooling.models import Booking, Resource, UnmetDemand
from grappe.pooling.services import bookings as services
from grappe.pooling.texts import refused_booking_notes
from tests.pooling.conftest import MONDAY, NOW, at, make_resource

pytestmark = pytest.mark.django_db


def book(world, room, user="member_a", org=None, start="10:00", end="12:00", day=MONDAY, **kw):
    org = org or (world.org_a if user in ("member_a", "manager") else world.org_b)
    return services.booking_create(
        resource=room,
        organisation=org,
        by=world.actor(getattr(world, user)),
        starts_at=at(day, start),
        ends_at=at(day, end),
        now=NOW,
        **kw,
    )


def test_a_booking_refused_for_a_taken_slot_is_kept_with_its_note(world, room):
    book(world, room)
    with pytest.raises(ValidationError):
        book(world, room, user="member_b", start="11:00", end="13:00", note="  Répéter  le set ")
    assert Booking.objects.count() == 1
    demand = UnmetDemand.objects.get()
    assert (demand.resource, demand.organisation, demand.user) == (
        room,
        world.org_b,
        world.member_b,
    )
    assert (demand.starts_at, demand.ends_at) == (at(MONDAY, "11:00"), at(MONDAY, "13:00"))
    assert (demand.note, demand.attempts, demand.minutes) == ("Répéter le set", 1, 120)


def test_asking_again_counts_an_attempt_and_keeps_the_latest_note(world, room):
    book(world, room)
    for note in ("Enregistrer une maquette", "", "Maquette pour le label"):
        with pytest.raises(ValidationError):
            book(world, room, user="member_b", note=note)
    demand = UnmetDemand.objects.get()
    assert (demand.attempts, demand.note) == (3, "Maquette pour le label")


def test_requests_breaking_a_rule_are_not_unmet_demand(world, room):
    book(world, room)
    with pytest.raises(ValidationError):  # outside opening hours, and taken: a rule broken
        book(world, room, user="member_b", start="08:00", end="11:00", note="Tôt")
    with pytest.raises(ValidationError):
        book(world, room, user="member_b", start="12:00", end="11:00")
    with pytest.raises(PermissionDenied):  # for another firm
        book(world, room, user="member_b", org=world.org_a, note="Pour eux")
    assert not UnmetDemand.objects.exists()


def test_the_radar_source_gives_notes_privately_and_per_cluster(world, room):
    book(world, room)
    with pytest.raises(ValidationError):
        book(world, room, user="member_b", note="Un local pour stocker nos flight-cases")
    with pytest.raises(ValidationError):
        book(world, room, user="member_b", start="10:00", end="11:00")  # no note: no text
    lyon_room = make_resource(world.lyon)
    UnmetDemand.objects.create(
        resource=lyon_room,
        organisation=world.org_lyon,
        starts_at=at(MONDAY, "10:00"),
        ends_at=at(MONDAY, "11:00"),
        note="À Lyon",
    )
    (text,) = refused_booking_notes(world.paris)
    assert (text.text, text.title) == ("Un local pour stocker nos flight-cases", "")
    assert (text.organisation_id, text.visibility) == (world.org_b.pk, texts.PRIVATE)
    assert text.date == timezone.localdate()
    assert "pooling.refused_bookings" in texts.text_sources()


def test_unmet_hours_by_kind_of_the_paris_month(world):
    room = make_resource(world.paris)
    van = make_resource(world.paris, name="Camion", kind=Resource.Kind.VEHICLE)
    march = dt.date(2026, 3, 1)
    for resource, day, start, end in (
        (room, dt.date(2026, 3, 4), "10:00", "12:30"),
        (room, dt.date(2026, 3, 31), "20:00", "22:00"),  # still March in Paris
        (room, dt.date(2026, 4, 1), "00:30", "02:00"),  # April in Paris
        (van, dt.date(2026, 3, 6), "08:00", "17:00"),
    ):
        UnmetDemand.objects.create(
            resource=resource,
            organisation=world.org_a,
            starts_at=at(day, start),
            ends_at=at(day, end),
        )
    assert indicators.unmet_hours_by_kind(world.paris, march) == {
        "Salle": D("4.5"),
        "Véhicule": D("9.0"),
    }
    assert indicators.unmet_hours_by_kind(world.paris, dt.date(2026, 4, 1)) == {"Salle": D("1.5")}
    assert indicators.unmet_hours_by_kind(world.lyon, march) == {}


def test_a_person_exports_and_erases_their_unmet_demand(world, room):
    book(world, room)
    with pytest.raises(ValidationError):
        book(world, room, user="member_b", note="Maquette")
    data = personal_data_export(world.member_b)["pooling"]
    assert data["unmet_demand"][0]["note"] == "Maquette"
    assert data["unmet_demand"][0]["resource"] == room.name
    personal_data_erase(world.member_b)
    demand = UnmetDemand.objects.get()
    assert demand.user is None and demand.note == "Maquette"  # the firm's, as its bookings


def test_the_booking_page_keeps_the_refused_request(client, world, room):
    book(world, room)
    client.force_login(world.member_b)
    response = client.post(
        f"/c/paris/pooling/resources/{room.pk}/book/",
        {
            "organisation": world.org_b.pk,
            "start": at(MONDAY, "10:00").isoformat(),
            "end": at(MONDAY, "11:00").isoformat(),
            "note": "Une salle pour répéter avant la tournée",
        },
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "déjà réservé" in body
    assert "demande est notée" in body
    assert response["HX-Trigger"] == "slots-changed"  # the calendar on screen redraws
    demand = UnmetDemand.objects.get()
    assert (demand.organisation, demand.note) == (
        world.org_b,
        "Une salle pour répéter avant la tournée",
    )


def test_the_occupancy_page_shows_the_refused_hours_and_the_managers_read_the_notes(
    client, world, room
):
    book(world, room)
    with pytest.raises(ValidationError):
        book(world, room, user="member_b", note="Filage du spectacle de fin d'année")
    lyon_room = make_resource(world.lyon, name="Plateau Lyon")
    UnmetDemand.objects.create(
        resource=lyon_room,
        organisation=world.org_lyon,
        starts_at=at(MONDAY, "10:00"),
        ends_at=at(MONDAY, "11:00"),
        note="Note lyonnaise",
    )
    url = f"/c/paris/manage/pooling/occupancy/?period=week&week={MONDAY.isoformat()}"
    client.force_login(world.manager)
    response = client.get(url)
    row = next(r for r in response.context["rows"] if r.resource == room)
    assert (row.unmet_minutes, row.unmet_firms, row.unmet_hours) == (120, 1, 2.0)
    assert response.context["unmet_hours"] == 2.0
    body = response.content.decode()
    assert "Filage du spectacle" in body and "Label Beta" in body
    assert "Note lyonnaise" not in body
    # A funder sees the hours, never a firm or its note.
    client.force_login(world.observer)
    response = client.get(url)
    body = response.content.decode()
    assert response.context["unmet"] is None and response.context["unmet_hours"] == 2.0
    assert "Filage du spectacle" not in body and "Label Beta" not in body
    # Another week: nothing refused.
    client.force_login(world.manager)
    other = (MONDAY + dt.timedelta(days=14)).isoformat()
    body = client.get(
        f"/c/paris/manage/pooling/occupancy/?period=week&week={other}"
    ).content.decode()
    assert "Aucune demande refusée faute de place sur la période." in body


def test_members_do_not_read_the_unmet_demand(world):
    from grappe.pooling.selectors import resources as selectors

    with pytest.raises(Http404):
        selectors.unmet_demand_list(
            actor=world.actor(world.member_a), first_day=MONDAY, last_day=MONDAY
        )
    with pytest.raises(Http404):
        selectors.unmet_demand_list(
            actor=world.actor(world.observer), first_day=MONDAY, last_day=MONDAY
        )
