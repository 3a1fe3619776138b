"""Insights API: the radar's themes (managers), the indicators (managers and funders),
surveys (members answer; managers and funders read aggregated results)."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from grappe.api.pagination import Pagination
from grappe.api.scoping import allow, cluster_actor
from grappe.core.access import Actor
from grappe.insights import selectors, services

router = Router(tags=["analyses"])


# --- Radar --------------------------------------------------------------------------------


class ProposalOut(Schema):
    kind: str
    title: str
    organisations: list[int]
    alone_monthly: Decimal | None
    pooled_monthly: Decimal | None
    saving_monthly: Decimal | None
    break_even_members: int | None
    cost_note: str


class ThemeOut(Schema):
    id: int
    key: str
    label: str
    members: int
    size: int
    trend: dict[str, int]
    emergent: bool
    proposal: ProposalOut | None
    decision: str | None

    @staticmethod
    def resolve_emergent(obj) -> bool:
        return not obj.taxonomy_key

    @staticmethod
    def resolve_proposal(obj):
        if not obj.proposal_kind:
            return None
        return {
            "kind": obj.proposal_kind,
            "title": obj.proposal_title,
            "organisations": obj.proposal_organisation_ids,
            "alone_monthly": obj.alone_monthly,
            "pooled_monthly": obj.pooled_monthly,
            "saving_monthly": obj.saving_monthly,
            "break_even_members": obj.break_even_members,
            "cost_note": obj.cost_note,
        }

    @staticmethod
    def resolve_decision(obj) -> str | None:
        decision = getattr(obj, "decision", None)
        return decision.decision if decision else None


class TextOut(Schema):
    source: str
    title: str
    text: str
    date: dt.date | None
    visibility: str
    organisation: str | None

    @staticmethod
    def resolve_organisation(obj) -> str | None:
        return obj.organisation.slug if obj.organisation else None


class RunOut(Schema):
    id: int
    status: str
    text_count: int
    theme_count: int
    created_at: dt.datetime
    finished_at: dt.datetime | None


@router.get(
    "/{slug}/radar/themes",
    response=list[ThemeOut],
    summary="Radar : thèmes du dernier calcul, par nombre de membres (animateurs)",
)
@paginate(Pagination)
def radar_themes(request, slug: str):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_manager)
    run = selectors.radar_run_latest(actor=actor)
    return selectors.radar_theme_list(actor=actor, run=run) if run else []


@router.get(
    "/{slug}/radar/themes/{theme_id}/texts",
    response=list[TextOut],
    summary="Radar : textes d'un thème (animateurs)",
)
def radar_theme_texts(request, slug: str, theme_id: int):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_manager)
    theme = selectors.radar_theme_get(actor=actor, pk=theme_id)
    return selectors.radar_theme_texts(actor=actor, theme=theme)


@router.post(
    "/{slug}/radar/runs",
    response={202: RunOut},
    summary="Radar : demander un nouveau calcul (tâche de fond, animateurs)",
)
def radar_run(request, slug: str):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_manager)
    return Status(202, services.radar_request(by=actor))


# --- Indicators ---------------------------------------------------------------------------


class PointOut(Schema):
    month: str
    value: Decimal | None


class SeriesOut(Schema):
    key: str
    label: str
    family: str
    unit: str
    points: list[PointOut]
    details: dict

    @staticmethod
    def resolve_points(obj) -> list[dict]:
        return [{"month": m.strftime("%Y-%m"), "value": v} for m, v in obj.points]


class IndicatorQuery(Schema):
    key: str = Field("", max_length=80, description="un indicateur (par défaut : tous)")
    months: int = Field(12, ge=1, le=60)


@router.get(
    "/{slug}/indicators",
    response=list[SeriesOut],
    summary="Indicateurs mensuels (animateurs, financeurs) : chiffres agrégés",
)
def indicator_list(request, slug: str, filters: Query[IndicatorQuery]):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_manager or actor.is_observer)
    return selectors.indicator_series(
        actor=actor, months=filters.months, keys=[filters.key] if filters.key else None
    )


# --- Surveys ------------------------------------------------------------------------------


class QuestionOut(Schema):
    id: int
    kind: str
    label: str
    choices: list[str]
    service: str
    required: bool


class SurveyOut(Schema):
    id: int
    title: str
    description: str
    status: str
    closes_on: dt.date | None
    accepts_answers: bool
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(obj) -> list:
        return list(obj.questions.all())


class AnswerIn(Schema):
    question: int
    value: int | str | list[str] | None = None


class ResponseIn(Schema):
    answers: list[AnswerIn] = Field(..., max_length=200)


class AnswerOut(Schema):
    question: int
    value: int | str | list[str] | None


class ResponseOut(Schema):
    organisation: str
    submitted_at: dt.datetime
    updated_at: dt.datetime
    answers: list[AnswerOut]


def _response_out(response) -> dict:
    values = selectors.survey_answer_values(response)
    return {
        "organisation": response.organisation.slug,
        "submitted_at": response.submitted_at,
        "updated_at": response.updated_at,
        "answers": [{"question": q, "value": v} for q, v in sorted(values.items())],
    }


@router.get("/{slug}/surveys", response=list[SurveyOut], summary="Questionnaires")
@paginate(Pagination)
def survey_list(request, slug: str):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_insider)
    return selectors.survey_list(actor=actor).prefetch_related("questions")


@router.get("/{slug}/surveys/{survey_id}", response=SurveyOut, summary="Un questionnaire")
def survey_detail(request, slug: str, survey_id: int):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_insider)
    return selectors.survey_get(actor=actor, pk=survey_id)


def _organisation(actor: Actor, org_slug: str):
    from grappe.members.models import Organisation

    org = get_object_or_404(
        Organisation.objects.filter(memberships__cluster=actor.cluster), slug=org_slug
    )
    if not actor.can_see_private_of(org.pk):
        raise Http404
    return org


@router.get(
    "/{slug}/surveys/{survey_id}/responses/{org_slug}",
    response=ResponseOut,
    summary="Les réponses d'une structure (ses personnes, les animateurs)",
)
def response_detail(request, slug: str, survey_id: int, org_slug: str):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_member or actor.is_manager)
    survey = selectors.survey_get(actor=actor, pk=survey_id)
    org = _organisation(actor, org_slug)
    response = selectors.survey_response_get(actor=actor, survey=survey, organisation_id=org.pk)
    if response is None:
        raise Http404
    return _response_out(response)


@router.put(
    "/{slug}/surveys/{survey_id}/responses/{org_slug}",
    response=ResponseOut,
    summary="Répondre pour sa structure (remplace ses réponses jusqu'à la clôture)",
)
def response_put(request, slug: str, survey_id: int, org_slug: str, payload: ResponseIn):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_member)
    survey = selectors.survey_get(actor=actor, pk=survey_id)
    org = _organisation(actor, org_slug)
    if not actor.acts_for(org.pk):
        raise PermissionDenied
    response = services.response_submit(
        survey=survey,
        organisation=org,
        by=actor,
        answers={a.question: a.value for a in payload.answers},
    )
    response = selectors.survey_response_get(actor=actor, survey=survey, organisation_id=org.pk)
    return _response_out(response)


class ChoiceOut(Schema):
    choice: str
    count: int
    percent: Decimal | None


class QuestionResultOut(Schema):
    question: int
    kind: str
    label: str
    service: str
    answered: int
    choices: list[ChoiceOut]
    distribution: list[int]
    mean: Decimal | None
    nps: Decimal | None


class ResultsOut(Schema):
    invited: int
    responses: int
    rate: Decimal | None
    questions: list[QuestionResultOut]


@router.get(
    "/{slug}/surveys/{survey_id}/results",
    response=ResultsOut,
    summary="Résultats agrégés (animateurs, financeurs)",
)
def survey_results(request, slug: str, survey_id: int):
    actor = cluster_actor(request, slug)
    allow(actor, actor.is_manager or actor.is_observer)
    survey = selectors.survey_get(actor=actor, pk=survey_id)
    results = selectors.survey_results(actor=actor, survey=survey)
    return {
        "invited": results.invited,
        "responses": results.responses,
        "rate": results.rate,
        "questions": [
            {
                "question": r.question.pk,
                "kind": r.question.kind,
                "label": r.question.label,
                "service": r.question.service,
                "answered": r.answered,
                "choices": [{"choice": c, "count": n, "percent": p} for c, n, p in r.choices],
                "distribution": r.distribution,
                "mean": r.mean,
                "nps": r.nps,
            }
            for r in results.questions
        ],
    }
