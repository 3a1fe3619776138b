"""Writes of the radar: request a run, compute it (a job), decide on its proposals."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.access import Actor
from grappe.core.jobs import enqueue_on_commit
from grappe.core.services import audit_record
from grappe.core.texts import SourceText, text_sources
from grappe.engine.themes import RadarResult, TextItem, discover_themes
from grappe.insights.models import ProposalDecision, RadarRun, RadarText, RadarTheme

log = logging.getLogger(__name__)

MAX_TEXT = 5_000  # characters of one text given to the radar


def _require_manager(by: Actor) -> None:
    if not by.is_manager:
        raise PermissionDenied


@transaction.atomic
def radar_request(*, by: Actor) -> RadarRun:
    """Queue a computation of the radar (a job); one waiting run at a time."""
    _require_manager(by)
    waiting = (
        RadarRun.objects.select_for_update()
        .filter(cluster=by.cluster, status__in=[RadarRun.Status.PENDING, RadarRun.Status.RUNNING])
        .first()
    )
    if waiting is not None:
        return waiting
    run = RadarRun.objects.create(cluster=by.cluster, requested_by=by.user)
    audit_record(actor=by, action="radar.request", target=run)
    enqueue_on_commit("grappe.insights.tasks.radar_run_job", run.pk)
    return run


def collect_texts(cluster) -> list[tuple[str, SourceText]]:
    """Every registered source's texts for a cluster, as (source name, text)."""
    texts = []
    for name, source in text_sources().items():
        for item in source(cluster):
            if item.text.strip():
                texts.append((name, item))
    return texts


def radar_compute(*, run: RadarRun, embedder=None) -> RadarRun:
    """Read every text, run the engine, store the themes. Runs as a job, never in a request.

    A failure leaves the run marked failed with the reason, and no theme of it.
    """
    RadarRun.objects.filter(pk=run.pk).update(
        status=RadarRun.Status.RUNNING, started_at=timezone.now(), error=""
    )
    try:
        texts = collect_texts(run.cluster)
        items = [
            TextItem(
                id=f"{name}:{t.id}",
                text=(f"{t.title}. {t.text}" if t.title else t.text)[:MAX_TEXT],
                org=str(t.organisation_id) if t.organisation_id else None,
                date=t.date,
            )
            for name, t in texts
        ]
        result = discover_themes(items, embedder=embedder)
        _store(run, texts, result)
    except Exception as exc:
        log.exception("radar run %s failed", run.pk)
        RadarRun.objects.filter(pk=run.pk).update(
            status=RadarRun.Status.FAILED, finished_at=timezone.now(), error=str(exc)[:2000]
        )
        raise
    run.refresh_from_db()
    return run


@transaction.atomic
def _store(run: RadarRun, texts: list[tuple[str, SourceText]], result: RadarResult) -> None:
    themes = RadarTheme.objects.bulk_create(
        [
            RadarTheme(
                run=run,
                key=theme.id[:120],
                rank=rank,
                label=theme.label[:200],
                size=theme.size,
                members=theme.members,
                trend=theme.trend,
                taxonomy_key=theme.taxonomy_key or "",
                **_proposal_fields(theme.proposal),
            )
            for rank, theme in enumerate(result.themes, start=1)
        ]
    )
    by_engine_id = {theme.id: obj for theme, obj in zip(result.themes, themes, strict=True)}
    RadarText.objects.bulk_create(
        [
            RadarText(
                run=run,
                theme=by_engine_id.get(result.assignments[f"{name}:{t.id}"]),
                source=name[:60],
                source_id=t.id[:60],
                organisation_id=t.organisation_id,
                title=t.title[:200],
                text=t.text[:MAX_TEXT],
                date=t.date,
                visibility=t.visibility,
            )
            for name, t in texts
        ],
        batch_size=2000,
    )
    run.status = RadarRun.Status.DONE
    run.finished_at = timezone.now()
    run.text_count = len(texts)
    run.assigned_count = sum(1 for v in result.assignments.values() if v is not None)
    run.theme_count = len(themes)
    sources: dict[str, int] = {}
    for name, _t in texts:
        sources[name] = sources.get(name, 0) + 1
    run.sources = sources
    run.save()
    audit_record(
        actor=Actor.system(run.cluster),
        action="radar.compute",
        target=run,
        changes={"texts": run.text_count, "themes": run.theme_count},
    )


