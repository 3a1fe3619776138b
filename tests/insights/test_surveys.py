"""Surveys: managers build and send; each member firm answers once, until the closing;
answers private to the firm and the managers; funders read aggregates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from grappe.core.models import AuditEntry
from grappe.insights import selectors, services
from grappe.insights.models import Answer, Question, Survey, SurveyResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(world):
    manager = world.actor(world.manager)
    s = services.survey_create(by=manager, title="Satisfaction 2026", description="Deux minutes")
    services.question_add(
        survey=s, by=manager, kind="single", label="Votre activité ?", choices=["Label", "Studio"]
    )
    services.question_add(
        survey=s,
        by=manager,
        kind="multiple",
        label="Services utilisés",
        choices=["Salle", "Paie", "Stand"],
    )
    services.question_add(
        survey=s,
        by=manager,
        kind="recommend",
        label="Recommanderiez-vous la salle ?",
        service="Salle de répétition",
        required=True,
    )
    services.question_add(survey=s, by=manager, kind="text", label="Un besoin à partager ?")
    return s


def answers_for(survey, **values):
    q = {x.kind: x.pk for x in survey.questions.all()}
    return {q[k]: v for k, v in values.items()}


def test_sending_opens_the_survey_and_emails_the_members_people(
    world, survey, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.survey_send(survey=survey, by=world.actor(world.manager))
    survey.refresh_from_db()
    assert sent == 2 and survey.status == "open"
    assert sorted(survey.invited_organisation_ids) == sorted([world.org_a.pk, world.org_b.pk])
    assert sorted(m.to[0] for m in mail.outbox) == ["member_a@example.org", "member_b@example.org"]
    assert f"/c/paris/surveys/{survey.pk}/" in mail.outbox[0].body
    assert "Satisfaction 2026" in mail.outbox[0].subject
    assert AuditEntry.objects.filter(action="survey.send", target_id=str(survey.pk)).exists()


def test_send_refusals(world):
    manager = world.actor(world.manager)
    empty = services.survey_create(by=manager, title="Vide")
    with pytest.raises(ValidationError, match="au moins une question"):
        services.survey_send(survey=empty, by=manager)
    with pytest.raises(PermissionDenied):
        services.survey_send(survey=empty, by=world.actor(world.member_a))
    empty.refresh_from_db()
    assert empty.status == "draft" and mail.outbox == []


def test_question_refusals_change_nothing(world, survey):
    manager = world.actor(world.manager)
    cases = [
        {"kind": "single", "label": "Q", "choices": ["Un seul"]},
        {"kind": "recommend", "label": "Q", "service": ""},
        {"kind": "nope", "label": "Q"},
        {"kind": "text", "label": "  "},
    ]
    for case in cases:
        with pytest.raises(ValidationError):
            services.question_add(survey=survey, by=manager, **case)
    assert survey.questions.count() == 4
    services.survey_send(survey=survey, by=manager)
    with pytest.raises(ValidationError, match="envoyé"):
        services.question_add(survey=survey, by=manager, kind="text", label="Trop tard")
    assert survey.questions.count() == 4


def test_a_firm_answers_once_and_may_change_its_answers_until_closing(world, survey):
    services.survey_send(survey=survey, by=world.actor(world.manager))
    a = world.actor(world.member_a)
    services.response_submit(
        survey=survey,
        organisation=world.org_a,
        by=a,
        answers=answers_for(survey, single="Studio", multiple=["Paie", "Salle"], recommend="9"),
    )
    services.response_submit(
        survey=survey,
        organisation=world.org_a,
        by=a,
        answers=answers_for(survey, recommend=6, text="Un local de stockage"),
    )
    response = SurveyResponse.objects.get()
    assert {(x.question.kind, x.number, x.text) for x in response.answers.all()} == {
        ("recommend", 6, ""),
        ("text", None, "Un local de stockage"),
    }
    services.survey_close(survey=survey, by=world.actor(world.manager))
    with pytest.raises(ValidationError, match="n'accepte plus"):
        services.response_submit(
            survey=survey, organisation=world.org_a, by=a, answers=answers_for(survey, recommend=10)
        )
    assert Answer.objects.get(question__kind="recommend").number == 6


def test_a_closing_date_past_ends_the_answers(world, survey):
    services.survey_send(survey=survey, by=world.actor(world.manager))
    Survey.objects.filter(pk=survey.pk).update(
        closes_on=timezone.localdate() - dt.timedelta(days=1)
    )
    survey.refresh_from_db()
    with pytest.raises(ValidationError):
        services.response_submit(
            survey=survey,
            organisation=world.org_a,
            by=world.actor(world.member_a),
            answers=answers_for(survey, recommend=8),
        )
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"single": "Théâtre", "recommend": 8}, "Choix inconnu"),
        ({"single": ["Label", "Studio"], "recommend": 8}, "Un seul choix"),
        ({"recommend": 11}, "0 à 10"),
        ({"recommend": "dix"}, "0 à 10"),
        ({"text": "Un besoin"}, "obligatoire"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_stored(world, survey, values, message):
    services.survey_send(survey=survey, by=world.actor(world.manager))
    with pytest.raises(ValidationError, match=message):
        services.response_submit(
            survey=survey,
            organisation=world.org_a,
            by=world.actor(world.member_a),
            answers=answers_for(survey, **values),
        )
    assert not SurveyResponse.objects.exists() and not Answer.objects.exists()


def test_nobody_answers_for_another_firm(world, survey):
    services.survey_send(survey=survey, by=world.actor(world.manager))
    for user in (world.member_b, world.manager, world.observer):
        with pytest.raises(PermissionDenied):
            services.response_submit(
                survey=survey,
                organisation=world.org_a,
                by=world.actor(user),
                answers=answers_for(survey, recommend=3),
            )
    assert not SurveyResponse.objects.exists()


def test_answers_are_private_results_are_aggregates(world, survey):
    manager = world.actor(world.manager)
    services.survey_send(survey=survey, by=manager)
    for user, org, score in ((world.member_a, world.org_a, 10), (world.member_b, world.org_b, 4)):
        services.response_submit(
            survey=survey,
            organisation=org,
            by=world.actor(user),
            answers=answers_for(survey, recommend=score, text=f"Besoin de {org.name}"),
        )
    survey.refresh_from_db()
    # A firm's own answers: its people and the managers.
    assert selectors.survey_response_get(
        actor=world.actor(world.member_a), survey=survey, organisation_id=world.org_a.pk
    )
    assert selectors.survey_response_get(
        actor=manager, survey=survey, organisation_id=world.org_a.pk
    )
    for user in (world.member_b, world.observer):
        with pytest.raises(Http404):
            selectors.survey_response_get(
                actor=world.actor(user), survey=survey, organisation_id=world.org_a.pk
            )
    results = selectors.survey_results(actor=manager, survey=survey)
    assert (results.invited, results.responses, str(results.rate)) == (2, 2, "100.0")
    recommend = next(r for r in results.questions if r.question.kind == Question.Kind.RECOMMEND)
    assert str(recommend.nps) == "0.0" and recommend.groups == {
        "promoters": 1,
        "passives": 0,
        "detractors": 1,
    }
    text = next(r for r in results.questions if r.question.kind == Question.Kind.TEXT)
    assert sorted(text.texts) == ["Besoin de Label Beta", "Besoin de Studio Alpha"]
    funder = selectors.survey_results(actor=world.actor(world.observer), survey=survey)
    assert next(r for r in funder.questions if r.question.kind == "text").texts == []
    assert str(funder.rate) == "100.0"
    with pytest.raises(Http404):
        selectors.survey_results(actor=world.actor(world.member_a), survey=survey)
    with pytest.raises(Http404):
        selectors.survey_respondents(actor=world.actor(world.observer), survey=survey)


def test_free_text_answers_feed_the_radar_as_private_texts(world, survey):
    from grappe.insights.sources import survey_answers

    services.survey_send(survey=survey, by=world.actor(world.manager))
    services.response_submit(
        survey=survey,
        organisation=world.org_a,
        by=world.actor(world.member_a),
        answers=answers_for(survey, recommend=7, text="Un local de stockage partagé"),
    )
    (text,) = list(survey_answers(world.paris))
    assert (text.text, text.organisation_id, text.visibility) == (
        "Un local de stockage partagé",
        world.org_a.pk,
        "private",
    )
    assert list(survey_answers(world.lyon)) == []


def test_drafts_are_hidden_from_members(world, survey):
    assert list(selectors.survey_list(actor=world.actor(world.member_a))) == []
    with pytest.raises(Http404):
        selectors.survey_get(actor=world.actor(world.member_a), pk=survey.pk)
    assert selectors.survey_get(actor=world.actor(world.manager), pk=survey.pk) == survey
    with pytest.raises(Http404):
        selectors.survey_get(actor=world.actor(world.lyon_manager, world.lyon), pk=survey.pk)


def test_a_persons_data_lists_the_answers_they_sent_and_survives_their_erasure(world, survey):
    from grappe.core.privacy import personal_data_erase, personal_data_export

    services.survey_send(survey=survey, by=world.actor(world.manager))
    services.response_submit(
        survey=survey,
        organisation=world.org_a,
        by=world.actor(world.member_a),
        answers=answers_for(survey, recommend=8),
    )
    exported = personal_data_export(world.member_a)["insights"]["survey_responses"]
    assert [(r["survey"], r["organisation"]) for r in exported] == [
        ("Satisfaction 2026", "Studio Alpha")
    ]
    personal_data_erase(world.member_a)
    response = SurveyResponse.objects.get()  # the firm's answers stay, unsigned
    assert response.submitted_by is None and response.answers.get().number == 8
