"""Pages of the insights app: who opens what, and what a manager, a member and a funder
see and do there."""

from __future__ import annotations

import pytest
from django.core import mail

from grappe.insights import services
from grappe.insights.models import ProposalDecision, RadarRun, SurveyResponse
from tests.matrix import LOGIN, assert_pages
from tests.matrix import expect as matrix_expect

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member_a", "observer", "manager", "lyon_manager"]


def expect(**codes):
    return matrix_expect(roles=ROLES, **codes)


MANAGERS_ONLY = expect(default=403, anonymous=LOGIN, outsider=404, lyon_manager=404, manager=200)
STAFF_ONLY = expect(
    default=403, anonymous=LOGIN, outsider=404, lyon_manager=404, manager=200, observer=200
)
INSIDERS = expect(default=200, anonymous=LOGIN, outsider=404, lyon_manager=404)


@pytest.fixture
def pages(radar_world):
    run = services.radar_compute(run=RadarRun.objects.create(cluster=radar_world.paris))
    manager = radar_world.actor(radar_world.manager)
    survey = services.survey_create(by=manager, title="Satisfaction")
    services.question_add(
        survey=survey, by=manager, kind="recommend", label="Note ?", service="Salle"
    )
    services.survey_send(survey=survey, by=manager)
    return {
        "theme": run.themes.get(label="Local de stockage").pk,
        "survey": survey.pk,
    }


@pytest.mark.parametrize(
    ("url", "codes"),
    [
        ("/c/paris/manage/radar/", MANAGERS_ONLY),
        ("/c/paris/manage/radar/themes/{theme}/", MANAGERS_ONLY),
        ("/c/paris/surveys/", INSIDERS),
        (
            "/c/paris/surveys/{survey}/",
            expect(default=200, anonymous=LOGIN, outsider=404, lyon_manager=404, observer=403),
        ),
        ("/c/paris/surveys/{survey}/update/", MANAGERS_ONLY),
        ("/c/paris/surveys/{survey}/results/", STAFF_ONLY),
        ("/c/paris/indicators/", STAFF_ONLY),
        ("/c/paris/indicators/dossier/", STAFF_ONLY),
        ("/c/paris/indicators/dossier/2026.xlsx", STAFF_ONLY),
    ],
)
def test_access_matrix(client, radar_world, pages, url, codes):
    assert_pages(client, radar_world, url.format(**pages), codes, roles=ROLES)


def test_another_clusters_theme_is_a_404_for_its_manager(client, radar_world, pages):
    client.force_login(radar_world.lyon_manager)
    assert client.get(f"/c/lyon/manage/radar/themes/{pages['theme']}/").status_code == 404


def test_manager_reads_the_radar_and_accepts_a_proposal(client, radar_world, pages):
    client.force_login(radar_world.manager)
    response = client.get("/c/paris/manage/radar/")
    page = response.content.decode()
    assert "Local de stockage" in page and "Paie des intermittents" in page
    # Where the texts came from, by each source's label.
    assert response.context["sources"] == [("besoins et offres des membres", 8)]
    assert "8 besoins et offres des membres" in page
    theme = client.get(f"/c/paris/manage/radar/themes/{pages['theme']}/").content.decode()
    assert "Un box de stockage partagé" in theme  # managers read managers-only texts
    response = client.post(
        f"/c/paris/manage/radar/themes/{pages['theme']}/",
        {
            "action": "accept",
            "service_kind": "cost_pool",
            "title": "Local partagé",
            "organisations": [radar_world.org_a.pk, radar_world.org_b.pk],
        },
    )
    assert response.status_code == 302
    decision = ProposalDecision.objects.get()
    assert (decision.title, decision.decision) == ("Local partagé", "accepted")


def test_a_bad_acceptance_shows_the_reason_and_stores_nothing(client, radar_world, pages):
    client.force_login(radar_world.manager)
    response = client.post(
        f"/c/paris/manage/radar/themes/{pages['theme']}/",
        {
            "action": "accept",
            "service_kind": "cost_pool",
            "title": "Local",
            "organisations": [radar_world.org_a.pk],
        },
    )
    assert response.status_code == 400
    assert "au moins deux membres" in response.content.decode()
    assert not ProposalDecision.objects.exists()


def test_a_member_answers_the_survey_on_its_page(client, radar_world, pages):
    client.force_login(radar_world.member_a)
    survey = pages["survey"]
    question = SurveyResponse._meta.apps.get_model("insights", "Question").objects.get()
    response = client.post(f"/c/paris/surveys/{survey}/", {f"q{question.pk}": "9"})
    assert response.status_code == 302
    stored = SurveyResponse.objects.get()
    assert stored.organisation == radar_world.org_a and stored.answers.get().number == 9
    bad = client.post(f"/c/paris/surveys/{survey}/", {f"q{question.pk}": "12"})
    assert bad.status_code == 400 and stored.answers.get().number == 9


def test_the_survey_email_links_to_the_answer_page(radar_world, pages):
    # sent in the fixture without commit callbacks; the link is built from the survey
    from grappe.insights.models import Survey

    assert Survey.objects.get().get_absolute_url() == f"/c/paris/surveys/{pages['survey']}/"
    assert mail.outbox == []


def test_breakdown_labels_stored_in_french_read_in_english(client, world):
    from django.conf import settings
    from django.utils import timezone

    from grappe.core.access import Actor
    from grappe.insights.models import IndicatorSnapshot

    services.snapshot_compute(
        by=Actor.system(world.paris), month=timezone.localdate().replace(day=1)
    )
    stored = IndicatorSnapshot.objects.get(cluster=world.paris, key="members.by_type")
    assert stored.details == {"Sociétés": 2}  # stored as computed, in French
    client.force_login(world.manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/c/paris/indicators/").content.decode()
    assert "Companies" in page and "Sociétés" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "Sociétés" in client.get("/c/paris/indicators/").content.decode()
