"""Pooling API: scoped like the pages, JSON errors with a French ``detail``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from grappe.pooling.models import Booking, CostPool, Participation, Pledge, Study
from grappe.pooling.periods import from_local, monday_of
from tests.matrix import api_call as call
from tests.matrix import assert_api, expect
from tests.pooling.conftest import make_resource

pytestmark = pytest.mark.django_db
D = Decimal
DAY = monday_of(timezone.localdate() + dt.timedelta(days=14)) + dt.timedelta(days=2)  # a Wednesday


MEMBERS = expect(
    default=403,
    anonymous=404,
    outsider=404,
    lyon_manager=404,
    member_a=200,
    member_b=200,
    manager=200,
)


@pytest.fixture
def things(world):
    room = make_resource(world.paris)
    start = from_local(dt.datetime.combine(DAY, dt.time(10)))
    booking = Booking.objects.create(
        resource=room,
        organisation=world.org_a,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    pool = CostPool.objects.create(
        cluster=world.paris, name="Boutique", amount=D("600.00"), starts_on=dt.date(2026, 1, 1)
    )
    Participation.objects.create(
        pool=pool, organisation=world.org_a, joined_on=dt.date(2026, 1, 1), alone_amount=D("500.00")
    )
    Participation.objects.create(pool=pool, organisation=world.org_b, joined_on=dt.date(2026, 1, 1))
    study = Study.objects.create(
        cluster=world.paris,
        title="Étude live",
        description="…",
        total_price=D("900.00"),
        pledge_deadline=timezone.localdate() + dt.timedelta(days=20),
    )
    return {"room": room, "booking": booking, "pool": pool, "study": study, "start": start}


READS = [
    ("resources", "/api/clusters/paris/resources", MEMBERS),
    ("resource", "/api/clusters/paris/resources/{room}", MEMBERS),
    ("availability", "/api/clusters/paris/resources/{room}/availability", MEMBERS),
    ("bookings", "/api/clusters/paris/bookings", MEMBERS),
    ("cost pools", "/api/clusters/paris/cost-pools", MEMBERS),
    ("studies", "/api/clusters/paris/studies", MEMBERS),
    ("study", "/api/clusters/paris/studies/{study}", MEMBERS),
]


@pytest.mark.parametrize(("label", "url", "codes"), READS, ids=[r[0] for r in READS])
def test_reads_are_scoped(client, world, things, label, url, codes):
    url = url.format(room=things["room"].pk, study=things["study"].pk)
    assert_api(client, world, url, codes, label=label)


def test_bookings_list_shows_own_firm_only(client, world, things):
    assert [
        b["id"]
        for b in call(client, world, "member_a", "GET", "/api/clusters/paris/bookings").json()[
            "items"
        ]
    ] == [things["booking"].pk]
    assert (
        call(client, world, "member_b", "GET", "/api/clusters/paris/bookings").json()["items"] == []
    )


def test_availability_marks_own_and_others_slots(client, world, things):
    url = f"/api/clusters/paris/resources/{things['room'].pk}/availability?week={DAY.isoformat()}"
    slots_b = {s["start"]: s["state"] for s in call(client, world, "member_b", "GET", url).json()}
    slots_a = {s["start"]: s["state"] for s in call(client, world, "member_a", "GET", url).json()}
    key = next(k for k in slots_a if dt.datetime.fromisoformat(k) == things["start"])
    assert slots_a[key] == "mine" and slots_b[key] == "taken"
    assert len(slots_a) == 6 * 13  # Monday to Saturday, 09:00-22:00, hourly


def test_member_books_and_cancels_through_the_api(client, world, things):
    start = from_local(dt.datetime.combine(DAY, dt.time(15)))
    body = {
        "resource": things["room"].pk,
        "organisation": world.org_b.slug,
        "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=2)).isoformat(),
        "note": "Répétition",
    }
    created = call(client, world, "member_b", "POST", "/api/clusters/paris/bookings", body)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["organisation"] == world.org_b.slug and Decimal(data["amount"]) == D("24.00")
    booking = Booking.objects.get(pk=data["id"])
    assert booking.starts_at == start and booking.booked_by == world.member_b
    again = call(
        client,
        world,
        "member_a",
        "POST",
        "/api/clusters/paris/bookings",
        {**body, "organisation": world.org_a.slug},
    )
    assert again.status_code == 400 and "déjà réservé" in str(again.json()["detail"])
    other_firm = call(
        client, world, "member_a", "POST", f"/api/clusters/paris/bookings/{booking.pk}/cancel"
    )
    assert other_firm.status_code == 404
    cancelled = call(
        client, world, "member_b", "POST", f"/api/clusters/paris/bookings/{booking.pk}/cancel"
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CANCELLED


def test_booking_refusals_through_the_api(client, world, things):
    start = from_local(dt.datetime.combine(DAY, dt.time(15)))
    base = {
        "resource": things["room"].pk,
        "organisation": world.org_b.slug,
        "start": start.isoformat(),
        "end": (start + dt.timedelta(minutes=30)).isoformat(),
    }
    slot = call(client, world, "member_b", "POST", "/api/clusters/paris/bookings", base)
    assert slot.status_code == 400 and "créneaux" in str(slot.json()["detail"])
    naive = call(
        client,
        world,
        "member_b",
        "POST",
        "/api/clusters/paris/bookings",
        {**base, "start": "2030-01-01T10:00:00", "end": "2030-01-01T11:00:00"},
    )
    assert naive.status_code == 400 and "fuseau" in str(naive.json()["detail"])
    foreign = call(
        client,
        world,
        "member_b",
        "POST",
        "/api/clusters/paris/bookings",
        {**base, "organisation": world.org_a.slug},
    )
    assert foreign.status_code == 404
    observer = call(client, world, "observer", "POST", "/api/clusters/paris/bookings", base)
    assert observer.status_code == 403
    assert Booking.objects.count() == 1


def test_cost_pool_split_shows_a_member_its_own_share_only(client, world, things):
    url = f"/api/clusters/paris/cost-pools/{things['pool'].pk}/split?month=2026-11"
    member = call(client, world, "member_a", "GET", url).json()
    assert member["shares"] == [
        {
            "organisation": world.org_a.slug,
            "presence_days": 30,
            "amount": "300.00",
            "alone_amount": "500.00",
        }
    ]
    manager = call(client, world, "manager", "GET", url).json()
    assert sorted(s["organisation"] for s in manager["shares"]) == sorted(
        [world.org_a.slug, world.org_b.slug]
    )
    assert sum(Decimal(s["amount"]) for s in manager["shares"]) == D("600.00")
    outsider_pool = CostPool.objects.create(
        cluster=world.paris, name="Autre", amount=D("1.00"), starts_on=dt.date(2026, 1, 1)
    )
    assert (
        call(
            client,
            world,
            "member_a",
            "GET",
            f"/api/clusters/paris/cost-pools/{outsider_pool.pk}/split",
        ).status_code
        == 404
    )
    bad = call(
        client,
        world,
        "manager",
        "GET",
        f"/api/clusters/paris/cost-pools/{things['pool'].pk}/split?month=novembre",
    )
    assert bad.status_code in (400, 422) and bad.json()["detail"]


def test_pledge_through_the_api_and_the_price_falls(client, world, things):
    url = f"/api/clusters/paris/studies/{things['study'].pk}"
    assert call(client, world, "member_a", "GET", url).json()["price_per_participant"] == "900.00"
    created = call(
        client, world, "member_a", "POST", url + "/pledges", {"organisation": world.org_a.slug}
    )
    assert created.status_code == 201 and created.json()["is_late"] is False
    call(client, world, "member_b", "POST", url + "/pledges", {"organisation": world.org_b.slug})
    study = call(client, world, "member_a", "GET", url).json()
    assert (study["participants"], study["price_per_participant"], study["price_if_one_more"]) == (
        2,
        "450.00",
        "300.00",
    )
    twice = call(
        client, world, "member_a", "POST", url + "/pledges", {"organisation": world.org_a.slug}
    )
    assert twice.status_code == 400 and "déjà engagée" in str(twice.json()["detail"])
    assert (
        call(client, world, "member_b", "DELETE", url + f"/pledges/{world.org_a.slug}").status_code
        == 404
    )
    assert (
        call(client, world, "member_a", "DELETE", url + f"/pledges/{world.org_a.slug}").status_code
        == 204
    )
    assert list(Pledge.objects.values_list("organisation_id", flat=True)) == [world.org_b.pk]
