"""Shared employees: hours requests, the plan's capacity, decisions, time logs, bills, demand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from grappe.core.models import AuditEntry
from grappe.members.models import Post
from grappe.pooling.models import HoursRequest, SharedEmployee, StaffNeed, TimeLog
from grappe.pooling.selectors import employees as selectors
from grappe.pooling.services import employees as services
from tests.factories import make_member, make_org

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = dt.date(2030, 3, 1)
NOV = (dt.date(2030, 11, 1), dt.date(2030, 11, 30))


@pytest.fixture
def webmaster(world):
    return services.employee_create(
        by=world.actor(world.manager),
        name="Yanis Belkacem",
        role="Webmaster",
        yearly_cost=D("40175.00"),  # 25 €/h over 1607 h
        yearly_hours=D("1607"),
        coefficient=D("1.10"),
        monthly_fee=D("100.00"),
        weekly_hours=D("14"),
        daily_hours=["7", "7", "0", "0", "0", "0", "0"],
        alone_hourly_price=D("45.00"),
    )


def ask(world, employee, user="member_a", org=None, **data):
    actor = world.actor(getattr(world, user))
    org = org or (world.org_a if user in ("member_a", "manager") else world.org_b)
    defaults = {"kind": "recurring", "weekday": 0, "hours": D("7")}
    return services.hours_request_submit(
        employee=employee, organisation=org, by=actor, today=TODAY, **{**defaults, **data}
    )


def decide(world, request, validate=True, note=""):
    return services.hours_request_decide(
        request=request, by=world.actor(world.manager), validate=validate, note=note
    )


def test_employee_is_created_with_its_hourly_cost_and_audited(world, webmaster):
    assert SharedEmployee.objects.get() == webmaster
    assert webmaster.hourly_cost == D("25.00")
    assert AuditEntry.objects.filter(action="shared_employee.create").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"daily_hours": ["7"] * 3}, "daily_hours"),
        ({"daily_hours": ["1", "1", "0", "0", "0", "0", "0"]}, "daily_hours"),  # < weekly
        ({"daily_hours": ["x"] * 7}, "daily_hours"),
        ({"yearly_cost": D("-1")}, "yearly_cost"),
    ],
)
def test_bad_employee_input_is_refused(world, data, field):
    base = {
        "name": "Léa",
        "role": "Comptable",
        "yearly_cost": D("30000"),
        "weekly_hours": D("14"),
        "daily_hours": ["7", "7", "0", "0", "0", "0", "0"],
    }
    with pytest.raises(ValidationError) as exc:
        services.employee_create(by=world.actor(world.manager), **{**base, **data})
    assert field in exc.value.message_dict
    assert not SharedEmployee.objects.exists()


def test_a_member_asks_and_the_manager_validates_and_the_member_is_told(
    world, webmaster, django_capture_on_commit_callbacks
):
    request = ask(world, webmaster)
    assert request.status == HoursRequest.Status.REQUESTED
    with django_capture_on_commit_callbacks(execute=True):
        decide(world, request)
    request.refresh_from_db()
    assert request.status == HoursRequest.Status.VALIDATED and request.decided_by == world.manager
    assert [m.to for m in mail.outbox] == [[world.member_a.email]]
    assert "validée" in mail.outbox[0].subject
    assert AuditEntry.objects.filter(action="shared_employee.hours_validate").count() == 1


def test_a_full_day_is_explained_with_alternatives(world, webmaster):
    decide(world, ask(world, webmaster))  # Monday 7 h for org_a
    with pytest.raises(services.PlanConflict) as exc:
        ask(world, webmaster, user="member_b")  # Monday again
    conflict = exc.value
    assert "ne tient pas" in conflict.messages[0]
    assert "lundi 4 mars 2030" in conflict.messages[0]
    alternatives = conflict.alternatives
    assert [alt.weekday for alt, _label in alternatives] == [1]  # Tuesday has room
    assert "Mardi" in alternatives[0][1]
    assert HoursRequest.objects.count() == 1
    # The member picks the alternative: accepted.
    picked = ask(world, webmaster, user="member_b", weekday=1)
    assert picked.status == HoursRequest.Status.REQUESTED


def test_validation_rechecks_the_plan(world, webmaster):
    first = ask(world, webmaster, hours=D("5"))
    second = ask(world, webmaster, user="member_b", hours=D("5"))  # both fit alone
    decide(world, first)
    with pytest.raises(services.PlanConflict):
        decide(world, second)
    second.refresh_from_db()
    assert second.status == HoursRequest.Status.REQUESTED
    assert HoursRequest.objects.filter(status="validated").count() == 1


def test_a_refusal_needs_a_reason_and_is_told(world, webmaster, django_capture_on_commit_callbacks):
    request = ask(world, webmaster)
    with pytest.raises(ValidationError):
        decide(world, request, validate=False)
    with django_capture_on_commit_callbacks(execute=True):
        decide(world, request, validate=False, note="Le lundi est réservé à la grappe.")
    request.refresh_from_db()
    assert request.status == HoursRequest.Status.REFUSED
    assert "refusée" in mail.outbox[0].subject and "réservé à la grappe" in mail.outbox[0].body
    with pytest.raises(ValidationError, match="déjà été traitée"):
        decide(world, request)


def test_a_manager_plans_hours_for_a_firm_directly(world, webmaster):
    request = ask(world, webmaster, user="manager", org=world.org_b)
    assert request.status == HoursRequest.Status.VALIDATED
    assert AuditEntry.objects.filter(action="shared_employee.hours_validate").exists()


def test_requests_refused_before_planning(world, webmaster):
    with pytest.raises(ValidationError):
        ask(world, webmaster, kind="one_off", day=TODAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        ask(world, webmaster, kind="one_off", day=None)
    with pytest.raises(ValidationError):
        ask(world, webmaster, weekday=None)
    with pytest.raises(ValidationError):
        ask(world, webmaster, hours=D("0"))
    with pytest.raises(PermissionDenied):
        ask(world, webmaster, user="member_a", org=world.org_b)
    with pytest.raises(PermissionDenied):
        ask(world, webmaster, user="observer", org=world.org_a)
    assert not HoursRequest.objects.exists()


def test_cancel_by_the_firm_only(world, webmaster):
    request = ask(world, webmaster)
    with pytest.raises(PermissionDenied):
        services.hours_request_cancel(request=request, by=world.actor(world.member_b))
    services.hours_request_cancel(request=request, by=world.actor(world.member_a))
    request.refresh_from_db()
    assert request.status == HoursRequest.Status.CANCELLED
    with pytest.raises(ValidationError):
        services.hours_request_cancel(request=request, by=world.actor(world.member_a))


def test_time_logs_by_the_employee_or_a_manager(world, webmaster):
    webmaster.user = world.outsider
    webmaster.save()
    employee_actor = world.actor(world.outsider)
    log = services.timelog_add(
        employee=webmaster,
        organisation=world.org_a,
        by=employee_actor,
        day=TODAY,
        hours=D("3"),
        today=TODAY,
    )
    assert log.logged_by == world.outsider
    assert not AuditEntry.objects.filter(action="shared_employee.timelog").exists()
    services.timelog_add(
        employee=webmaster,
        organisation=world.org_b,
        by=world.actor(world.manager),
        day=TODAY,
        hours=D("2"),
        today=TODAY,
    )
    assert AuditEntry.objects.filter(action="shared_employee.timelog").count() == 1
    with pytest.raises(PermissionDenied):
        services.timelog_add(
            employee=webmaster,
            organisation=world.org_a,
            by=world.actor(world.member_a),
            day=TODAY,
            hours=D("1"),
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="à venir"):
        services.timelog_add(
            employee=webmaster,
            organisation=world.org_a,
            by=employee_actor,
            day=TODAY + dt.timedelta(days=1),
            hours=D("1"),
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="24 heures"):
        services.timelog_add(
            employee=webmaster,
            organisation=world.org_a,
            by=employee_actor,
            day=TODAY,
            hours=D("20"),
            today=TODAY,
        )
    with pytest.raises(ValidationError):
        services.timelog_add(
            employee=webmaster,
            organisation=world.org_lyon,
            by=employee_actor,
            day=TODAY,
            hours=D("1"),
            today=TODAY,
        )
    assert TimeLog.objects.count() == 2


def test_monthly_bills_are_hours_times_rate_plus_fee_share(world, webmaster):
    decide(world, ask(world, webmaster, starts_on=dt.date(2030, 10, 1)))
    decide(world, ask(world, webmaster, user="member_b", weekday=1, starts_on=dt.date(2030, 10, 1)))
    manager = world.actor(world.manager)
    for day, org, hours in [(5, world.org_a, "7"), (12, world.org_a, "7"), (6, world.org_b, "3.5")]:
        services.timelog_add(
            employee=webmaster,
            organisation=org,
            by=manager,
            day=dt.date(2030, 11, day),
            hours=D(hours),
            today=dt.date(2030, 12, 1),
        )
    bills = selectors.month_bills(webmaster, *NOV)
    a, b = bills[world.org_a.pk], bills[world.org_b.pk]
    assert a.hours == D("14") and a.hours_amount == D("385.00")  # 14 × 25 × 1.10
    assert b.hours == D("3.5") and b.hours_amount == D("96.25")
    assert a.fee_share == D("80.00") and b.fee_share == D("20.00")  # pro rata of hours
    assert a.fee_share + b.fee_share == D("100.00")


def test_month_without_hours_splits_the_fee_between_planned_firms(world, webmaster):
    decide(world, ask(world, webmaster, starts_on=dt.date(2030, 10, 1)))
    decide(
        world,
        ask(
            world,
            webmaster,
            user="member_b",
            weekday=1,
            starts_on=dt.date(2030, 10, 1),
            ends_on=dt.date(2030, 10, 31),
        ),
    )
    bills = selectors.month_bills(webmaster, *NOV)
    assert list(bills) == [world.org_a.pk]  # org_b's hours ended in October
    assert bills[world.org_a.pk].total == D("100.00")


def test_week_plan_hides_other_firms_names_from_members(world, webmaster):
    decide(world, ask(world, webmaster, starts_on=dt.date(2030, 1, 1)))
    monday = dt.date(2030, 3, 4)
    seen_by_b = selectors.week_plan(
        actor=world.actor(world.member_b), employee=webmaster, monday=monday
    )
    assert seen_by_b[0].entries == [("Réservé", D("7"), False)]
    assert seen_by_b[0].free == D("0")
    seen_by_manager = selectors.week_plan(
        actor=world.actor(world.manager), employee=webmaster, monday=monday
    )
    assert seen_by_manager[0].entries[0][0] == "Studio Alpha"


def test_demand_for_a_new_post_from_recorded_and_posted_needs(world):
    manager = world.actor(world.manager)
    third = make_org("Salle Gamma")
    make_member(world.paris, third)
    services.staff_need_create(
        by=manager, organisation=world.org_a, role="Webmaster", weekly_hours=D("7")
    )
    services.staff_need_create(
        by=manager, organisation=third, role="webmaster", weekly_hours=D("7")
    )
    post = Post.objects.create(
        cluster=world.paris,
        organisation=world.org_b,
        kind="need",
        title="Webmaster",
        text="Nous cherchons un webmaster une journée par semaine.",
    )
    detected = selectors.needs_detected_in_posts(actor=manager)
    assert [(d.post, d.need.role, d.need.weekly_hours) for d in detected] == [
        (post, "Webmaster", D("7"))
    ]
    proposals = selectors.demand(actor=manager)
    webmasters = next(p for p in proposals if p.role.lower() == "webmaster")
    assert (
        webmasters.sufficient
        and len(webmasters.members) == 3
        and webmasters.weekly_hours == D("21")
    )
    # Recording the posted need does not count it twice.
    services.staff_need_create(
        by=manager, organisation=world.org_b, role="Webmaster", weekly_hours=D("7"), post=post
    )
    assert selectors.needs_detected_in_posts(actor=manager) == []
    assert next(
        p for p in selectors.demand(actor=manager) if p.role.lower() == "webmaster"
    ).weekly_hours == D("21")
    with pytest.raises(ValidationError, match="déjà pris en compte"):
        services.staff_need_create(
            by=manager, organisation=world.org_b, role="Webmaster", weekly_hours=D("7"), post=post
        )
    assert StaffNeed.objects.count() == 3


def test_staff_needs_are_managers_only_and_validated(world):
    with pytest.raises(PermissionDenied):
        services.staff_need_create(
            by=world.actor(world.member_a),
            organisation=world.org_a,
            role="Comptable",
            weekly_hours=D("7"),
        )
    with pytest.raises(ValidationError):
        services.staff_need_create(
            by=world.actor(world.manager), organisation=world.org_a, role=" ", weekly_hours=D("7")
        )
    with pytest.raises(ValidationError):
        services.staff_need_create(
            by=world.actor(world.manager),
            organisation=world.org_a,
            role="Comptable",
            weekly_hours=D("70"),
        )
    assert not StaffNeed.objects.exists()
