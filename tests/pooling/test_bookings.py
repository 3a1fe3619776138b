"""Resources, bookings, cancellations and the waitlist (grappe.pooling.services.bookings)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from grappe.core.models import AuditEntry
from grappe.members.models import Person
from grappe.pooling.models import Booking, Closure, Resource, UnmetDemand, WaitlistEntry
from grappe.pooling.services import bookings as services
from tests.factories import make_member, make_org
from tests.pooling.conftest import MONDAY, NOW, at, make_resource

pytestmark = pytest.mark.django_db


def book(world, room, user="member_a", org=None, start="10:00", end="12:00", day=MONDAY, **kw):
    actor = world.actor(getattr(world, user))
    org = org or (world.org_a if user in ("member_a", "manager") else world.org_b)
    return services.booking_create(
        resource=room,
        organisation=org,
        by=actor,
        starts_at=at(day, start),
        ends_at=at(day, end),
        now=kw.pop("now", NOW),
        **kw,
    )


def codes(exc: ValidationError) -> set[str]:
    return {e.code for e in exc.error_list}


# --- Booking ------------------------------------------------------------------------------


def test_a_member_books_a_free_slot_at_the_resource_price(world, room):
    booking = book(world, room)
    stored = Booking.objects.get()
    assert stored == booking and stored.status == Booking.Status.CONFIRMED
    assert stored.organisation == world.org_a and stored.booked_by == world.member_a
    assert stored.amount == Decimal("24.00")  # 2 h × 12 €
    assert stored.alone_amount == Decimal("50.00")  # 2 h × 25 €
    assert stored.vat_rate == Decimal("20.00")
    assert stored.starts_at == at(MONDAY, "10:00")
    assert not AuditEntry.objects.filter(action="booking.create").exists()  # own firm


def test_price_per_slot(world):
    van = make_resource(
        world.paris,
        name="Camion",
        price=Decimal("40.00"),
        price_unit="slot",
        slot_minutes=240,
        opening_hours=["00:00-24:00"] * 7,
    )
    booking = book(world, van, start="08:00", end="16:00")
    assert booking.amount == Decimal("80.00")


def test_an_overlapping_request_is_refused_and_nothing_is_stored(world, room):
    book(world, room)
    with pytest.raises(ValidationError) as exc:
        book(world, room, user="member_b", start="11:00", end="13:00")
    assert codes(exc.value) == {"taken"}
    assert services.only_taken(exc.value)
    assert "déjà réservé" in exc.value.messages[0]
    assert Booking.objects.count() == 1


def test_back_to_back_bookings_are_fine(world, room):
    book(world, room, start="10:00", end="12:00")
    book(world, room, user="member_b", start="12:00", end="13:00")
    assert Booking.objects.confirmed().count() == 2


def test_a_cancelled_booking_frees_its_slot(world, room):
    first = book(world, room)
    Booking.objects.filter(pk=first.pk).update(status=Booking.Status.CANCELLED)
    book(world, room, user="member_b")
    assert Booking.objects.confirmed().get().organisation == world.org_b


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        ("08:00", "10:00", "hours"),  # opens at 9
        ("10:30", "11:30", "slot"),  # slots from 9:00, by the hour
        ("12:00", "11:00", "order"),
    ],
)
def test_requests_breaking_a_rule_are_refused_in_french(world, room, start, end, code):
    with pytest.raises(ValidationError) as exc:
        book(world, room, start=start, end=end)
    assert code in codes(exc.value)
    assert Booking.objects.count() == 0


def test_past_short_notice_and_closures_are_refused(world, room):
    room.min_notice_hours = 48
    room.save()
    with pytest.raises(ValidationError) as exc:
        book(world, room, now=at(MONDAY, "09:00", days=-1))
    assert codes(exc.value) == {"notice"}
    with pytest.raises(ValidationError) as exc:
        book(world, room, now=at(MONDAY, "11:00"))
    assert codes(exc.value) == {"past"}
    Closure.objects.create(resource=room, first_day=MONDAY, last_day=MONDAY)
    with pytest.raises(ValidationError) as exc:
        book(world, room)
    assert "closed" in codes(exc.value)
    assert Booking.objects.count() == 0


def test_monthly_maximum_per_firm(world, room):
    room.max_hours_per_month = Decimal("3")
    room.save()
    book(world, room, start="10:00", end="12:00")
    with pytest.raises(ValidationError) as exc:
        book(world, room, start="14:00", end="16:00")
    assert codes(exc.value) == {"quota"}
    assert "il lui reste 1 h" in exc.value.messages[0]
    book(world, room, user="member_b", start="14:00", end="16:00")  # another firm's quota
    assert Booking.objects.count() == 2


def test_a_listed_resource_is_only_for_the_chosen_firms(world, room):
    room.audience = Resource.Audience.LISTED
    room.save()
    room.allowed_organisations.set([world.org_b])
    with pytest.raises(ValidationError) as exc:
        book(world, room)
    assert codes(exc.value) == {"audience"}
    book(world, room, user="member_b")
    assert Booking.objects.get().organisation == world.org_b


def test_inactive_resource_cannot_be_booked(world, room):
    room.is_active = False
    room.save()
    with pytest.raises(ValidationError) as exc:
        book(world, room)
    assert codes(exc.value) == {"inactive"}
    assert not Booking.objects.exists()


def test_nobody_books_for_another_firm_or_in_another_cluster(world, room):
    with pytest.raises(PermissionDenied):
        book(world, room, user="member_a", org=world.org_b)
    lyon_room = make_resource(world.lyon, name="Plateau")
    with pytest.raises(PermissionDenied):
        book(world, lyon_room, user="member_a")
    with pytest.raises(PermissionDenied):
        book(world, room, user="observer", org=world.org_a)
    assert not Booking.objects.exists()


def test_a_manager_books_for_a_member_and_it_is_audited(world, room):
    booking = book(world, room, user="manager", org=world.org_b)
    assert booking.organisation == world.org_b and booking.booked_by == world.manager
    assert AuditEntry.objects.filter(action="booking.create", target_id=str(booking.pk)).exists()
    with pytest.raises(PermissionDenied):  # not a member of this cluster
        book(world, room, user="manager", org=world.org_lyon, start="14:00", end="15:00")


def test_naive_datetimes_are_refused(world, room):
    with pytest.raises(ValidationError):
        services.booking_create(
            resource=room,
            organisation=world.org_a,
            by=world.actor(world.member_a),
            starts_at=dt.datetime.combine(MONDAY, dt.time(10)),
            ends_at=dt.datetime.combine(MONDAY, dt.time(11)),
            now=NOW,
        )
    assert not Booking.objects.exists()


# --- The database's own guard -------------------------------------------------------------


def test_the_database_refuses_an_overlap_even_without_the_service(world, room):
    book(world, room)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            resource=room,
            organisation=world.org_b,
            starts_at=at(MONDAY, "11:00"),
            ends_at=at(MONDAY, "12:00"),
        )
    assert Booking.objects.count() == 1


def test_the_database_refuses_to_reconfirm_into_an_overlap(world, room):
    first = book(world, room)
    Booking.objects.filter(pk=first.pk).update(status=Booking.Status.CANCELLED)
    book(world, room, user="member_b")
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=first.pk).update(status=Booking.Status.CONFIRMED)
    assert Booking.objects.confirmed().count() == 1


def test_the_database_allows_overlaps_on_another_resource_or_cancelled(world, room):
    other = make_resource(world.paris, name="Box de stockage")
    book(world, room)
    Booking.objects.create(
        resource=other,
        organisation=world.org_b,
        starts_at=at(MONDAY, "10:00"),
        ends_at=at(MONDAY, "12:00"),
    )
    Booking.objects.create(
        resource=room,
        organisation=world.org_b,
        starts_at=at(MONDAY, "10:00"),
        ends_at=at(MONDAY, "12:00"),
        status=Booking.Status.CANCELLED,
    )
    assert Booking.objects.count() == 3


# --- Cancellation -------------------------------------------------------------------------


def test_a_member_cancels_before_the_deadline(world, room):
    booking = book(world, room)
    services.booking_cancel(booking=booking, by=world.actor(world.member_a), now=NOW)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.cancelled_by == world.member_a


def test_cancellation_after_the_deadline_is_refused_to_members_not_managers(world, room):
    booking = book(world, room)
    late = at(MONDAY, "09:00", days=-1) + dt.timedelta(hours=2)  # 23 h before
    with pytest.raises(ValidationError, match="moins de 24 h"):
        services.booking_cancel(booking=booking, by=world.actor(world.member_a), now=late)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    services.booking_cancel(booking=booking, by=world.actor(world.manager), now=late)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert AuditEntry.objects.filter(action="booking.cancel").count() == 1


def test_started_bookings_and_cancelled_ones_cannot_be_cancelled(world, room):
    booking = book(world, room)
    with pytest.raises(ValidationError, match="commencée"):
        services.booking_cancel(
            booking=booking, by=world.actor(world.manager), now=at(MONDAY, "10:30")
        )
    services.booking_cancel(booking=booking, by=world.actor(world.member_a), now=NOW)
    with pytest.raises(ValidationError, match="déjà annulée"):
        services.booking_cancel(booking=booking, by=world.actor(world.member_a), now=NOW)


def test_another_firm_cannot_cancel(world, room):
    booking = book(world, room)
    with pytest.raises(PermissionDenied):
        services.booking_cancel(booking=booking, by=world.actor(world.member_b), now=NOW)
    with pytest.raises(PermissionDenied):
        services.booking_cancel(
            booking=booking, by=world.actor(world.lyon_manager, world.lyon), now=NOW
        )
    assert Booking.objects.get().status == Booking.Status.CONFIRMED


# --- Waitlist -----------------------------------------------------------------------------


def test_waitlist_promotes_the_first_waiting_firm_and_tells_it(
    world, room, django_capture_on_commit_callbacks
):
    booking = book(world, room)
    entry = services.waitlist_join(
        resource=room,
        organisation=world.org_b,
        by=world.actor(world.member_b),
        starts_at=at(MONDAY, "10:00"),
        ends_at=at(MONDAY, "11:00"),
        now=NOW,
    )
    assert entry.status == WaitlistEntry.Status.WAITING
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, by=world.actor(world.member_a), now=NOW)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.PROMOTED
    promoted = Booking.objects.confirmed().get()
    assert promoted == entry.booking and promoted.organisation == world.org_b
    assert [m.to for m in mail.outbox] == [[world.member_b.email]]
    assert "Salle de répétition Myrha" in mail.outbox[0].subject
    assert "/c/paris/pooling/" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="booking.waitlist_promote").count() == 1


def test_waitlist_skips_an_entry_that_became_invalid(world, room):
    room.max_hours_per_month = Decimal("1")
    room.save()
    booking = book(world, room, start="10:00", end="11:00")
    third = make_org("Salle Gamma")
    make_member(world.paris, third)
    gamma_user = world.outsider
    Person.objects.create(organisation=third, user=gamma_user, first_name="G", last_name="G")
    # org_b waits, then uses its monthly hour elsewhere; Gamma waits after it.
    services.waitlist_join(
        resource=room,
        organisation=world.org_b,
        by=world.actor(world.member_b),
        starts_at=at(MONDAY, "10:00"),
        ends_at=at(MONDAY, "11:00"),
        now=NOW,
    )
    services.waitlist_join(
        resource=room,
        organisation=third,
        by=world.actor(gamma_user),
        starts_at=at(MONDAY, "10:00"),
        ends_at=at(MONDAY, "11:00"),
        now=NOW,
    )
    book(world, room, user="member_b", start="15:00", end="16:00")
    services.booking_cancel(booking=booking, by=world.actor(world.member_a), now=NOW)
    first, second = WaitlistEntry.objects.order_by("id")
    assert first.status == WaitlistEntry.Status.EXPIRED and "maximum" in first.reason
    assert second.status == WaitlistEntry.Status.PROMOTED
    assert Booking.objects.confirmed().filter(organisation=third).count() == 1


def test_waitlist_entry_keeps_waiting_while_part_of_its_slot_is_taken(world, room):
    book(world, room, start="10:00", end="11:00")
    other = book(world, room, user="member_b", start="11:00", end="12:00")
    third = make_org("Salle Gamma")
    make_member(world.paris, third)
    Person.objects.create(organisation=third, user=world.outsider)
    entry = services.waitlist_join(
        resource=room,
        organisation=third,
        by=world.actor(world.outsider),
        starts_at=at(MONDAY, "10:00"),
        ends_at=at(MONDAY, "12:00"),
        now=NOW,
    )
    services.booking_cancel(booking=other, by=world.actor(world.member_b), now=NOW)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING
    assert Booking.objects.confirmed().count() == 1
    # The promotion's retry is not one more unmet demand (nor a radar text).
    assert not UnmetDemand.objects.exists()


def test_waitlist_refuses_a_free_slot_a_duplicate_and_a_broken_rule(world, room):
    actor = world.actor(world.member_b)
    kwargs = {"resource": room, "organisation": world.org_b, "by": actor, "now": NOW}
    with pytest.raises(ValidationError, match="libre"):
        services.waitlist_join(starts_at=at(MONDAY, "10:00"), ends_at=at(MONDAY, "11:00"), **kwargs)
    book(world, room)
    services.waitlist_join(starts_at=at(MONDAY, "10:00"), ends_at=at(MONDAY, "11:00"), **kwargs)
    with pytest.raises(ValidationError, match="attend déjà"):
        services.waitlist_join(starts_at=at(MONDAY, "10:00"), ends_at=at(MONDAY, "11:00"), **kwargs)
    with pytest.raises(ValidationError) as exc:
        services.waitlist_join(starts_at=at(MONDAY, "10:30"), ends_at=at(MONDAY, "11:30"), **kwargs)
    assert codes(exc.value) == {"slot"}
    assert WaitlistEntry.objects.count() == 1


def test_waitlist_withdraw(world, room):
    book(world, room)
    entry = services.waitlist_join(
        resource=room,
        organisation=world.org_b,
        by=world.actor(world.member_b),
        starts_at=at(MONDAY, "10:00"),
        ends_at=at(MONDAY, "11:00"),
        now=NOW,
    )
    with pytest.raises(PermissionDenied):
        services.waitlist_withdraw(entry=entry, by=world.actor(world.member_a))
    services.waitlist_withdraw(entry=entry, by=world.actor(world.member_b))
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WITHDRAWN
    with pytest.raises(ValidationError):
        services.waitlist_withdraw(entry=entry, by=world.actor(world.member_b))


# --- Resources (managers) -----------------------------------------------------------------


def resource_data(**overrides):
    return {
        "kind": "storage",
        "name": "Box de stockage",
        "opening_hours": ["08:00-20:00"] * 7,
        "slot_minutes": 60,
        "price": Decimal("3.00"),
        **overrides,
    }


def test_a_manager_creates_and_updates_a_resource_audited(world):
    manager = world.actor(world.manager)
    resource = services.resource_create(
        by=manager, allowed_organisation_ids=[world.org_a.pk], **resource_data(audience="listed")
    )
    assert Resource.objects.get().cluster == world.paris
    assert list(resource.allowed_organisations.all()) == [world.org_a]
    services.resource_update(resource=resource, by=manager, price=Decimal("4.00"))
    resource.refresh_from_db()
    assert resource.price == Decimal("4.00")
    assert list(
        AuditEntry.objects.filter(target_type="pooling.resource", target_id=str(resource.pk))
        .values_list("action", flat=True)
        .order_by("id")
    ) == ["resource.create", "resource.update"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"opening_hours": ["neuf heures"] + ["08:00-20:00"] * 6}, "opening_hours"),
        ({"opening_hours": ["08:00-20:00"] * 3}, "opening_hours"),
        ({"slot_minutes": 2}, "slot_minutes"),
        ({"price": Decimal("-1")}, "price"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_resource_input_is_refused_and_nothing_stored(world, overrides, field):
    with pytest.raises(ValidationError) as exc:
        services.resource_create(by=world.actor(world.manager), **resource_data(**overrides))
    assert field in exc.value.message_dict
    assert not Resource.objects.exists()
    assert not AuditEntry.objects.filter(action="resource.create").exists()


def test_duplicate_name_and_foreign_firms_are_refused(world, room):
    manager = world.actor(world.manager)
    with pytest.raises(ValidationError, match="déjà ce nom"):
        services.resource_create(by=manager, **resource_data(name="salle de répétition myrha"))
    with pytest.raises(ValidationError):
        services.resource_create(
            by=manager, allowed_organisation_ids=[world.org_lyon.pk], **resource_data()
        )
    assert Resource.objects.count() == 1


def test_only_managers_manage_resources(world, room):
    for user in ("member_a", "observer"):
        with pytest.raises(PermissionDenied):
            services.resource_create(by=world.actor(getattr(world, user)), **resource_data())
    with pytest.raises(PermissionDenied):
        services.resource_update(
            resource=room, by=world.actor(world.lyon_manager, world.lyon), price=Decimal("1")
        )
    room.refresh_from_db()
    assert room.price == Decimal("12.00") and Resource.objects.count() == 1


def test_closures_refuse_confirmed_bookings_and_are_audited(world, room):
    manager = world.actor(world.manager)
    book(world, room)
    with pytest.raises(ValidationError, match="réservations confirmées"):
        services.closure_add(resource=room, by=manager, first_day=MONDAY, last_day=MONDAY)
    with pytest.raises(ValidationError):
        services.closure_add(
            resource=room, by=manager, first_day=MONDAY, last_day=MONDAY - dt.timedelta(days=1)
        )
    closure = services.closure_add(
        resource=room,
        by=manager,
        first_day=MONDAY + dt.timedelta(1),
        last_day=MONDAY + dt.timedelta(2),
        reason="Travaux",
    )
    assert Closure.objects.get() == closure
    services.closure_delete(closure=closure, by=manager)
    assert not Closure.objects.exists()
    assert AuditEntry.objects.filter(action__startswith="resource.closure").count() == 2
