"""Cost pools: services and the month's split (grappe.pooling.services.pools, selectors.pools)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from grappe.core.models import AuditEntry
from grappe.pooling.models import Booking, CostPool, CustomShare, Participation
from grappe.pooling.selectors import pools as selectors
from grappe.pooling.services import pools as services
from tests.factories import build_world, make_member, make_org
from tests.pooling.conftest import at, make_resource

pytestmark = pytest.mark.django_db
D = Decimal
NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def make_pool(world, **overrides) -> CostPool:
    data = {
        "name": "Boutique rue Myrha",
        "kind": "recurring",
        "amount": D("1800.00"),
        "vat_rate": D("20"),
        "allocation_key": "equal",
        "starts_on": dt.date(2026, 1, 1),
        **overrides,
    }
    return services.pool_create(by=world.actor(world.manager), **data)


def join(world, pool, org, joined=dt.date(2026, 1, 1), **extra):
    return services.participation_add(
        pool=pool, organisation=org, by=world.actor(world.manager), joined_on=joined, **extra
    )


def test_a_manager_creates_a_pool_and_adds_participants_audited(world):
    pool = make_pool(world)
    join(world, pool, world.org_a, alone_amount=D("1500.00"))
    join(world, pool, world.org_b, joined=dt.date(2026, 11, 16))
    assert CostPool.objects.get().cluster == world.paris
    assert Participation.objects.filter(pool=pool).count() == 2
    actions = list(
        AuditEntry.objects.filter(action__startswith="cost_pool").values_list("action", flat=True)
    )
    assert sorted(actions) == sorted(
        ["cost_pool.create", "cost_pool.participation_add", "cost_pool.participation_add"]
    )
    split = selectors.pool_split(pool, *NOV)
    shares = {s.label: s for s in split.shares}
    assert shares["Studio Alpha"].amount == D("1200.00")  # 30 days against 15
    assert shares["Label Beta"].amount == D("600.00")
    assert split.total == D("1800.00")
    assert shares["Studio Alpha"].alone_amount == D("1500.00")
    assert shares["Studio Alpha"].saving == D("300.00")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"ends_on": dt.date(2025, 1, 1)}, None),
        ({"allocation_key": "lottery"}, "allocation_key"),
        ({"vat_rate": D("150")}, None),
    ],
)
def test_bad_pool_input_is_refused_and_nothing_stored(world, overrides, field):
    with pytest.raises(ValidationError) as exc:
        make_pool(world, **overrides)
    if field:
        assert field in exc.value.message_dict
    assert not CostPool.objects.exists()


def test_a_credit_pool_is_allowed_and_split_negative(world):
    pool = make_pool(world, name="Remboursement assurance", amount=D("-90.00"))
    join(world, pool, world.org_a)
    join(world, pool, world.org_b)
    split = selectors.pool_split(pool, *NOV)
    assert sorted(s.amount for s in split.shares) == [D("-45.00"), D("-45.00")]


def test_duplicate_name_and_overlapping_participation_are_refused(world):
    pool = make_pool(world)
    with pytest.raises(ValidationError, match="déjà ce nom"):
        make_pool(world, name="boutique rue myrha")
    join(world, pool, world.org_a, left_on=dt.date(2026, 6, 30))
    with pytest.raises(ValidationError, match="chevauche"):
        join(world, pool, world.org_a, joined=dt.date(2026, 6, 1))
    join(world, pool, world.org_a, joined=dt.date(2026, 9, 1))  # coming back later is fine
    assert Participation.objects.filter(organisation=world.org_a).count() == 2


def test_only_members_of_the_cluster_participate(world):
    pool = make_pool(world)
    with pytest.raises(ValidationError):
        join(world, pool, world.org_lyon)
    assert not Participation.objects.exists()


def test_participation_dates_must_be_in_order(world):
    pool = make_pool(world)
    with pytest.raises(ValidationError):
        join(world, pool, world.org_a, joined=dt.date(2026, 5, 1), left_on=dt.date(2026, 4, 1))
    assert not Participation.objects.exists()


def test_leaving_prorates_the_month(world):
    pool = make_pool(world, amount=D("900.00"))
    a = join(world, pool, world.org_a)
    join(world, pool, world.org_b)
    services.participation_update(
        participation=a, by=world.actor(world.manager), left_on=dt.date(2026, 11, 10)
    )
    split = selectors.pool_split(pool, *NOV)
    assert {s.label: s.amount for s in split.shares} == {
        "Studio Alpha": D("225.00"),  # 10 days
        "Label Beta": D("675.00"),  # 30 days
    }


def test_only_managers_of_the_cluster_manage_pools(world):
    pool = make_pool(world)
    for actor in (world.actor(world.member_a), world.actor(world.observer)):
        with pytest.raises(PermissionDenied):
            services.pool_create(by=actor, name="X", amount=D("1"), starts_on=dt.date(2026, 1, 1))
        with pytest.raises(PermissionDenied):
            services.participation_add(
                pool=pool, organisation=world.org_a, by=actor, joined_on=dt.date(2026, 1, 1)
            )
    with pytest.raises(PermissionDenied):
        services.pool_update(pool=pool, by=world.actor(world.lyon_manager, world.lyon), amount=D(1))
    pool.refresh_from_db()
    assert pool.amount == D("1800.00") and CostPool.objects.count() == 1


def test_surface_key(world):
    pool = make_pool(world, allocation_key="surface", amount=D("1000.00"))
    join(world, pool, world.org_a, surface=D("30"))
    join(world, pool, world.org_b, surface=D("10"))
    split = selectors.pool_split(pool, *NOV)
    assert {s.label: s.amount for s in split.shares} == {
        "Studio Alpha": D("750.00"),
        "Label Beta": D("250.00"),
    }


def test_booked_time_key_uses_confirmed_bookings_of_the_linked_resource(world):
    pool = make_pool(world, allocation_key="booked_time", amount=D("400.00"))
    join(world, pool, world.org_a)
    join(world, pool, world.org_b)
    room = make_resource(world.paris, cost_pool=pool)
    other = make_resource(world.paris, name="Autre salle")
    day = dt.date(2026, 11, 2)
    Booking.objects.create(
        resource=room,
        organisation=world.org_a,
        starts_at=at(day, "10:00"),
        ends_at=at(day, "13:00"),
    )
    Booking.objects.create(
        resource=room,
        organisation=world.org_b,
        starts_at=at(day, "14:00"),
        ends_at=at(day, "15:00"),
    )
    Booking.objects.create(  # cancelled: not counted
        resource=room,
        organisation=world.org_b,
        starts_at=at(day, "16:00"),
        ends_at=at(day, "20:00"),
        status=Booking.Status.CANCELLED,
    )
    Booking.objects.create(  # another resource: not counted
        resource=other,
        organisation=world.org_b,
        starts_at=at(day, "10:00"),
        ends_at=at(day, "20:00"),
    )
    split = selectors.pool_split(pool, *NOV)
    assert {s.label: s.amount for s in split.shares} == {
        "Studio Alpha": D("300.00"),
        "Label Beta": D("100.00"),
    }


def test_custom_shares_are_set_per_month_in_one_write(world):
    pool = make_pool(world, allocation_key="custom", amount=D("100.00"))
    a = join(world, pool, world.org_a)
    b = join(world, pool, world.org_b)
    preview = selectors.pool_preview(
        actor=world.actor(world.manager), pool=pool, first_day=NOV[0], last_day=NOV[1]
    )
    assert "Aucune part" in preview.error and preview.split is None
    services.custom_shares_set(
        pool=pool,
        by=world.actor(world.manager),
        period=NOV[0],
        weights={a.pk: D("1"), b.pk: D("4")},
    )
    assert CustomShare.objects.count() == 2
    split = selectors.pool_split(pool, *NOV)
    assert {s.label: s.amount for s in split.shares} == {
        "Studio Alpha": D("20.00"),
        "Label Beta": D("80.00"),
    }
    services.custom_shares_set(
        pool=pool, by=world.actor(world.manager), period=NOV[0], weights={a.pk: D("1")}
    )
    assert CustomShare.objects.count() == 1  # replaced, not added
    with pytest.raises(ValidationError):
        services.custom_shares_set(
            pool=pool, by=world.actor(world.manager), period=NOV[0], weights={a.pk: D("0")}
        )
    assert CustomShare.objects.get().weight == D("1")


def test_one_off_pool_is_split_in_its_month_only(world):
    pool = make_pool(
        world,
        kind="one_off",
        amount=D("1200.00"),
        starts_on=dt.date(2026, 11, 20),
        name="Assurance",
    )
    join(world, pool, world.org_a)
    join(world, pool, world.org_b, joined=dt.date(2026, 11, 25))  # after the date
    split = selectors.pool_split(pool, *NOV)
    assert [(s.label, s.amount) for s in split.shares] == [("Studio Alpha", D("1200.00"))]
    assert selectors.pool_split(pool, dt.date(2026, 12, 1), dt.date(2026, 12, 31)) is None


def test_members_see_their_pools_and_only_their_own_share(world):
    pool = make_pool(world)
    join(world, pool, world.org_a)
    join(world, pool, world.org_b)
    make_pool(world, name="Licence logiciel")  # org_a not in it
    member = world.actor(world.member_a)
    assert [p.name for p in selectors.pool_list(actor=member)] == ["Boutique rue Myrha"]
    shares = selectors.member_pool_shares(actor=member, first_day=NOV[0], last_day=NOV[1])
    assert [(s.pool.name, s.share.label, s.share.amount) for s in shares] == [
        ("Boutique rue Myrha", "Studio Alpha", D("900.00"))
    ]
    assert [p.organisation for p in selectors.participation_list(actor=member, pool=pool)] == [
        world.org_a
    ]


class PoolSplitProperties(HypothesisTestCase):
    """Whatever the dates and figures, the month's parts add up to the month's amount."""

    @classmethod
    def setUpTestData(cls):
        from grappe.territory.services import reference_load_bundled

        reference_load_bundled()
        cls.world = build_world()

    @settings(max_examples=40, deadline=None)
    @given(
        cents=st.integers(-(10**8), 10**8),
        key=st.sampled_from(["equal", "weights", "surface"]),
        spells=st.lists(
            st.tuples(
                st.integers(0, 60), st.one_of(st.none(), st.integers(0, 40)), st.integers(1, 90)
            ),
            min_size=1,
            max_size=5,
        ),
    )
    def test_parts_add_up(self, cents, key, spells):
        world = self.world
        pool = make_pool(world, amount=D(f"{cents}E-2"), allocation_key=key)
        for index, (joined, length, figure) in enumerate(spells):
            org = make_org(f"Firme {index}")
            make_member(world.paris, org)
            joined_on = dt.date(2026, 10, 1) + dt.timedelta(days=joined)
            join(
                world,
                pool,
                org,
                joined=joined_on,
                left_on=None if length is None else joined_on + dt.timedelta(days=length),
                weight=D(figure),
                surface=D(figure),
            )
        preview = selectors.pool_preview(
            actor=world.actor(world.manager), pool=pool, first_day=NOV[0], last_day=NOV[1]
        )
        if preview.split is None:
            assert preview.error  # nobody present in November
            return
        assert preview.split.total == preview.split.amount == D(f"{cents}E-2")
        assert all(s.amount == s.amount.quantize(D("0.01")) for s in preview.split.shares)
