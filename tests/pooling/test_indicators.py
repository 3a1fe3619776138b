"""The pooling indicators insights snapshots: hours booked by kind, shared hours by trade,
firms using a pooled service, and the bookings as a member's activity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from grappe.core import indicators as registry
from grappe.core.access import Actor
from grappe.insights import services as insights
from grappe.insights.models import IndicatorSnapshot
from grappe.pooling import indicators
from grappe.pooling.models import Booking, Resource, SharedEmployee, TimeLog
from tests.pooling.conftest import at, make_resource

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)


def booking(room, org, day, start, end, status=Booking.Status.CONFIRMED):
    return Booking.objects.create(
        resource=room,
        organisation=org,
        starts_at=at(day, start),
        ends_at=at(day, end),
        status=status,
    )


@pytest.fixture
def usage(world):
    room = make_resource(world.paris)
    van = make_resource(world.paris, name="Camion", kind=Resource.Kind.VEHICLE)
    booking(room, world.org_a, dt.date(2026, 3, 4), "10:00", "12:30")
    booking(room, world.org_b, dt.date(2026, 3, 31), "20:00", "22:00")  # Paris time: March
    booking(room, world.org_b, dt.date(2026, 3, 5), "10:00", "18:00", Booking.Status.CANCELLED)
    booking(room, world.org_a, dt.date(2026, 4, 1), "00:30", "02:00")  # April in Paris
    booking(van, world.org_a, dt.date(2026, 3, 6), "08:00", "17:00")
    lyon_room = make_resource(world.lyon)
    booking(lyon_room, world.org_lyon, dt.date(2026, 3, 4), "10:00", "12:00")
    webmaster = SharedEmployee.objects.create(
        cluster=world.paris,
        name="Yanis",
        role="Webmaster",
        yearly_cost=D("40175"),
        yearly_hours=D("1607"),
        coefficient=D("1.1"),
        monthly_fee=D("100"),
        weekly_hours=D("14"),
    )
    TimeLog.objects.create(employee=webmaster, organisation=world.org_b, day=MARCH, hours=D("7"))
    TimeLog.objects.create(
        employee=webmaster, organisation=world.org_b, day=dt.date(2026, 3, 31), hours=D("3.5")
    )
    TimeLog.objects.create(
        employee=webmaster, organisation=world.org_a, day=dt.date(2026, 4, 1), hours=D("2")
    )
    return room


def test_booked_hours_count_confirmed_bookings_of_the_paris_month_by_kind(world, usage):
    assert indicators.booked_hours_by_kind(world.paris, MARCH) == {
        "Salle": D("4.5"),
        "Véhicule": D("9.0"),
    }
    assert indicators.booked_hours_by_kind(world.paris, dt.date(2026, 4, 1)) == {"Salle": D("1.5")}
    assert indicators.booked_hours_by_kind(world.lyon, MARCH) == {"Salle": D("2.0")}
    assert indicators.booked_hours_by_kind(world.paris, dt.date(2026, 2, 1)) == {}


def test_shared_hours_by_trade_and_firms_using_a_service(world, usage):
    assert indicators.shared_hours_by_trade(world.paris, MARCH) == {"Webmaster": D("10.5")}
    assert indicators.shared_hours_by_trade(world.lyon, MARCH) == {}
    assert indicators.firms_using_pooled_services(world.paris, MARCH) == 2
    assert indicators.firms_using_pooled_services(world.paris, dt.date(2026, 4, 1)) == 1
    assert indicators.firms_using_pooled_services(world.lyon, dt.date(2026, 4, 1)) == 0


def test_the_monthly_snapshot_stores_them_as_services(world, usage):
    keys = {i.key for i in registry.indicators() if i.family == "services"}
    assert {"pooling.booked_hours", "pooling.shared_hours", "pooling.firms_using"} <= keys
    assert registry.indicator("pooling.booked_hours").usage
    insights.snapshot_compute(by=Actor.system(world.paris), month=MARCH)
    stored = {s.key: s for s in IndicatorSnapshot.objects.filter(cluster=world.paris)}
    assert stored["pooling.booked_hours"].value == D("13.50")
    assert stored["pooling.booked_hours"].details == {"Salle": "4.5", "Véhicule": 9}
    assert stored["pooling.shared_hours"].value == D("10.50")
    assert stored["pooling.firms_using"].value == D("2.00")


def test_bookings_count_as_a_firms_activity(world, usage):
    since = usage.created_at - dt.timedelta(minutes=1)
    activity = indicators.booking_activity(world.paris, since)
    assert set(activity) == {world.org_a.pk, world.org_b.pk}
    assert "pooling.bookings" in registry.activity_sources()
    later = Booking.objects.order_by("-created_at").first().created_at + dt.timedelta(seconds=1)
    assert indicators.booking_activity(world.paris, later) == {}


def test_services_in_place_at_the_months_end(world, usage):
    from django.utils import timezone

    from grappe.pooling.models import CostPool, Study

    this_month = timezone.localdate().replace(day=1)
    pool = {"cluster": world.paris, "amount": D("900.00")}
    CostPool.objects.create(name="Boutique", starts_on=dt.date(2026, 1, 1), **pool)
    CostPool.objects.create(
        name="Licence", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30), **pool
    )
    study = {"cluster": world.paris, "description": "…", "total_price": D("6000")}
    Study.objects.create(
        title="Étude",
        pledge_deadline=this_month,
        status=Study.Status.CONFIRMED,
        decided_at=timezone.now(),
        **study,
    )
    Study.objects.create(title="Achat", pledge_deadline=this_month, **study)  # still open
    assert indicators.services_in_place(world.paris, this_month) == {
        "Ressources partagées": 2,
        "Pools de coûts": 1,
        "Salariés partagés": 1,
        "Études et achats groupés": 1,
    }
    # In March the resources, the employee and the study did not exist yet; both pools ran.
    assert indicators.services_in_place(world.paris, MARCH) == {"Pools de coûts": 2}
    assert indicators.services_in_place(world.lyon, this_month) == {"Ressources partagées": 1}
