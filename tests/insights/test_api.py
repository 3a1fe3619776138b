"""Insights API: radar themes for managers, indicators for managers and funders,
surveys answered by member firms; same scoping as the pages, JSON errors."""

from __future__ import annotations

import pytest

from grappe.core.services import api_token_create
from grappe.insights import services
from grappe.insights.models import RadarRun, SurveyResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(client, radar_world):
    keys = {}

    def request(method, url, user=None, **kwargs):
        headers = {}
        if user is not None:
            if user not in keys:
                keys[user] = api_token_create(user=user, name="t")[1]
            headers["Authorization"] = f"Bearer {keys[user]}"
        return getattr(client, method)(
            url, headers=headers, content_type="application/json", **kwargs
        )

    return request


@pytest.fixture
def survey(radar_world):
    manager = radar_world.actor(radar_world.manager)
    s = services.survey_create(by=manager, title="Satisfaction")
    services.question_add(survey=s, by=manager, kind="recommend", label="Note", service="Salle")
    services.question_add(survey=s, by=manager, kind="text", label="Un besoin ?")
    services.survey_send(survey=s, by=manager)
    return s


def test_radar_themes_for_managers_only(call, radar_world):
    services.radar_compute(run=RadarRun.objects.create(cluster=radar_world.paris))
    w = radar_world
    answer = call("get", "/api/clusters/paris/radar/themes", w.manager)
    assert answer.status_code == 200
    first = answer.json()["items"][0]
    assert (first["label"], first["members"], first["proposal"]["kind"]) == (
        "Local de stockage",
        3,
        "cost_pool",
    )
    texts = call("get", f"/api/clusters/paris/radar/themes/{first['id']}/texts", w.manager)
    assert len(texts.json()) == 3
    assert call("get", "/api/clusters/paris/radar/themes", w.member_a).status_code == 403
    assert call("get", "/api/clusters/paris/radar/themes", w.observer).status_code == 403
    refused = call("get", "/api/clusters/paris/radar/themes", w.outsider)
    assert refused.status_code == 404 and refused.json()["detail"]
    other = call("get", f"/api/clusters/lyon/radar/themes/{first['id']}/texts", w.lyon_manager)
    assert other.status_code == 404


def test_a_manager_requests_a_run(call, radar_world):
    answer = call("post", "/api/clusters/paris/radar/runs", radar_world.manager)
    assert answer.status_code == 202 and answer.json()["status"] == "pending"
    assert RadarRun.objects.filter(cluster=radar_world.paris).count() == 1
    assert call("post", "/api/clusters/paris/radar/runs", radar_world.member_a).status_code == 403


def test_indicators_for_managers_and_funders(call, radar_world):
    from django.utils import timezone

    from grappe.core.access import Actor

    services.snapshot_compute(
        by=Actor.system(radar_world.paris), month=timezone.localdate().replace(day=1)
    )
    answer = call(
        "get", "/api/clusters/paris/indicators?key=members.count&months=3", radar_world.observer
    )
    assert answer.status_code == 200
    (series,) = answer.json()
    assert series["key"] == "members.count" and series["points"][-1]["value"] == "3.00"
    assert call("get", "/api/clusters/paris/indicators", radar_world.member_a).status_code == 403


def test_a_member_answers_through_the_api(call, radar_world, survey):
    w = radar_world
    q_note, q_text = [q.pk for q in survey.questions.all()]
    url = f"/api/clusters/paris/surveys/{survey.pk}/responses/{w.org_a.slug}"
    answer = call(
        "put",
        url,
        w.member_a,
        data={
            "answers": [{"question": q_note, "value": 9}, {"question": q_text, "value": "Un local"}]
        },
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["answers"] == [
        {"question": q_note, "value": 9},
        {"question": q_text, "value": "Un local"},
    ]
    assert SurveyResponse.objects.get().organisation == w.org_a
    bad = call("put", url, w.member_a, data={"answers": [{"question": q_note, "value": 12}]})
    assert bad.status_code == 400 and bad.json()["detail"]
    assert SurveyResponse.objects.get().answers.get(question_id=q_note).number == 9
    # Another firm's answers do not exist for member_b; a manager reads them.
    assert call("get", url, w.member_b).status_code == 404
    assert call("put", url, w.member_b, data={"answers": []}).status_code == 404
    assert call("get", url, w.manager).status_code == 200
    assert call("put", url, w.manager, data={"answers": []}).status_code == 403
    results = call("get", f"/api/clusters/paris/surveys/{survey.pk}/results", w.observer).json()
    assert results["responses"] == 1 and results["questions"][0]["nps"] == "100.0"
    assert (
        call("get", f"/api/clusters/paris/surveys/{survey.pk}/results", w.member_a).status_code
        == 403
    )
