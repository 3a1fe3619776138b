"""Pooling pages: the access matrix (role × page) and the main flows through the views."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grappe.core.models import AuditEntry
from grappe.pooling.models import (
    Booking,
    CostPool,
    HoursRequest,
    Participation,
    Pledge,
    Resource,
    SharedEmployee,
    Study,
    StudyDocument,
    WaitlistEntry,
)
from grappe.pooling.periods import from_local, monday_of
from grappe.pooling.views.resources import feed_token
from tests.matrix import LOGIN, assert_pages, expect
from tests.pooling.conftest import make_resource

pytestmark = pytest.mark.django_db

D = Decimal
# A Wednesday at least a week ahead: the room is open, the booking can be cancelled.
DAY = monday_of(timezone.localdate() + dt.timedelta(days=14)) + dt.timedelta(days=2)


MEMBERS = expect(
    default=403,
    anonymous=LOGIN,
    outsider=404,
    lyon_manager=404,
    member_a=200,
    member_b=200,
    manager=200,
)
MANAGERS = expect(default=403, anonymous=LOGIN, outsider=404, lyon_manager=404, manager=200)
STAFF = expect(
    default=403, anonymous=LOGIN, outsider=404, lyon_manager=404, manager=200, observer=200
)


@pytest.fixture
def things(world):
    room = make_resource(world.paris)
    lyon_room = make_resource(world.lyon, name="Plateau Lyon")
    start = from_local(dt.datetime.combine(DAY, dt.time(10)))
    booking_a = Booking.objects.create(
        resource=room,
        organisation=world.org_a,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    pool = CostPool.objects.create(
        cluster=world.paris, name="Boutique", amount=D("600.00"), starts_on=dt.date(2026, 1, 1)
    )
    Participation.objects.create(pool=pool, organisation=world.org_a, joined_on=dt.date(2026, 1, 1))
    lyon_pool = CostPool.objects.create(
        cluster=world.lyon, name="Loyer", amount=D("1.00"), starts_on=dt.date(2026, 1, 1)
    )
    employee = SharedEmployee.objects.create(
        cluster=world.paris, name="Yanis", role="Webmaster", yearly_cost=D("40000")
    )
    study = Study.objects.create(
        cluster=world.paris,
        title="Étude live",
        description="…",
        total_price=D("900.00"),
        pledge_deadline=timezone.localdate() + dt.timedelta(days=20),
    )
    lyon_study = Study.objects.create(
        cluster=world.lyon,
        title="Étude Lyon",
        description="…",
        total_price=D("1.00"),
        pledge_deadline=timezone.localdate() + dt.timedelta(days=20),
    )
    return {
        "room": room.pk,
        "lyon_room": lyon_room.pk,
        "booking_a": booking_a.pk,
        "pool": pool.pk,
        "lyon_pool": lyon_pool.pk,
        "employee": employee.pk,
        "study": study.pk,
        "lyon_study": lyon_study.pk,
        "start": start.isoformat(),
    }


PAGES = [
    ("dashboard", "/c/paris/pooling/", MEMBERS),
    ("resources", "/c/paris/pooling/resources/", MEMBERS),
    ("resource calendar", "/c/paris/pooling/resources/{room}/", MEMBERS),
    (
        "lyon resource via paris",
        "/c/paris/pooling/resources/{lyon_room}/",
        expect(
            default=403,
            anonymous=LOGIN,
            outsider=404,
            lyon_manager=404,
            member_a=404,
            member_b=404,
            manager=404,
        ),
    ),
    ("booking form", "/c/paris/pooling/resources/{room}/book/?start={start}", MEMBERS),
    ("employees", "/c/paris/pooling/employees/", MEMBERS),
    ("employee", "/c/paris/pooling/employees/{employee}/", MEMBERS),
    ("studies", "/c/paris/pooling/studies/", MEMBERS),
    ("study", "/c/paris/pooling/studies/{study}/", MEMBERS),
    (
        "lyon study via paris",
        "/c/paris/pooling/studies/{lyon_study}/",
        expect(
            default=403,
            anonymous=LOGIN,
            outsider=404,
            lyon_manager=404,
            member_a=404,
            member_b=404,
            manager=404,
        ),
    ),
    ("propose a study", "/c/paris/pooling/studies/create/", MEMBERS),
    ("manage resources", "/c/paris/manage/pooling/resources/", MANAGERS),
    ("new resource", "/c/paris/manage/pooling/resources/create/", MANAGERS),
    ("edit resource", "/c/paris/manage/pooling/resources/{room}/update/", MANAGERS),
    ("occupancy", "/c/paris/manage/pooling/occupancy/", STAFF),
    ("occupancy by week", "/c/paris/manage/pooling/occupancy/?period=week", STAFF),
    ("cost pools", "/c/paris/manage/pooling/pools/", MANAGERS),
    ("new cost pool", "/c/paris/manage/pooling/pools/create/", MANAGERS),
    ("cost pool", "/c/paris/manage/pooling/pools/{pool}/", MANAGERS),
    (
        "lyon cost pool via paris",
        "/c/paris/manage/pooling/pools/{lyon_pool}/",
        expect(default=403, anonymous=LOGIN, outsider=404, lyon_manager=404, manager=404),
    ),
    ("employees (managers)", "/c/paris/manage/pooling/employees/", MANAGERS),
    ("new employee", "/c/paris/manage/pooling/employees/create/", MANAGERS),
    ("edit employee", "/c/paris/manage/pooling/employees/{employee}/update/", MANAGERS),
    ("edit study", "/c/paris/manage/pooling/studies/{study}/update/", MANAGERS),
]


@pytest.mark.parametrize(("label", "url", "codes"), PAGES, ids=[p[0] for p in PAGES])
def test_pages(client, world, things, label, url, codes):
    url = url.format(**things).replace("+", "%2B")
    assert_pages(client, world, url, codes, label=label)


def test_cancel_is_refused_to_other_firms(client, world, things):
    for user, code in (("member_b", 404), ("lyon_manager", 404), ("observer", 403)):
        client.force_login(getattr(world, user))
        assert (
            client.post(f"/c/paris/pooling/bookings/{things['booking_a']}/cancel/").status_code
            == code
        )
    assert Booking.objects.get(pk=things["booking_a"]).status == Booking.Status.CONFIRMED


# --- Flows --------------------------------------------------------------------------------


def test_calendar_shows_own_and_others_bookings_without_names(client, world, things):
    week = (DAY).isoformat()
    client.force_login(world.member_b)
    body = client.get(f"/c/paris/pooling/resources/{things['room']}/?week={week}").content.decode()
    assert "Studio Alpha" not in body and "Réservé" in body
    client.force_login(world.member_a)
    body = client.get(f"/c/paris/pooling/resources/{things['room']}/?week={week}").content.decode()
    assert 'class="slot mine"' in body and "Studio Alpha" in body
    client.force_login(world.manager)
    body = client.get(
        f"/c/paris/pooling/resources/{things['room']}/?week={week}",
        headers={"HX-Request": "true", "HX-Target": "calendar"},
    ).content.decode()
    assert "<html" not in body and "Studio Alpha" in body


def test_member_books_through_the_htmx_form_and_sees_it_on_the_dashboard(client, world, things):
    client.force_login(world.member_b)
    start = from_local(dt.datetime.combine(DAY, dt.time(14)))
    form = client.get(
        f"/c/paris/pooling/resources/{things['room']}/book/",
        {"start": start.isoformat()},
        headers={"HX-Request": "true"},
    )
    assert form.status_code == 200 and "<html" not in form.content.decode()
    assert "Jusqu&#x27;à" in form.content.decode() or "Jusqu'à" in form.content.decode()
    end = start + dt.timedelta(hours=2)
    response = client.post(
        f"/c/paris/pooling/resources/{things['room']}/book/",
        {
            "organisation": world.org_b.pk,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "note": "Répétition",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204 and response["HX-Redirect"].startswith(
        f"/c/paris/pooling/resources/{things['room']}/?week="
    )
    booking = Booking.objects.get(organisation=world.org_b)
    assert (booking.starts_at, booking.ends_at, booking.note, booking.amount) == (
        start,
        end,
        "Répétition",
        D("24.00"),
    )
    dashboard = client.get("/c/paris/pooling/").content.decode()
    assert "Salle de répétition Myrha" in dashboard and "Répétition" in dashboard


def test_a_taken_slot_answers_in_french_and_offers_the_waitlist(client, world, things):
    client.force_login(world.member_b)
    start = dt.datetime.fromisoformat(things["start"])
    response = client.post(
        f"/c/paris/pooling/resources/{things['room']}/book/",
        {
            "organisation": world.org_b.pk,
            "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=1)).isoformat(),
        },
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "déjà réservé" in body and "liste d&#x27;attente" in body
    assert Booking.objects.count() == 1
    joined = client.post(
        f"/c/paris/pooling/resources/{things['room']}/waitlist/",
        {
            "organisation": world.org_b.pk,
            "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=1)).isoformat(),
        },
    )
    assert joined.status_code == 302
    assert WaitlistEntry.objects.get().organisation == world.org_b


def test_member_cancels_from_the_dashboard(client, world, things):
    client.force_login(world.member_a)
    response = client.post(f"/c/paris/pooling/bookings/{things['booking_a']}/cancel/", follow=True)
    assert "Réservation annulée" in response.content.decode()
    assert Booking.objects.get(pk=things["booking_a"]).status == Booking.Status.CANCELLED


def test_manager_creates_a_resource_with_bad_hours_then_good_ones(client, world):
    client.force_login(world.manager)
    data = {
        "kind": "equipment",
        "name": "Sono Bose L1",
        "audience": "all",
        "slot_minutes": 240,
        "min_notice_hours": 24,
        "cancellation_deadline_hours": 48,
        "price": "30.00",
        "price_unit": "slot",
        "vat_rate": "20",
        "is_active": "on",
        **{f"hours_{i}": "00:00-24:00" for i in range(7)},
    }
    bad = client.post("/c/paris/manage/pooling/resources/create/", {**data, "hours_2": "midi"})
    assert bad.status_code == 200 and "Mercredi" in bad.content.decode()
    assert not Resource.objects.exists()
    good = client.post("/c/paris/manage/pooling/resources/create/", data)
    resource = Resource.objects.get()
    assert good.status_code == 302 and resource.opening_hours == ["00:00-24:00"] * 7
    assert resource.price_unit == "slot" and resource.slot_minutes == 240


def test_manager_creates_a_cost_pool_and_previews_its_split(client, world):
    client.force_login(world.manager)
    response = client.post(
        "/c/paris/manage/pooling/pools/create/",
        {
            "name": "Boutique rue Myrha",
            "kind": "recurring",
            "amount": "1000.00",
            "vat_rate": "20",
            "allocation_key": "equal",
            "starts_on": "2026-01-01",
        },
    )
    pool = CostPool.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/pools/{pool.pk}/")
    for org, joined in ((world.org_a, "2026-01-01"), (world.org_b, "2026-11-16")):
        client.post(
            f"/c/paris/manage/pooling/pools/{pool.pk}/participants/",
            {"organisation": org.pk, "joined_on": joined, "weight": "1"},
        )
    assert pool.participations.count() == 2
    body = client.get(f"/c/paris/manage/pooling/pools/{pool.pk}/?month=2026-11").content.decode()
    assert "666,67\xa0€" in body and "333,33\xa0€" in body and "1\xa0000,00\xa0€" in body
    bad = client.post(
        f"/c/paris/manage/pooling/pools/{pool.pk}/participants/",
        {"organisation": world.org_a.pk, "joined_on": "2026-03-01", "weight": "1"},
    )
    assert bad.status_code == 400 and "chevauche" in bad.content.decode()
    assert pool.participations.count() == 2


def test_member_asks_hours_and_gets_alternatives_in_the_page(client, world, things):
    employee = SharedEmployee.objects.get(pk=things["employee"])
    employee.weekly_hours = D("7")
    employee.daily_hours = ["7", "7", "0", "0", "0", "0", "0"]
    employee.save()
    HoursRequest.objects.create(
        employee=employee,
        organisation=world.org_a,
        kind="recurring",
        weekday=0,
        hours=D("7"),
        status="validated",
    )
    client.force_login(world.member_b)
    response = client.post(
        f"/c/paris/pooling/employees/{employee.pk}/",
        {
            "organisation": world.org_b.pk,
            "kind": "recurring",
            "weekday": "0",
            "hours": "7",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "ne tient pas dans le planning" in body
    assert HoursRequest.objects.count() == 1


def test_member_pledges_and_sees_the_price_fall(client, world, things):
    client.force_login(world.member_a)
    response = client.post(
        f"/c/paris/pooling/studies/{things['study']}/pledge/",
        {"organisation": world.org_a.pk},
        follow=True,
    )
    assert "Engagement enregistré" in response.content.decode()
    assert Pledge.objects.filter(study_id=things["study"], organisation=world.org_a).exists()
    client.force_login(world.member_b)
    fragment = client.get(
        f"/c/paris/pooling/studies/{things['study']}/",
        headers={"HX-Request": "true", "HX-Target": "study-price"},
    )
    body = fragment.content.decode()
    assert "<html" not in body and "900,00" in body and "450,00" in body  # now, and with one more


def test_study_results_download_is_checked(client, world, things):
    study = Study.objects.get(pk=things["study"])
    Pledge.objects.create(study=study, organisation=world.org_a)
    study.status = Study.Status.CONFIRMED
    study.save()
    client.force_login(world.manager)
    client.post(
        f"/c/paris/manage/pooling/studies/{study.pk}/document/",
        {"file": SimpleUploadedFile("resultats.pdf", b"%PDF-1.4 ok")},
    )
    document = StudyDocument.objects.get()
    url = f"/c/paris/pooling/studies/{study.pk}/documents/{document.pk}/"
    for user, code in (
        ("member_a", 200),
        ("manager", 200),
        ("member_b", 404),
        ("observer", 403),
        ("outsider", 404),
    ):
        client.force_login(getattr(world, user))
        response = client.get(url)
        assert response.status_code == code, user
        if code == 200:
            assert b"".join(response.streaming_content) == b"%PDF-1.4 ok"
            assert response["Cache-Control"] == "private, no-store"


def test_manager_decides_a_study_from_its_page(client, world, things):
    client.force_login(world.manager)
    response = client.post(
        f"/c/paris/manage/pooling/studies/{things['study']}/decide/", follow=True
    )
    assert "Pas encore assez" in response.content.decode()
    client.post(f"/c/paris/manage/pooling/studies/{things['study']}/cancel/")
    assert Study.objects.get(pk=things["study"]).status == Study.Status.CANCELLED
    assert AuditEntry.objects.filter(action="study.cancel").exists()


# --- iCalendar feeds ----------------------------------------------------------------------


def test_organisation_feed_with_a_signed_token(client, world, things):
    token = feed_token(user=world.member_a, organisation_id=world.org_a.pk)
    response = client.get(f"/c/paris/pooling/feeds/bookings/{token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VCALENDAR" in body and f"booking-{things['booking_a']}@grappe" in body
    assert "Salle de répétition Myrha" in body
    # A forged token, another firm's token or a person who left: nothing.
    assert client.get(f"/c/paris/pooling/feeds/bookings/{token}x.ics").status_code == 404
    forged = feed_token(user=world.member_b, organisation_id=world.org_a.pk)
    assert client.get(f"/c/paris/pooling/feeds/bookings/{forged}.ics").status_code == 404
    assert client.get(f"/c/lyon/pooling/feeds/bookings/{token}.ics").status_code == 404


def test_resource_feed_hides_other_firms_names(client, world, things):
    token_b = feed_token(user=world.member_b, resource_id=things["room"])
    body = client.get(f"/c/paris/pooling/feeds/resource/{token_b}.ics").content.decode()
    assert "Réservé" in body and "Studio Alpha" not in body
    token_m = feed_token(user=world.manager, resource_id=things["room"])
    assert (
        "Studio Alpha"
        in client.get(f"/c/paris/pooling/feeds/resource/{token_m}.ics").content.decode()
    )
    token_o = feed_token(user=world.observer, resource_id=things["room"])
    assert client.get(f"/c/paris/pooling/feeds/resource/{token_o}.ics").status_code == 404


def test_occupancy_page_shows_figures(client, world, things):
    client.force_login(world.observer)
    week = monday_of(DAY).isoformat()
    body = client.get(
        f"/c/paris/manage/pooling/occupancy/?period=week&week={week}"
    ).content.decode()
    assert "Salle de répétition Myrha" in body and "Studio Alpha" not in body
    assert "1 %" in body  # 1 h out of 6 × 13 h


def test_study_proposal_by_a_member(client, world):
    client.force_login(world.member_a)
    response = client.post(
        "/c/paris/pooling/studies/create/",
        {
            "organisation": world.org_a.pk,
            "kind": "purchase",
            "title": "Achat groupé de câbles",
            "description": "Câbles XLR",
            "total_price": "600.00",
            "vat_rate": "20",
            "min_participants": "2",
            "pledge_deadline": (timezone.localdate() + dt.timedelta(days=15)).isoformat(),
        },
    )
    study = Study.objects.get(title="Achat groupé de câbles")
    assert response.status_code == 302 and study.proposed_for == world.org_a
    past = client.post(
        "/c/paris/pooling/studies/create/",
        {
            "organisation": world.org_a.pk,
            "kind": "study",
            "title": "Trop tard",
            "description": "…",
            "total_price": "600.00",
            "vat_rate": "20",
            "min_participants": "2",
            "pledge_deadline": "2020-01-01",
        },
    )
    assert past.status_code == 200 and "déjà passée" in past.content.decode()
    assert not Study.objects.filter(title="Trop tard").exists()


def test_the_shared_employee_sees_its_page_and_logs_its_hours(client, world, things):
    employee = SharedEmployee.objects.get(pk=things["employee"])
    employee.user = world.outsider
    employee.save()
    client.force_login(world.outsider)
    url = f"/c/paris/pooling/employees/{employee.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and "Saisir des heures faites" in page.content.decode()
    assert client.get("/c/paris/pooling/employees/").status_code == 404  # not a member
    response = client.post(
        f"{url}timelog/",
        {
            "organisation": world.org_a.pk,
            "day": timezone.localdate().isoformat(),
            "hours": "3.5",
            "note": "Mise à jour du site",
        },
    )
    assert response.status_code == 302
    log = employee.time_logs.get()
    assert (log.organisation, log.hours, log.logged_by) == (world.org_a, D("3.5"), world.outsider)
    client.force_login(world.member_b)  # a member cannot log hours
    assert (
        client.post(
            f"{url}timelog/",
            {"organisation": world.org_b.pk, "day": timezone.localdate().isoformat(), "hours": "1"},
        ).status_code
        == 403
    )
    assert employee.time_logs.count() == 1
