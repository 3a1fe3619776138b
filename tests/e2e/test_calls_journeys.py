"""Calls watch in the browser: a member sees its matched calls with their reasons and
subscribes to a weekly digest; a manager opens a collective application for several
members and splits its budget."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from grappe.calls.alerts import alerts_send
from grappe.calls.matching import matches_recompute
from grappe.calls.models import AlertDelivery, AlertPreference, Application
from tests.calls.conftest import make_call

pytestmark = pytest.mark.e2e


def field(page, label: str):
    """The form field labelled exactly ``label`` (Django adds " :" in French)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}(\s*:)?$"))


@pytest.fixture
def calls(world):
    studios = make_call(
        "Aide à l'équipement des studios d'enregistrement",
        where="paris",
        description="Consoles, micros et traitement acoustique des studios d'enregistrement.",
        financers=("Ville de Paris",),
    )
    label = make_call(
        "Production phonographique des labels indépendants",
        where="fr",
        description="Albums et EP d'artistes en développement produits par des labels.",
        days=10,
    )
    collective = make_call(
        "Mutualisation entre studios et labels : projets collectifs",
        where="idf",
        description="Soutien aux groupements d'au moins deux entreprises qui mutualisent "
        "un studio d'enregistrement et la promotion de leurs artistes.",
        financers=("Région Île-de-France",),
    )
    farm = make_call("Installation des jeunes agriculteurs", audiences=("farmer",))
    matches_recompute(cluster=world.paris)
    return {"studios": studios, "label": label, "collective": collective, "farm": farm}


def test_member_sees_matched_calls_and_subscribes_to_a_weekly_digest(
    page, login, world, calls, screenshot
):
    login(world.member_a, next_url="/c/paris/")
    nav = page.get_by_role("navigation", name="Navigation de la grappe")
    nav.get_by_role("link", name="Mes appels").click()
    expect(page).to_have_url("/c/paris/calls/matches/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes appels recommandés")
    cards = page.locator("article.call-card")
    expect(cards).to_have_count(3)
    studios = cards.filter(has_text=calls["studios"].name)
    expect(studios).to_contain_text("Appel départemental : vous êtes dans le département (Paris)")
    expect(studios.locator(".badge.ok")).to_have_text(re.compile(r"^\d+ %$"))
    expect(page.get_by_text(calls["farm"].name)).to_have_count(0)
    screenshot("calls-member-matches")

    studios.locator("h3 a").click()
    expect(page.get_by_role("heading", name="Pourquoi cet appel vous correspond")).to_be_visible()
    screenshot("calls-member-call-detail")
    page.go_back()

    page.get_by_role("link", name="Recevoir ces appels par e-mail").click()
    expect(page).to_have_url("/c/paris/calls/alerts/")
    field(page, "Score minimum (%)").fill("20")
    page.get_by_label("Une fois par semaine").check()
    page.get_by_role("button", name="Enregistrer mes alertes").click()
    expect(page.get_by_role("status")).to_have_text("Vos alertes sont enregistrées.")
    expect(page.get_by_text("Alertes actives : une fois par semaine.")).to_be_visible()
    expect(page.get_by_role("textbox", name="Lien du calendrier : Studio Alpha")).to_have_value(
        re.compile(r"/c/paris/calls/calendar/.+\.ics$")
    )
    screenshot("calls-member-alerts")

    preference = AlertPreference.objects.get(user=world.member_a, cluster=world.paris)
    assert (preference.frequency, preference.threshold, preference.is_active) == (
        "weekly",
        20,
        True,
    )
    assert alerts_send(frequency="weekly") == 1
    assert alerts_send(frequency="weekly") == 0
    assert len(mail.outbox) == 1 and calls["studios"].name in mail.outbox[0].body
    assert AlertDelivery.objects.filter(user=world.member_a).count() >= 1


