"""Pooling journeys in the browser: a member books a room and finds it on its dashboard;
a manager creates a cost pool and previews its split; a member pledges to a study."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grappe.pooling.models import Booking, CostPool, Pledge, Study
from grappe.pooling.periods import monday_of, month_of, to_local
from grappe.pooling.selectors.pools import pool_split
from grappe.pooling.templatetags.pooling import euros
from tests.pooling.conftest import make_resource

pytestmark = pytest.mark.e2e


def test_member_books_a_room_and_sees_it_on_its_dashboard(page, world, login, screenshot):
    room = make_resource(world.paris, description="Batterie, amplis, sono de façade.")
    login(world.member_a, next_url="/c/paris/pooling/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mutualisation")
    page.get_by_role("link", name="Réserver une ressource").click()
    page.get_by_role("link", name="Voir le planning et réserver").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Salle de répétition Myrha")

    # Next week, through htmx, without reloading the page.
    page.get_by_role("link", name="Semaine suivante").click()
    next_monday = monday_of(timezone.localdate()) + dt.timedelta(days=7)
    expect(page).to_have_url(re.compile(rf"week={next_monday.isoformat()}"))
    wednesday = next_monday + dt.timedelta(days=2)
    label = f"Réserver le mercredi {wednesday.day} "
    page.get_by_role("link", name=re.compile(re.escape(label) + r".* à 18:00")).click()
    panel = page.locator("#booking-panel")
    expect(panel.get_by_role("heading", name="Réserver Salle de répétition Myrha")).to_be_visible()
    panel.get_by_label("Jusqu'à").select_option(label="20:00")
    panel.get_by_label("Note (facultatif)").fill("Répétition avant le concert")
    screenshot("pooling-booking-form")
    panel.get_by_role("button", name="Réserver").click()

    expect(page.locator(".messages")).to_contain_text("Réservé : Salle de répétition Myrha")
    expect(page.locator(".slot.mine").first).to_be_visible()
    screenshot("pooling-calendar-booked")
    booking = Booking.objects.get()
    start = to_local(booking.starts_at)
    assert (start.date(), start.hour, to_local(booking.ends_at).hour) == (wednesday, 18, 20)
    assert booking.organisation == world.org_a and booking.amount == Decimal("24.00")

    page.locator(".cluster-nav").get_by_role("link", name="Mutualisation").click()
    table = page.locator("#upcoming-bookings")
    expect(table).to_contain_text("Salle de répétition Myrha")
    expect(table).to_contain_text("Répétition avant le concert")
    expect(table).to_contain_text("18:00 – 20:00")
    screenshot("pooling-dashboard")
    assert room.bookings.count() == 1


def test_manager_creates_a_cost_pool_and_previews_its_split(page, world, login, screenshot):
    login(world.manager, next_url="/c/paris/")
    page.locator("details.manage summary").click()
    page.get_by_role("link", name="Pools de coûts").click()
    page.get_by_role("link", name="Créer un pool de coûts").click()
    page.get_by_label("Nom").fill("Boutique partagée rue Myrha")
    page.get_by_label("Montant HT par période (€)").fill("2640.00")
    page.get_by_label("Clé de répartition").select_option(label="Surface occupée")
    page.get_by_label("À partir du").fill("2026-01-01")
    screenshot("pooling-pool-form")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Boutique partagée rue Myrha")
    expect(page.locator(".errors-box")).to_contain_text("Aucun participant")

    month = timezone.localdate().replace(day=1)
    for org, surface, joined in (
        (world.org_a, "40", "2026-01-01"),
        (world.org_b, "20", month.isoformat()),
    ):
        form = page.locator("form", has=page.get_by_role("heading", name="Ajouter un participant"))
        form.get_by_label("Structure").select_option(label=org.name)
        form.get_by_label("Entrée le").fill(joined)
        form.get_by_label("Surface (m²)").fill(surface)
        form.get_by_role("button", name="Ajouter").click()
        expect(page.locator(".messages")).to_contain_text(f"{org.name} participe au pool")

    preview = page.locator("#preview")
    expect(preview).to_contain_text("Studio Alpha")
    expect(preview).to_contain_text("Label Beta")
    expect(page.locator("#preview-total")).to_have_text("2 640,00 €")
    screenshot("pooling-pool-preview")
    pool = CostPool.objects.get()
    assert pool.allocation_key == "surface" and pool.participations.count() == 2
    split = pool_split(pool, *month_of(timezone.localdate()))
    shown = [preview.locator("tbody tr").nth(i).locator("td").nth(3).inner_text() for i in range(2)]
    stored = [euros(share.amount) for share in split.shares]
    assert sorted(shown) == sorted(stored)
    assert sum(share.amount for share in split.shares) == Decimal("2640.00")


def test_member_pledges_to_a_study_and_the_price_falls(page, world, login, screenshot):
    study = Study.objects.create(
        cluster=world.paris,
        title="Étude de marché : les lieux de musique live du 18e",
        description="Recensement des salles du 18e et enquête auprès de 600 spectateurs.",
        total_price=Decimal("8400.00"),
        min_participants=4,
        pledge_deadline=timezone.localdate() + dt.timedelta(days=21),
        late_price=Decimal("2500.00"),
        alone_price=Decimal("8400.00"),
    )
    Pledge.objects.create(study=study, organisation=world.org_b)
    login(world.member_a, next_url="/c/paris/pooling/studies/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Études et achats groupés")
    page.get_by_role("link", name=study.title).click()
    expect(page.locator("#price-now")).to_have_text("8 400,00 € HT")
    expect(page.locator("#study-price")).to_contain_text(
        "Avec une structure de plus : 4 200,00 € HT"
    )
    screenshot("pooling-study-before")
    page.get_by_role("button", name="Engager ma structure").click()
    expect(page.locator(".messages")).to_contain_text("4 200,00 € HT par structure")
    expect(page.locator("#price-now")).to_have_text("4 200,00 € HT")
    expect(page.locator("#study-price")).to_contain_text("Il manque 2 engagements.")
    expect(page.get_by_role("button", name="Retirer l'engagement")).to_be_visible()
    screenshot("pooling-study-pledged")
    assert set(study.pledges.values_list("organisation_id", flat=True)) == {
        world.org_a.pk,
        world.org_b.pk,
    }


def test_a_refused_booking_reaches_the_managers_occupancy_page(
    page, open_page, world, login, screenshot
):
    from grappe.pooling.models import UnmetDemand
    from grappe.pooling.periods import from_local

    room = make_resource(world.paris)
    next_monday = monday_of(timezone.localdate()) + dt.timedelta(days=7)
    wednesday = next_monday + dt.timedelta(days=2)
    login(world.member_a, next_url=f"/c/paris/pooling/resources/{room.pk}/?week={next_monday}")
    label = f"Réserver le mercredi {wednesday.day} "
    page.get_by_role("link", name=re.compile(re.escape(label) + r".* à 17:00")).click()
    panel = page.locator("#booking-panel")
    panel.get_by_label("Jusqu'à").select_option(label="20:00")
    panel.get_by_label("Note (facultatif)").fill("Filage du spectacle avec la chorale")
    Booking.objects.create(  # meanwhile, another firm takes 19:00–21:00
        resource=room,
        organisation=world.org_b,
        starts_at=from_local(dt.datetime.combine(wednesday, dt.time(19))),
        ends_at=from_local(dt.datetime.combine(wednesday, dt.time(21))),
    )
    panel.get_by_role("button", name="Réserver").click()
    expect(panel.get_by_role("alert")).to_contain_text("déjà réservé")
    expect(panel).to_contain_text("Votre demande est notée")
    expect(panel.get_by_role("button", name="M'inscrire sur la liste d'attente")).to_be_visible()
    # The week on screen is redrawn: the slot taken meanwhile no longer shows as free.
    taken = re.compile(re.escape(label) + r".* à 19:00")
    expect(page.get_by_role("link", name=taken)).to_have_count(0)
    expect(page.locator("#calendar .slot.taken").first).to_be_visible()
    screenshot("pooling-booking-refused")
    demand = UnmetDemand.objects.get()
    assert (demand.organisation, demand.note) == (
        world.org_a,
        "Filage du spectacle avec la chorale",
    )
    assert room.bookings.count() == 1

    manager = open_page()
    login(world.manager, tab=manager)
    manager.goto(f"/c/paris/manage/pooling/occupancy/?period=week&week={next_monday}")
    expect(manager.get_by_role("heading", name="Demandes refusées faute de place")).to_be_visible()
    expect(manager.locator("table").last).to_contain_text("Filage du spectacle avec la chorale")
    expect(manager.locator("table").first).to_contain_text("3 h")
    screenshot("pooling-occupancy-unmet", manager)
