"""Reads of the insights app, always scoped by the actor: the radar (managers), surveys
(managers; members their own answers; funders aggregates), indicators (managers and
funders)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext

from grappe.core.access import Actor, require
from grappe.core.indicators import activity_sources, indicator, indicators
from grappe.core.months import last_months, month_start, previous_month
from grappe.core.texts import can_read, text_source_label
from grappe.engine import surveys as survey_math
from grappe.engine.trends import Fall, falling
from grappe.insights.models import (
    Answer,
    IndicatorSnapshot,
    ProposalDecision,
    Question,
    RadarRun,
    RadarText,
    RadarTheme,
    Survey,
    SurveyResponse,
)

# --- Radar --------------------------------------------------------------------------------


def radar_run_latest(*, actor: Actor) -> RadarRun | None:
    """The last finished run of the cluster (managers)."""
    require(actor.is_manager)
    return (
        RadarRun.objects.filter(cluster=actor.cluster, status=RadarRun.Status.DONE)
        .order_by("-finished_at", "-id")
        .first()
    )


def radar_run_waiting(*, actor: Actor) -> RadarRun | None:
    require(actor.is_manager)
    return (
        RadarRun.objects.filter(
            cluster=actor.cluster,
            status__in=[RadarRun.Status.PENDING, RadarRun.Status.RUNNING, RadarRun.Status.FAILED],
        )
        .order_by("-created_at", "-id")
        .first()
    )


def radar_run_sources(run: RadarRun) -> list[tuple[str, int]]:
    """How many texts each source gave a run, largest first, by the source's label."""
    counts = sorted((run.sources or {}).items(), key=lambda item: (-item[1], item[0]))
    return [(text_source_label(name), count) for name, count in counts]


def radar_theme_list(*, actor: Actor, run: RadarRun) -> QuerySet[RadarTheme]:
    """A run's themes, ranked by members, with their decision."""
    require(actor.is_manager and run.cluster_id == actor.cluster.pk)
    return (
        RadarTheme.objects.filter(run=run)
        .select_related("decision")
        .order_by("-members", "-size", "rank")
    )


def radar_theme_get(*, actor: Actor, pk: int) -> RadarTheme:
    require(actor.is_manager)
    return get_object_or_404(
        RadarTheme.objects.select_related("run", "decision"), run__cluster=actor.cluster, pk=pk
    )


def radar_theme_texts(*, actor: Actor, theme: RadarTheme) -> list[RadarText]:
    """The texts of a theme that this actor may read where they were written: managers
    all; a member firm public and cluster texts and its own; a funder none."""
    require(theme.run.cluster_id == actor.cluster.pk)
    if actor.is_observer and not (actor.is_manager or actor.is_member):
        return []
    rows = theme.texts.select_related("organisation").order_by("-date", "id")
    return [
        t
        for t in rows
        if can_read(actor, visibility=t.visibility, organisation_id=t.organisation_id)
    ]


def previous_decisions(*, actor: Actor, before: RadarRun) -> dict[str, ProposalDecision]:
    """Decisions taken on earlier runs, by theme key (the latest for each key)."""
    require(actor.is_manager)
    decisions: dict[str, ProposalDecision] = {}
    for d in (
        ProposalDecision.objects.filter(cluster=actor.cluster)
        .exclude(theme__run=before)
        .order_by("created_at", "id")
    ):
        decisions[d.theme_key] = d
    return decisions


def proposal_decision_list(*, actor: Actor) -> QuerySet[ProposalDecision]:
    require(actor.is_manager)
    return (
        ProposalDecision.objects.filter(cluster=actor.cluster)
        .select_related("decided_by")
        .prefetch_related("organisations")
    )


def pooled_service_drafts(*, actor: Actor) -> QuerySet[ProposalDecision]:
    """THE HOOK for the pooling app: proposals the managers accepted as drafts of a pooled
    service (kind, title, member organisations, estimated saving, notes) that no service
    was made from yet. Pooling creates its cost pool, shared post or study from one, then
    calls ``services.proposal_take_up(decision=..., by=..., reference=...)``."""
    return proposal_decision_list(actor=actor).filter(
        decision=ProposalDecision.Decision.ACCEPTED, taken_up_at__isnull=True
    )


def organisations_by_id(ids) -> dict:
    from grappe.members.models import Organisation

    return {o.pk: o for o in Organisation.objects.filter(pk__in=list(ids)).only("name", "slug")}


# --- Surveys ------------------------------------------------------------------------------


def survey_list(*, actor: Actor) -> QuerySet[Survey]:
    """Managers: every survey; member firms and funders: the ones sent."""
    require(actor.is_insider)
    qs = Survey.objects.filter(cluster=actor.cluster).annotate(
        response_count=Count("responses", distinct=True)
    )
    if not actor.is_manager:
        qs = qs.exclude(status=Survey.Status.DRAFT)
    return qs.order_by("-created_at", "-id")


