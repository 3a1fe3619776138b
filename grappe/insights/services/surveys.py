"""Writes of the surveys: managers build and send them; member firms answer once each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.access import Actor
from grappe.core.emails import absolute_url, send_email_on_commit
from grappe.core.services import audit_record
from grappe.insights.models import Answer, Question, Survey, SurveyResponse

MAX_TEXT_ANSWER = 5_000
MAX_CHOICES = 20


def _require_manager(by: Actor) -> None:
    if not by.is_manager:
        raise PermissionDenied


def _require_own(survey: Survey, by: Actor) -> None:
    if survey.cluster_id != by.cluster.pk:
        raise PermissionDenied


def _clean_survey_fields(title: str, description: str, closes_on: dt.date | None) -> dict:
    errors = {}
    title = " ".join((title or "").split())
    if not title:
        errors["title"] = _("Donnez un titre au questionnaire.")
    elif len(title) > 200:
        errors["title"] = _("200 caractères au plus.")
    if closes_on is not None and closes_on < timezone.localdate():
        errors["closes_on"] = _("La date de clôture est passée.")
    if len(description or "") > 5000:
        errors["description"] = _("5 000 caractères au plus.")
    if errors:
        raise ValidationError(errors)
    return {"title": title, "description": (description or "").strip(), "closes_on": closes_on}


@transaction.atomic
def survey_create(
    *, by: Actor, title: str, description: str = "", closes_on: dt.date | None = None
) -> Survey:
    _require_manager(by)
    survey = Survey.objects.create(
        cluster=by.cluster,
        created_by=by.user,
        **_clean_survey_fields(title, description, closes_on),
    )
    audit_record(actor=by, action="survey.create", target=survey)
    return survey


@transaction.atomic
def survey_update(
    *, survey: Survey, by: Actor, title: str, description: str, closes_on: dt.date | None
) -> Survey:
    _require_manager(by)
    _require_own(survey, by)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError(_("Ce questionnaire est clos."))
    data = _clean_survey_fields(title, description, closes_on)
    changes = {
        k: [str(getattr(survey, k)), str(v)] for k, v in data.items() if getattr(survey, k) != v
    }
    for name, value in data.items():
        setattr(survey, name, value)
    survey.save()
    if changes:
        audit_record(actor=by, action="survey.update", target=survey, changes=changes)
    return survey


def _clean_choices(kind: str, choices: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for choice in choices:
        choice = " ".join(str(choice).split())[:200]
        if choice and choice not in cleaned:
            cleaned.append(choice)
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        if len(cleaned) < 2:
            raise ValidationError({"choices": _("Proposez au moins deux choix, un par ligne.")})
        if len(cleaned) > MAX_CHOICES:
            raise ValidationError({"choices": _("20 choix au plus.")})
        return cleaned
    return []


@transaction.atomic
def question_add(
    *,
    survey: Survey,
    by: Actor,
    kind: str,
    label: str,
    choices: Iterable[str] = (),
    service: str = "",
    required: bool = False,
) -> Question:
    """Add a question at the end. Questions are fixed once the survey is sent."""
    _require_manager(by)
    _require_own(survey, by)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(_("Les questions ne changent plus une fois le questionnaire envoyé."))
    if kind not in Question.Kind.values:
        raise ValidationError({"kind": _("Type de question inconnu.")})
    label = " ".join((label or "").split())
    if not label:
        raise ValidationError({"label": _("Écrivez la question.")})
    if len(label) > 300:
        raise ValidationError({"label": _("300 caractères au plus.")})
    service = " ".join((service or "").split())[:120]
    if kind == Question.Kind.RECOMMEND and not service:
        raise ValidationError({"service": _("Indiquez le service que les membres notent.")})
    if kind != Question.Kind.RECOMMEND:
        service = ""
    position = (survey.questions.aggregate(m=Max("position"))["m"] or 0) + 1
    question = Question.objects.create(
        survey=survey,
        position=position,
        kind=kind,
        label=label,
        choices=_clean_choices(kind, choices),
        service=service,
        required=required,
    )
    audit_record(actor=by, action="survey.question.add", target=survey, changes={"label": label})
    return question


@transaction.atomic
def question_delete(*, question: Question, by: Actor) -> None:
    _require_manager(by)
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    _require_own(survey, by)
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(_("Les questions ne changent plus une fois le questionnaire envoyé."))
    label = question.label
    question.delete()
    audit_record(actor=by, action="survey.question.delete", target=survey, changes={"label": label})


@transaction.atomic
def survey_send(*, survey: Survey, by: Actor) -> int:
    """Open the survey and e-mail every member firm's people a link. Returns e-mails sent."""
    from grappe.members.models import Membership, Person

    _require_manager(by)
    _require_own(survey, by)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(_("Ce questionnaire a déjà été envoyé."))
    if not survey.questions.exists():
        raise ValidationError(_("Ajoutez au moins une question avant d'envoyer."))
    if survey.closes_on is not None and survey.closes_on < timezone.localdate():
        raise ValidationError({"closes_on": _("La date de clôture est passée.")})
    org_ids = sorted(
        Membership.objects.filter(
            cluster=by.cluster, status__in=[Membership.Status.ACTIVE, Membership.Status.LAPSED]
        ).values_list("organisation_id", flat=True)
    )
    survey.status = Survey.Status.OPEN
    survey.sent_at = timezone.now()
    survey.invited_organisation_ids = org_ids
    survey.save()
    link = absolute_url(
        reverse("insights:survey-answer", kwargs={"cluster_slug": by.cluster.slug, "pk": survey.pk})
    )
    emails = sorted(
        set(
            Person.objects.filter(organisation_id__in=org_ids, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    for email in emails:
        send_email_on_commit(
            to=email,
            subject=_("%(cluster)s : %(title)s")
            % {"cluster": by.cluster.name, "title": survey.title},
            template="insights/email/survey_invitation",
            context={"survey": survey, "cluster": by.cluster, "link": link},
        )
    audit_record(
        actor=by,
        action="survey.send",
        target=survey,
        changes={"organisations": len(org_ids), "emails": len(emails)},
    )
    return len(emails)


@transaction.atomic
def survey_close(*, survey: Survey, by: Actor) -> Survey:
    _require_manager(by)
    _require_own(survey, by)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.OPEN:
        raise ValidationError(_("Seul un questionnaire ouvert peut être clos."))
    survey.status = Survey.Status.CLOSED
    survey.closed_at = timezone.now()
    survey.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(actor=by, action="survey.close", target=survey)
    return survey


def _clean_answer(question: Question, raw) -> dict | None:
    """A raw value (str, int or list of str) → the Answer fields, or None when blank."""
    if question.is_choice:
        if raw is None:
            return None
        values = list(raw) if isinstance(raw, list | tuple) else [raw]
        values = [str(v).strip() for v in values if str(v).strip()]
        if not values:
            return None
        if any(v not in question.choices for v in values):
            raise ValidationError(_("Choix inconnu."))
        if question.kind == Question.Kind.SINGLE and len(values) > 1:
            raise ValidationError(_("Un seul choix possible."))
        return {"choices": sorted(set(values), key=question.choices.index)}
    if question.is_scale:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, bool | list | tuple):
            raise ValidationError(_("Une note entière de 0 à 10."))
        try:
            number = int(str(raw).strip())
        except ValueError:
            raise ValidationError(_("Une note entière de 0 à 10.")) from None
        if not 0 <= number <= 10:
            raise ValidationError(_("Une note entière de 0 à 10."))
        return {"number": number}
    if raw is not None and not isinstance(raw, str):
        raise ValidationError(_("Une réponse en texte."))
    text = (raw or "").strip()
    if not text:
        return None
    if len(text) > MAX_TEXT_ANSWER:
        raise ValidationError(_("5 000 caractères au plus."))
    return {"text": text}


@transaction.atomic
def response_submit(*, survey: Survey, organisation, by: Actor, answers: dict) -> SurveyResponse:
    """Record a member firm's answers (``answers``: question id → value); a second call
    replaces them, until the survey closes. Nothing is stored when one answer is wrong."""
    if not by.acts_for(organisation.pk):
        raise PermissionDenied
    _require_own(survey, by)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not survey.accepts_answers:
        raise ValidationError(_("Ce questionnaire n'accepte plus de réponses."))
    questions = list(survey.questions.all())
    known = {q.pk for q in questions}
    unknown = [k for k in answers if int(k) not in known]
    if unknown:
        raise ValidationError(_("Question inconnue."))
    errors: dict[str, list[str]] = {}
    cleaned: dict[int, dict] = {}
    for question in questions:
        raw = answers.get(question.pk, answers.get(str(question.pk)))
        try:
            fields = _clean_answer(question, raw)
        except ValidationError as exc:
            errors[f"q{question.pk}"] = exc.messages
            continue
        if fields is None:
            if question.required:
                errors[f"q{question.pk}"] = [_("Réponse obligatoire.")]
            continue
        cleaned[question.pk] = fields
    if errors:
        raise ValidationError(errors)
    if not cleaned:
        raise ValidationError(_("Répondez à au moins une question."))
    response, created = SurveyResponse.objects.get_or_create(
        survey=survey, organisation=organisation, defaults={"submitted_by": by.user}
    )
    if not created:
        response.submitted_by = by.user
        response.save(update_fields=["submitted_by", "updated_at"])
        response.answers.all().delete()
    Answer.objects.bulk_create(
        [Answer(response=response, question_id=qid, **fields) for qid, fields in cleaned.items()]
    )
    return response
