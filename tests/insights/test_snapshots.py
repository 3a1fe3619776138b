"""Monthly snapshots through core's indicator registry; flags on the dashboard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from grappe.core import indicators as registry
from grappe.core.models import AuditEntry
from grappe.insights import selectors, services
from grappe.insights.models import IndicatorSnapshot
from grappe.members.models import Membership
from tests.factories import make_member, make_org

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)


def system(world):
    from grappe.core.access import Actor

    return Actor.system(world.paris)


def test_a_month_stores_every_registered_indicator_once(world):
    org = make_org("Asso Delta", legal_form="9220", commune="75118")
    Membership.objects.create(
        cluster=world.paris, organisation=org, status="active", joined_on=THIS_MONTH
    )
    rows = services.snapshot_compute(by=system(world), month=THIS_MONTH)
    stored = {s.key: s for s in IndicatorSnapshot.objects.filter(cluster=world.paris)}
    assert {r.key for r in rows} == set(stored) >= {"members.count", "members.by_type"}
    assert stored["members.count"].value == Decimal("3.00")
    assert stored["members.by_type"].details == {"Associations": 1, "Sociétés": 2}
    assert stored["members.joined"].value == Decimal("1.00")
    assert stored["members.needs"].value == Decimal("3.00")  # the world's three needs
    assert IndicatorSnapshot.objects.filter(cluster=world.lyon).count() == 0
    # Again: replaced, not duplicated.
    services.snapshot_compute(by=system(world), month=THIS_MONTH)
    assert IndicatorSnapshot.objects.filter(cluster=world.paris).count() == len(stored)
    assert AuditEntry.objects.filter(action="indicators.snapshot").count() == 2


def test_members_of_a_past_month_follow_join_and_leave_dates(world):
    last_month = (THIS_MONTH - dt.timedelta(days=1)).replace(day=1)
    Membership.objects.filter(organisation=world.org_a).update(joined_on=THIS_MONTH)
    Membership.objects.filter(organisation=world.org_b).update(
        joined_on=last_month - dt.timedelta(days=40), status="left", left_on=THIS_MONTH
    )
    services.snapshot_compute(by=system(world), month=last_month)
    services.snapshot_compute(by=system(world), month=THIS_MONTH)
    count = dict(
        IndicatorSnapshot.objects.filter(key="members.count").values_list("month", "value")
    )
    assert count == {last_month: Decimal("1.00"), THIS_MONTH: Decimal("1.00")}
    left = IndicatorSnapshot.objects.get(key="members.left", month=THIS_MONTH)
    rate = IndicatorSnapshot.objects.get(key="members.leave_rate", month=THIS_MONTH)
    assert (left.value, rate.value) == (Decimal("1.00"), Decimal("100.00"))


def test_bad_months_and_roles_are_refused_and_store_nothing(world):
    with pytest.raises(ValidationError):
        services.snapshot_compute(by=system(world), month=THIS_MONTH.replace(day=2))
    future = (THIS_MONTH + dt.timedelta(days=40)).replace(day=1)
    with pytest.raises(ValidationError):
        services.snapshot_compute(by=system(world), month=future)
    with pytest.raises(PermissionDenied):
        services.snapshot_compute(by=world.actor(world.observer), month=THIS_MONTH)
    assert not IndicatorSnapshot.objects.exists()


def test_a_failing_indicator_is_left_out_the_others_are_stored(world):
    registry.register_indicator("tests.broken", "Cassé", lambda c, m: 1 / 0)
    try:
        rows = services.snapshot_compute(by=system(world), month=THIS_MONTH)
    finally:
        registry.unregister_indicator("tests.broken")
    assert "tests.broken" not in {r.key for r in rows}
    assert IndicatorSnapshot.objects.filter(key="members.count").exists()


def test_the_monthly_job_takes_the_month_that_ended_for_every_cluster(world):
    from grappe.insights.tasks import snapshots_monthly

    written = snapshots_monthly()
    months = set(IndicatorSnapshot.objects.values_list("month", flat=True))
    assert months == {(THIS_MONTH - dt.timedelta(days=1)).replace(day=1)}
    assert written == IndicatorSnapshot.objects.count()
    assert set(IndicatorSnapshot.objects.values_list("cluster", flat=True)) == {
        world.paris.pk,
        world.lyon.pk,
    }


def test_series_for_managers_and_funders_only(world):
    Membership.objects.update(joined_on=TODAY - dt.timedelta(days=400))
    services.snapshots_backfill(by=system(world), until=TODAY, months=3)
    series = {s.key: s for s in selectors.indicator_series(actor=world.actor(world.observer))}
    assert [v for _m, v in series["members.count"].points][-3:] == [Decimal("2.00")] * 3
    assert len(series["members.count"].points) == 12
    for user in (world.member_a, world.outsider):
        with pytest.raises(Http404):
            selectors.indicator_series(actor=world.actor(user))


def test_a_service_whose_use_falls_is_flagged(world):
    uses = {0: 10, 1: 12, 2: 11, 3: 4, 4: 3, 5: 2}  # months ago → bookings of the studio

    def bookings(cluster, month):
        ago = (THIS_MONTH.year - month.year) * 12 + THIS_MONTH.month - month.month - 1
        n = uses.get(5 - ago, 0)
        return {"Studio partagé": n, "Camion": 5}

    registry.register_indicator(
        "tests.bookings", "Réservations", bookings, family="services", usage=True
    )
    try:
        first = THIS_MONTH
        for _i in range(6):
            first = (first - dt.timedelta(days=1)).replace(day=1)
        month = first
        while month < THIS_MONTH:
            services.snapshot_compute(by=system(world), month=month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        flagged = selectors.falling_services(actor=world.actor(world.observer))
    finally:
        registry.unregister_indicator("tests.bookings")
    assert [(label, f.name, f.change) for label, f in flagged] == [
        ("Réservations", "Studio partagé", Decimal("-72.7"))
    ]


def test_inactive_members_are_named_to_managers_counted_for_funders(world):
    from grappe.members.models import Post

    long_ago = TODAY - dt.timedelta(days=400)
    Membership.objects.filter(cluster=world.paris).update(joined_on=long_ago)
    Post.objects.filter(organisation=world.org_a).update(
        created_at=timezone.now() - dt.timedelta(days=300)
    )
    Post.objects.create(
        cluster=world.paris, organisation=world.org_b, kind="need", title="Récent", text="Récent"
    )
    inactive = selectors.inactive_members(actor=world.actor(world.manager))
    assert [org for org, _last in inactive] == [world.org_a]
    assert selectors.inactive_member_count(actor=world.actor(world.observer)) == 1
    with pytest.raises(Http404):
        selectors.inactive_members(actor=world.actor(world.observer))
    org_late = make_org("Nouveau venu")
    make_member(world.paris, org_late)  # joined today: not inactive yet
    assert selectors.inactive_member_count(actor=world.actor(world.manager)) == 1