def _proposal_fields(proposal) -> dict:
    if proposal is None:
        return {}
    return {
        "proposal_kind": proposal.kind,
        "proposal_title": proposal.title[:200],
        "proposal_organisation_ids": [int(m) for m in proposal.members if m.isdigit()],
        "alone_monthly": proposal.alone_monthly,
        "pooled_monthly": proposal.pooled_monthly,
        "saving_monthly": proposal.saving_monthly,
        "break_even_members": proposal.break_even_members,
        "cost_note": proposal.cost_note,
    }


# --- Decisions on proposals -----------------------------------------------------------------


def _check_undecided(theme: RadarTheme) -> None:
    if ProposalDecision.objects.filter(theme=theme).exists():
        raise ValidationError(_("Une décision a déjà été prise sur ce thème."))


@transaction.atomic
def proposal_accept(
    *,
    theme: RadarTheme,
    by: Actor,
    service_kind: str,
    title: str,
    organisation_ids: Iterable[int],
    notes: str = "",
) -> ProposalDecision:
    """Turn a theme's proposal into the draft of a pooled service (for the pooling app)."""
    from grappe.members.models import Organisation
    from grappe.members.selectors import ACCESS_STATUSES

    _require_manager(by)
    if theme.run.cluster_id != by.cluster.pk:
        raise PermissionDenied
    theme = RadarTheme.objects.select_for_update().get(pk=theme.pk)
    _check_undecided(theme)
    errors = {}
    if service_kind not in ProposalDecision.ServiceKind.values:
        errors["service_kind"] = _("Choisissez le type de service mutualisé.")
    title = " ".join(title.split())
    if not title:
        errors["title"] = _("Donnez un nom au service.")
    elif len(title) > 200:
        errors["title"] = _("200 caractères au plus.")
    ids = sorted(set(organisation_ids))
    orgs = list(
        Organisation.objects.filter(
            pk__in=ids,
            memberships__cluster=by.cluster,
            memberships__status__in=ACCESS_STATUSES,
        ).distinct()
    )
    if len(orgs) != len(ids):
        errors["organisations"] = _("Seuls les membres de la grappe peuvent rejoindre le service.")
    elif len(orgs) < 2:
        errors["organisations"] = _("Un service mutualisé réunit au moins deux membres.")
    if len(notes) > 5000:
        errors["notes"] = _("5 000 caractères au plus.")
    if errors:
        raise ValidationError(errors)
    decision = ProposalDecision.objects.create(
        cluster=by.cluster,
        theme=theme,
        theme_key=theme.key,
        theme_label=theme.label,
        decision=ProposalDecision.Decision.ACCEPTED,
        service_kind=service_kind,
        title=title,
        estimated_saving_monthly=theme.saving_monthly,
        notes=notes.strip(),
        decided_by=by.user,
    )
    decision.organisations.set(orgs)
    audit_record(
        actor=by,
        action="radar.proposal.accept",
        target=decision,
        changes={"theme": theme.label, "kind": service_kind, "members": ids},
    )
    return decision


@transaction.atomic
def proposal_dismiss(*, theme: RadarTheme, by: Actor, notes: str = "") -> ProposalDecision:
    _require_manager(by)
    if theme.run.cluster_id != by.cluster.pk:
        raise PermissionDenied
    theme = RadarTheme.objects.select_for_update().get(pk=theme.pk)
    _check_undecided(theme)
    if len(notes) > 5000:
        raise ValidationError({"notes": _("5 000 caractères au plus.")})
    decision = ProposalDecision.objects.create(
        cluster=by.cluster,
        theme=theme,
        theme_key=theme.key,
        theme_label=theme.label,
        decision=ProposalDecision.Decision.DISMISSED,
        service_kind=theme.proposal_kind,
        title=theme.proposal_title,
        notes=notes.strip(),
        decided_by=by.user,
    )
    audit_record(
        actor=by, action="radar.proposal.dismiss", target=decision, changes={"theme": theme.label}
    )
    return decision


@transaction.atomic
def proposal_take_up(*, decision: ProposalDecision, by: Actor, reference: str) -> ProposalDecision:
    """The pooling app created the service from an accepted draft: mark it taken up."""
    _require_manager(by)
    decision = ProposalDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.cluster_id != by.cluster.pk:
        raise PermissionDenied
    if decision.decision != ProposalDecision.Decision.ACCEPTED:
        raise ValidationError(_("Seule une proposition acceptée devient un service."))
    if decision.taken_up_at is not None:
        raise ValidationError(_("Ce brouillon a déjà donné un service."))
    decision.taken_up_at = timezone.now()
    decision.taken_up_ref = reference[:120]
    decision.save(update_fields=["taken_up_at", "taken_up_ref", "updated_at"])
    audit_record(
        actor=by, action="radar.proposal.take_up", target=decision, changes={"ref": reference}
    )
    return decision