def survey_get(*, actor: Actor, pk: int) -> Survey:
    survey = get_object_or_404(
        Survey.objects.prefetch_related("questions"), cluster=actor.cluster, pk=pk
    )
    require(actor.is_manager or (actor.is_insider and survey.status != Survey.Status.DRAFT))
    return survey


def survey_response_get(*, actor: Actor, survey: Survey, organisation_id: int):
    """A firm's answers: its own people and the managers only."""
    require(actor.can_see_private_of(organisation_id) and survey.cluster_id == actor.cluster.pk)
    return (
        SurveyResponse.objects.filter(survey=survey, organisation_id=organisation_id)
        .prefetch_related("answers")
        .first()
    )


def survey_answer_values(response: SurveyResponse | None) -> dict[int, object]:
    """question id → the value a form shows (choices list, number, text)."""
    if response is None:
        return {}
    values = {}
    for a in response.answers.all():
        values[a.question_id] = a.choices or (a.number if a.number is not None else a.text)
    return values


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    choices: list[tuple[str, int, Decimal | None]] = field(default_factory=list)
    distribution: list[int] = field(default_factory=list)
    mean: Decimal | None = None
    nps: Decimal | None = None
    groups: dict[str, int] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)  # managers only

    @property
    def distribution_rows(self) -> list[tuple[str, int]]:
        return [(str(score), n) for score, n in enumerate(self.distribution)]


@dataclass
class SurveyResults:
    survey: Survey
    invited: int
    responses: int
    rate: Decimal | None
    questions: list[QuestionResult]


def survey_results(*, actor: Actor, survey: Survey) -> SurveyResults:
    """Aggregates for managers and funders; free-text answers for managers only."""
    require(survey.cluster_id == actor.cluster.pk)
    require(actor.is_manager or actor.is_observer)
    answers: dict[int, list[Answer]] = {}
    for a in Answer.objects.filter(response__survey=survey).order_by("pk"):
        answers.setdefault(a.question_id, []).append(a)
    responses = survey.responses.count()
    results = []
    for q in survey.questions.all():
        rows = answers.get(q.pk, [])
        r = QuestionResult(question=q, answered=len(rows))
        if q.is_choice:
            for choice in q.choices:
                n = sum(1 for a in rows if choice in a.choices)
                r.choices.append((choice, n, survey_math.rate(n, len(rows))))
        elif q.is_scale:
            scores = [a.number for a in rows if a.number is not None]
            r.distribution = survey_math.distribution(scores)
            r.mean = survey_math.mean(scores)
            if q.kind == Question.Kind.RECOMMEND:
                r.nps = survey_math.net_promoter_score(scores)
                r.groups = survey_math.nps_groups(scores)
        elif actor.is_manager:
            r.texts = [a.text for a in rows if a.text]
        results.append(r)
    invited = len(survey.invited_organisation_ids)
    return SurveyResults(
        survey=survey,
        invited=invited,
        responses=responses,
        rate=survey_math.rate(responses, invited),
        questions=results,
    )


def survey_respondents(*, actor: Actor, survey: Survey) -> QuerySet[SurveyResponse]:
    """Which firms answered: managers only."""
    require(actor.is_manager and survey.cluster_id == actor.cluster.pk)
    return survey.responses.select_related("organisation").order_by("organisation__name")


def surveys_open_for_actor(*, actor: Actor) -> list[tuple[Survey, set[int]]]:
    """Open surveys and, for each, the actor's firms that answered already."""
    require(actor.is_insider)
    rows = []
    for survey in Survey.objects.filter(
        cluster=actor.cluster, status=Survey.Status.OPEN
    ).prefetch_related(
        Prefetch(
            "responses",
            queryset=SurveyResponse.objects.filter(organisation_id__in=actor.organisation_ids),
        )
    ):
        rows.append((survey, {r.organisation_id for r in survey.responses.all()}))
    return rows


# --- Indicators ---------------------------------------------------------------------------


@dataclass
class Series:
    key: str
    label: str
    family: str
    unit: str
    usage: bool
    points: list[tuple[dt.date, Decimal | None]]
    details: dict  # of the latest month with a snapshot

    @property
    def latest(self) -> Decimal | None:
        for _month, value in reversed(self.points):
            if value is not None:
                return value
        return None

    @property
    def previous(self) -> Decimal | None:
        values = [v for _m, v in self.points if v is not None]
        return values[-2] if len(values) >= 2 else None

    @property
    def breakdown(self) -> list[tuple[str, Decimal]]:
        """The latest details as (label, number) bars, when they are a breakdown."""
        return breakdown_rows(self.details)


