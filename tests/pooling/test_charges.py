"""What members owe, as charge lines for billing (grappe.pooling.charges)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from grappe.core.charges import charge_sources
from grappe.pooling import charges
from grappe.pooling.models import Booking, Pledge, Study, TimeLog
from grappe.pooling.services import employees as employee_services
from grappe.pooling.services import pools as pool_services
from tests.pooling.conftest import at, make_resource

pytestmark = pytest.mark.django_db
D = Decimal
NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
DEC = (dt.date(2026, 12, 1), dt.date(2026, 12, 31))


def test_the_four_sources_are_registered():
    sources = charge_sources()
    for name in ("bookings", "cost_pools", "shared_employees", "studies"):
        assert name in sources


def test_bookings_are_charged_in_the_paris_month_they_start(world):
    room = make_resource(world.paris)
    november = Booking.objects.create(
        resource=room,
        organisation=world.org_a,
        starts_at=at(dt.date(2026, 11, 3), "10:00"),
        ends_at=at(dt.date(2026, 11, 3), "12:00"),
        amount=D("24.00"),
        alone_amount=D("50.00"),
        vat_rate=D("20"),
    )
    # 00:30 in Paris on 1 December is still 30 November in UTC: it belongs to December.
    midnight = Booking.objects.create(
        resource=room,
        organisation=world.org_b,
        starts_at=at(dt.date(2026, 12, 1), "00:30"),
        ends_at=at(dt.date(2026, 12, 1), "01:30"),
        amount=D("12.00"),
    )
    Booking.objects.create(  # cancelled: nothing owed
        resource=room,
        organisation=world.org_b,
        starts_at=at(dt.date(2026, 11, 4), "10:00"),
        ends_at=at(dt.date(2026, 11, 4), "11:00"),
        amount=D("12.00"),
        status=Booking.Status.CANCELLED,
    )
    Booking.objects.create(  # free: nothing owed
        resource=room,
        organisation=world.org_b,
        starts_at=at(dt.date(2026, 11, 5), "10:00"),
        ends_at=at(dt.date(2026, 11, 5), "11:00"),
        amount=D("0.00"),
    )
    assert midnight.starts_at.astimezone(dt.UTC).date() == dt.date(2026, 11, 30)
    lines = charges.booking_charges(world.paris, *NOV)
    assert [line.source_key for line in lines] == [f"booking:{november.pk}"]
    line = lines[0]
    assert (
        line.organisation_id,
        line.amount,
        line.quantity,
        line.unit_price,
        line.alone_amount,
    ) == (world.org_a.pk, D("24.00"), D("2.00"), D("12.00"), D("50.00"))
    assert line.vat_rate == D("20") and line.date == dt.date(2026, 11, 3)
    assert line.label == "Salle de répétition Myrha, le 03/11/2026 de 10:00 à 12:00"
    assert [line.source_key for line in charges.booking_charges(world.paris, *DEC)] == [
        f"booking:{midnight.pk}"
    ]
    assert charges.booking_charges(world.lyon, *NOV) == []
    assert charges.booking_charges(world.paris, *NOV) == lines  # collected again: the same


def test_cost_pool_lines_add_up_and_carry_alone_amounts(world):
    manager = world.actor(world.manager)
    pool = pool_services.pool_create(
        by=manager,
        name="Boutique rue Myrha",
        amount=D("1000.00"),
        vat_rate=D("20"),
        allocation_key="equal",
        starts_on=dt.date(2026, 1, 1),
    )
    a = pool_services.participation_add(
        pool=pool,
        organisation=world.org_a,
        by=manager,
        joined_on=dt.date(2026, 1, 1),
        alone_amount=D("900.00"),
    )
    b = pool_services.participation_add(
        pool=pool, organisation=world.org_b, by=manager, joined_on=dt.date(2026, 11, 16)
    )
    lines = {line.source_key: line for line in charges.cost_pool_charges(world.paris, *NOV)}
    assert set(lines) == {
        f"cost-pool:{pool.pk}:2026-11:{a.pk}",
        f"cost-pool:{pool.pk}:2026-11:{b.pk}",
    }
    assert sum(line.amount for line in lines.values()) == D("1000.00")
    line_a, line_b = (
        lines[f"cost-pool:{pool.pk}:2026-11:{a.pk}"],
        lines[f"cost-pool:{pool.pk}:2026-11:{b.pk}"],
    )
    assert line_a.organisation_id == world.org_a.pk and line_a.alone_amount == D("900.00")
    assert line_a.amount == D("666.67") and line_b.amount == D("333.33")
    assert "novembre 2026" in line_a.label and "(15 jours sur 30)" in line_b.label
    assert line_a.category == "cost_pool" and line_a.vat_rate == D("20")


def test_a_pool_that_cannot_be_split_is_skipped_not_fatal(world):
    manager = world.actor(world.manager)
    pool_services.pool_create(
        by=manager, name="Vide", amount=D("100.00"), starts_on=dt.date(2026, 1, 1)
    )
    assert charges.cost_pool_charges(world.paris, *NOV) == []


def test_shared_employee_lines(world):
    manager = world.actor(world.manager)
    employee = employee_services.employee_create(
        by=manager,
        name="Yanis",
        role="Webmaster",
        yearly_cost=D("40175.00"),
        coefficient=D("1.10"),
        monthly_fee=D("100.00"),
        weekly_hours=D("14"),
        daily_hours=["7", "7", "0", "0", "0", "0", "0"],
        alone_hourly_price=D("45.00"),
    )
    employee_services.hours_request_submit(
        employee=employee,
        organisation=world.org_a,
        by=manager,
        kind="recurring",
        weekday=0,
        hours=D("7"),
        starts_on=dt.date(2026, 10, 1),
        today=dt.date(2026, 10, 1),
    )
    TimeLog.objects.create(
        employee=employee, organisation=world.org_a, day=dt.date(2026, 11, 2), hours=D("7")
    )
    lines = {line.source_key: line for line in charges.shared_employee_charges(world.paris, *NOV)}
    key = f"shared-employee:{employee.pk}:2026-11:{world.org_a.pk}"
    assert set(lines) == {f"{key}:hours", f"{key}:fee"}
    hours = lines[f"{key}:hours"]
    assert (hours.quantity, hours.unit_price, hours.amount) == (D("7"), D("27.5000"), D("192.50"))
    assert hours.alone_amount == D("315.00")
    assert lines[f"{key}:fee"].amount == D("100.00")


def test_study_lines_only_when_it_goes_ahead(world):
    study = Study.objects.create(
        cluster=world.paris,
        title="Étude live",
        description="…",
        total_price=D("1000.00"),
        min_participants=2,
        pledge_deadline=dt.date(2026, 11, 10),
        alone_price=D("1000.00"),
        late_price=D("400.00"),
    )
    for org in (world.org_a, world.org_b):
        Pledge.objects.create(study=study, organisation=org)
    assert charges.study_charges(world.paris, *NOV) == []  # still open
    Study.objects.filter(pk=study.pk).update(
        status=Study.Status.CONFIRMED, decided_at=at(dt.date(2026, 11, 11), "06:15")
    )
    lines = charges.study_charges(world.paris, *NOV)
    assert sorted(line.source_key for line in lines) == sorted(
        [f"study:{study.pk}:{world.org_a.pk}", f"study:{study.pk}:{world.org_b.pk}"]
    )
    assert sum(line.amount for line in lines) == D("1000.00")
    assert all(line.alone_amount == D("1000.00") for line in lines)
    assert charges.study_charges(world.paris, *DEC) == []
