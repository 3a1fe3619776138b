"""The funder dossier: live figures, aggregated only, as a page, a PDF and an XLSX."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from grappe.insights import dossier, services
from grappe.insights.models import RadarRun

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def lively(radar_world):
    manager = radar_world.actor(radar_world.manager)
    survey = services.survey_create(by=manager, title="Satisfaction annuelle")
    services.question_add(
        survey=survey, by=manager, kind="recommend", label="Note", service="Salle de répétition"
    )
    services.survey_send(survey=survey, by=manager)
    survey.refresh_from_db()
    for user, org, score in (
        (radar_world.member_a, radar_world.org_a, 10),
        (radar_world.member_b, radar_world.org_b, 9),
    ):
        services.response_submit(
            survey=survey,
            organisation=org,
            by=radar_world.actor(user),
            answers={survey.questions.get().pk: score},
        )
    services.radar_compute(run=RadarRun.objects.create(cluster=radar_world.paris))
    return radar_world


def pdf_text(body: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return " ".join(text.split())  # table cells wrap


def test_dossier_figures_are_live_and_aggregated(lively):
    data = dossier.dossier_build(actor=lively.actor(lively.observer), year=YEAR)
    rows = {row.key: row for _t, rows in data.sections for row in rows}
    assert rows["members.count"].value == 3
    assert data.satisfaction == [("Salle de répétition", 100, 2)]
    assert str(data.surveys[0]["rate"]) == "66.7"  # 2 of 3 invited firms
    assert ("Local de stockage", 3) in data.themes
    criteria = {c.label: c for c in data.criteria}
    members = criteria["Au moins 15 membres engagés"]
    assert members.met is False and members.evidence == "3 membres actifs"


def test_the_pdf_says_the_figures_and_names_no_firm(client, lively):
    client.force_login(lively.observer)
    response = client.get(f"/c/paris/indicators/dossier/{YEAR}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert f"Dossier financeurs {YEAR}" in text
    assert "Musique Paris 18e" in text
    assert "Local de stockage" in text and "Salle de répétition" in text
    assert "Plateforme européenne (ECCP)" in text and "Au moins 15 membres engagés" in text
    for firm in ("Studio Alpha", "Label Beta", "Salle Gamma"):
        assert firm not in text


def test_the_workbook_has_the_summary_the_months_and_the_assessment(client, lively):
    client.force_login(lively.manager)
    response = client.get(f"/c/paris/indicators/dossier/{YEAR}.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Synthèse", "Indicateurs mensuels", "Auto-évaluation"]
    summary = list(book["Synthèse"].iter_rows(values_only=True))
    assert ("Membres", 3, None) in summary or ("Membres", 3, "") in summary
    assessment = list(book["Auto-évaluation"].iter_rows(values_only=True))
    assert assessment[0] == ("Famille", "Critère", "Atteint", "Preuve")
    assert any(r[1] == "Au moins 2 types de membres" for r in assessment)
    flat = " ".join(str(c) for row in summary for c in row if c is not None)
    assert "Studio Alpha" not in flat


def test_a_future_year_or_a_bad_format_is_a_404(client, lively):
    client.force_login(lively.manager)
    assert client.get(f"/c/paris/indicators/dossier/{YEAR + 1}.pdf").status_code == 404
    assert client.get(f"/c/paris/indicators/dossier/{YEAR}.doc").status_code == 404