def indicator_series(
    *, actor: Actor, until: dt.date | None = None, months: int = 12, keys=None
) -> list[Series]:
    """Monthly snapshots of the last ``months`` months, for managers and funders."""
    require(actor.is_manager or actor.is_observer)
    month_list = last_months(until or timezone.localdate(), months)
    snaps = IndicatorSnapshot.objects.filter(
        cluster=actor.cluster, month__gte=month_list[0], month__lte=month_list[-1]
    )
    if keys:
        snaps = snaps.filter(key__in=list(keys))
    by_key: dict[str, dict[dt.date, IndicatorSnapshot]] = {}
    for s in snaps:
        by_key.setdefault(s.key, {})[s.month] = s
    series = []
    registered = {i.key: i for i in indicators()}
    for key in [k for k in registered if k in by_key] + sorted(set(by_key) - set(registered)):
        ind = registered.get(key) or indicator(key)
        rows = by_key[key]
        latest = next((rows[m] for m in reversed(month_list) if m in rows), None)
        series.append(
            Series(
                key=key,
                label=str(ind.label) if ind else key,
                family=ind.family if ind else "activity",
                unit=ind.unit if ind else "",
                usage=ind.usage if ind else False,
                points=[(m, rows[m].value if m in rows else None) for m in month_list],
                details=latest.details if latest else {},
            )
        )
    return series


def falling_services(*, actor: Actor, until: dt.date | None = None) -> list[tuple[str, Fall]]:
    """Services whose use fell: the series of each usage indicator's breakdown (or its
    total), last three complete months against the three before."""
    require(actor.is_manager or actor.is_observer)
    last_complete = previous_month(month_start(until or timezone.localdate()))
    flagged = []
    for s in indicator_series(actor=actor, until=last_complete, months=6):
        if not s.usage:
            continue
        snaps = {
            snap.month: snap
            for snap in IndicatorSnapshot.objects.filter(
                cluster=actor.cluster, key=s.key, month__in=[m for m, _v in s.points]
            )
        }
        names = sorted({n for snap in snaps.values() for n in _breakdown(snap.details)})
        series = {
            n: [_breakdown(snaps[m].details).get(n) if m in snaps else None for m, _v in s.points]
            for n in names
        } or {s.label: [v for _m, v in s.points]}
        flagged += [(s.label, fall) for fall in falling(series)]
    return flagged


def _breakdown(details: dict) -> dict[str, Decimal]:
    source = (details or {}).get("services", details)
    out = {}
    for k, v in (source if isinstance(source, dict) else {}).items():
        try:
            out[str(k)] = Decimal(str(v))
        except ArithmeticError:
            continue
    return out


def breakdown_rows(details: dict) -> list[tuple[str, Decimal]]:
    """A snapshot's breakdown as (label, number) rows, largest first. Category labels were
    stored in the language the job ran in (French); they go through the catalogue, so an
    English page reads « Companies » for « Sociétés ». Names (a commune, a trade) are not
    in the catalogue and stay as they are."""
    rows = [(gettext(label), n) for label, n in _breakdown(details).items()]
    return sorted(rows, key=lambda kv: (-kv[1], kv[0]))


SIX_MONTHS = dt.timedelta(days=183)


def inactive_members(*, actor: Actor, now: dt.datetime | None = None) -> list[tuple]:
    """Active member firms with no sign of life for six months (no login, post, survey
    answer, booking… as the apps report), joined more than six months ago. Managers only:
    it names firms. Returns (organisation, last activity or None), oldest first."""
    from grappe.members.models import Membership

    require(actor.is_manager)
    now = now or timezone.now()
    since = now - SIX_MONTHS
    last: dict[int, dt.datetime] = {}
    for source in activity_sources().values():
        for org_id, when in source(actor.cluster, now - dt.timedelta(days=730)).items():
            if when is not None and (org_id not in last or when > last[org_id]):
                last[org_id] = when
    memberships = (
        Membership.objects.filter(
            cluster=actor.cluster,
            status=Membership.Status.ACTIVE,
            joined_on__lte=timezone.localdate(since),
        )
        .select_related("organisation")
        .order_by("organisation__name")
    )
    rows = [
        (m.organisation, last.get(m.organisation_id))
        for m in memberships
        if last.get(m.organisation_id) is None or last[m.organisation_id] < since
    ]
    return sorted(rows, key=lambda r: (r[1] is not None, r[1] or now, r[0].name))


def inactive_member_count(*, actor: Actor, now: dt.datetime | None = None) -> int:
    """The same, as a number: what a funder may see."""
    require(actor.is_manager or actor.is_observer)
    system = Actor.system(actor.cluster)
    return len(inactive_members(actor=system, now=now))


# --- People's data ------------------------------------------------------------------------


def personal_data_for_user(user) -> dict:
    """What insights holds about a person: the survey answers they sent for their firm
    (the answers themselves are the firm's), and the radar decisions they took."""
    return {
        "survey_responses": [
            {
                "cluster": r.survey.cluster.slug,
                "survey": r.survey.title,
                "organisation": r.organisation.name,
                "submitted_at": r.submitted_at.isoformat(),
            }
            for r in SurveyResponse.objects.filter(submitted_by=user).select_related(
                "survey__cluster", "organisation"
            )
        ],
        "radar_decisions": [
            {"cluster": d.cluster.slug, "theme": d.theme_label, "decision": d.decision}
            for d in ProposalDecision.objects.filter(decided_by=user).select_related("cluster")
        ],
    }


def personal_data_erase(user) -> None:
    """Nothing to erase beyond the links to the person, which the database nulls (the
    answers and decisions belong to the firm and the cluster)."""
