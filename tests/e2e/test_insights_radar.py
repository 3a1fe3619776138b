"""A manager opens the radar, drills into a theme and turns its proposal into a pooled
service draft; a member answers a survey; a funder reads the indicators."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grappe.core.access import Actor
from grappe.insights import services
from grappe.insights.models import ProposalDecision, RadarRun, SurveyResponse
from grappe.members.models import Post
from grappe.pooling.models import CostPool
from tests.factories import make_member, make_org

pytestmark = pytest.mark.e2e

NEEDS = [
    (
        "org_a",
        "Stockage",
        "Nous cherchons un local de stockage pour le matériel",
        "cluster",
    ),
    ("org_b", "Box partagé", "Besoin d'un espace de stockage sécurisé", "public"),
    ("org_c", "Cave", "Un box de stockage partagé près de Barbès ?", "managers"),
    ("org_a", "Paie", "La paie des intermittents nous prend trop de temps", "cluster"),
    ("org_b", "GUSO", "Qui connaît un gestionnaire de paie pour le GUSO ?", "cluster"),
]


@pytest.fixture
def radar(world):
    org_c = make_org("Salle Gamma")
    make_member(world.paris, org_c)
    orgs = {"org_a": world.org_a, "org_b": world.org_b, "org_c": org_c}
    for org, title, text, visibility in NEEDS:
        Post.objects.create(
            cluster=world.paris,
            organisation=orgs[org],
            kind="need",
            title=title,
            text=text,
            visibility=visibility,
        )
    run = services.radar_compute(run=RadarRun.objects.create(cluster=world.paris))
    return run


def test_manager_turns_a_theme_into_a_pooled_service_draft(page, login, world, radar, screenshot):
    login(world.manager, next_url="/c/paris/")
    page.get_by_text("Gestion", exact=True).click()
    page.get_by_role("link", name="Radar des besoins").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Radar des besoins communs")
    rows = page.locator("tr.theme-row")
    expect(rows.first).to_contain_text("Local de stockage")
    expect(rows.first.locator("td").nth(1)).to_have_text("3")
    screenshot("insights-radar")

    rows.first.get_by_role("link", name="Local de stockage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Local de stockage")
    # The manager reads all three texts, the managers-only one too.
    expect(page.locator("blockquote.text-quote")).to_have_count(3)
    expect(page.get_by_text("Un box de stockage partagé près de Barbès ?")).to_be_visible()
    expect(page.get_by_text("Local de stockage partagé").first).to_be_visible()
    screenshot("insights-theme")

    page.get_by_label("Nom du service").fill("Entrepôt partagé à Saint-Ouen")
    page.get_by_label("Salle Gamma").uncheck()
    page.get_by_label("Notes").fill("Visiter l'entrepôt avec les deux labels")
    page.get_by_role("button", name="Accepter la proposition").click()
    expect(page.locator(".messages")).to_contain_text(
        "le brouillon du service « Entrepôt partagé à Saint-Ouen » est prêt"
    )
    expect(page.locator("#decision")).to_contain_text("Brouillon de service")
    screenshot("insights-theme-accepted")

    decision = ProposalDecision.objects.get()
    assert (decision.decision, decision.service_kind, decision.title) == (
        "accepted",
        "cost_pool",
        "Entrepôt partagé à Saint-Ouen",
    )
    assert set(decision.organisations.all()) == {world.org_a, world.org_b}

    page.get_by_role("link", name="Radar des besoins communs").click()
    expect(page.get_by_text("Brouillons de services mutualisés")).to_be_visible()
    expect(page.locator("tr.theme-row").first).to_contain_text("Brouillon créé")

    # The pooling pages offer the draft; the pool is created from the pre-filled form.
    page.goto("/c/paris/manage/pooling/pools/")
    drafts = page.locator("section", has=page.get_by_text("Propositions du radar à concrétiser"))
    expect(drafts).to_contain_text("Entrepôt partagé à Saint-Ouen")
    screenshot("pooling-radar-drafts")
    drafts.get_by_role("link", name="Créer le pool de coûts").click()
    expect(page.get_by_label("Nom")).to_have_value("Entrepôt partagé à Saint-Ouen")
    page.get_by_label("Montant HT par période (€)").fill("1200.00")
    page.get_by_label("À partir du").fill("2026-01-01")
    proposed = sorted(decision.organisations.values_list("name", flat=True))
    for name in proposed:
        expect(page.get_by_role("checkbox", name=name)).to_be_checked()
    screenshot("pooling-pool-from-radar-draft")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messages")).to_contain_text(
        "La proposition du radar est devenue le pool de coûts « Entrepôt partagé à Saint-Ouen »"
    )
    decision.refresh_from_db()
    pool = CostPool.objects.get(cluster=world.paris)
    assert decision.taken_up_ref == f"cost_pool:{pool.pk}" and pool.amount == Decimal("1200.00")
    joined = pool.participations.values_list("organisation__name", flat=True)
    assert proposed and sorted(joined) == proposed


def test_member_answers_the_survey_and_the_funder_reads_aggregates(
    open_page, login, world, screenshot
):
    manager = world.actor(world.manager)
    survey = services.survey_create(
        by=manager, title="Satisfaction 2026", description="Cinq minutes, promis."
    )
    services.question_add(
        survey=survey,
        by=manager,
        kind="single",
        label="Votre activité",
        choices=["Label", "Studio"],
    )
    services.question_add(
        survey=survey,
        by=manager,
        kind="recommend",
        label="Recommanderiez-vous la salle de répétition ?",
        service="Salle de répétition",
        required=True,
    )
    services.question_add(survey=survey, by=manager, kind="text", label="Un besoin à partager ?")
    services.survey_send(survey=survey, by=manager)

    member = open_page()
    login(world.member_a, tab=member, next_url="/c/paris/surveys/")
    member.get_by_role("link", name="Satisfaction 2026").first.click()
    member.get_by_label("Studio").check()
    member.get_by_role("button", name="Envoyer les réponses").click()
    expect(member.locator(".errorlist")).to_contain_text("Réponse obligatoire")
    member.locator("input[name$='-9'], input[value='9']").last.check()
    member.get_by_label("Un besoin à partager ?").fill("Un local de stockage commun")
    member.get_by_role("button", name="Envoyer les réponses").click()
    expect(member.locator(".messages")).to_contain_text(
        "Les réponses de Studio Alpha sont enregistrées"
    )
    screenshot("insights-survey-answered", member)
    response = SurveyResponse.objects.get()
    assert {a.question.kind: (a.number, a.text, a.choices) for a in response.answers.all()} == {
        "single": (None, "", ["Studio"]),
        "recommend": (9, "", []),
        "text": (None, "Un local de stockage commun", []),
    }

    services.snapshot_compute(
        by=Actor.system(world.paris), month=timezone.localdate().replace(day=1)
    )
    funder = open_page()
    login(world.observer, tab=funder, next_url="/c/paris/")
    funder.get_by_role("link", name="Indicateurs").click()
    expect(funder.get_by_role("heading", level=1)).to_have_text("Indicateurs de la grappe")
    expect(funder.locator("#indicator-memberscount .value")).to_have_text("2")
    screenshot("insights-dashboard", funder)
    funder.goto(f"/c/paris/surveys/{survey.pk}/results/")
    expect(funder.get_by_text("NPS 100")).to_be_visible()
    expect(
        funder.get_by_text("Réponses libres : lues par l'équipe de la grappe seulement.")
    ).to_be_visible()
    expect(funder.get_by_text("Un local de stockage commun")).to_have_count(0)
    screenshot("insights-survey-results-funder", funder)