def test_manager_opens_a_collective_application(page, login, world, calls, screenshot):
    login(world.manager, next_url="/c/paris/calls/matches/")
    page.get_by_role("link", name="Candidatures collectives").click()
    card = page.locator("article.call-card", has_text=calls["collective"].name)
    expect(card).to_contain_text("L'appel s'adresse aux démarches collectives")
    screenshot("calls-manager-cluster-matches")
    card.get_by_role("link", name="Ouvrir une candidature collective").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ouvrir une candidature")
    expect(page.get_by_label("Studio Alpha")).to_be_checked()
    expect(page.get_by_label("Label Beta")).to_be_checked()
    field(page, "Intitulé du projet").fill("Studio et promotion partagés du 18e")
    field(page, "Chef de file").select_option(label="Label Beta")
    field(page, "Budget total (€)").fill("10000")
    field(page, "Montant demandé (€)").fill("7000")
    screenshot("calls-manager-application-form")
    page.get_by_role("button", name="Ouvrir la candidature").click()

    expect(page.get_by_role("status")).to_have_text("Candidature ouverte.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Studio et promotion partagés du 18e")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(3)
    page.get_by_label("Clé").first.fill("3")
    page.get_by_role("button", name="Répartir le budget").click()
    expect(page.get_by_role("status")).to_have_text("Budget réparti.")
    expect(rows.last).to_contain_text("10 000,00 €")

    tasks = page.locator("section.card", has=page.get_by_role("heading", name="Tâches"))
    field(tasks, "Tâche").fill("Lettres d'engagement des deux membres")
    tasks.get_by_role("button", name="Ajouter la tâche").click()
    expect(page.get_by_text("Lettres d'engagement des deux membres")).to_be_visible()
    screenshot("calls-manager-application")

    application = Application.objects.get()
    assert application.kind == "collective" and application.status == "draft"
    shares = {
        p.organisation.name: (p.role, p.budget_share)
        for p in application.participants.select_related("organisation")
    }
    assert sum(share for _role, share in shares.values()) == Decimal("10000.00")
    assert shares["Label Beta"][0] == "lead"
    assert sorted(share for _role, share in shares.values()) == [
        Decimal("2500.00"),
        Decimal("7500.00"),
    ]
    assert application.tasks.get().title == "Lettres d'engagement des deux membres"


def test_manager_enters_corrects_and_withdraws_a_call(page, login, world, screenshot):
    from grappe.calls.models import Call

    login(world.manager, next_url="/c/paris/manage/calls/create/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Saisir un appel")
    field(page, "Intitulé").fill("Fonds de soutien aux lieux de répétition")
    field(page, "Financeurs").fill("Mairie du 18e")
    field(page, "Territoire couvert").select_option(label="Paris 18e Arrondissement")
    page.get_by_label("Association").check()
    field(page, "Date limite").fill("2099-03-31")
    page.get_by_role("button", name="Ajouter l'appel").click()
    expect(page.get_by_role("status")).to_have_text("Appel ajouté au catalogue.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Fonds de soutien aux lieux de répétition"
    )

    page.get_by_role("link", name="Modifier", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier l'appel")
    expect(field(page, "Financeurs")).to_have_value("Mairie du 18e")
    field(page, "Date limite").fill("2099-04-30")
    screenshot("calls-manager-edit-manual-call")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Appel modifié")
    expect(page.get_by_text("30 avril 2099").first).to_be_visible()

    page.get_by_role("button", name="Retirer du catalogue").click()
    expect(page.get_by_role("status").first).to_contain_text("Appel retiré")
    expect(page.get_by_text("Cet appel a été retiré du catalogue")).to_be_visible()
    expect(page.get_by_role("link", name="Ouvrir une candidature")).to_have_count(0)
    screenshot("calls-manager-withdrawn-call")
    page.goto("/c/paris/manage/calls/")
    row = page.locator("tr", has_text="Fonds de soutien aux lieux de répétition")
    expect(row).to_contain_text("retiré")

    call = Call.objects.get(name="Fonds de soutien aux lieux de répétition")
    assert (call.source, call.is_live, call.owner_cluster) == ("manual", False, world.paris)
    assert call.submission_deadline.isoformat() == "2099-04-30"
    assert call.financers == ["Mairie du 18e"] and call.targeted_audiences == ["association"]
