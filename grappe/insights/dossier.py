"""The yearly funder dossier, built from live data: aggregated figures only (no firm is
named), with the label self-assessment. Rendered as a page, a PDF (WeasyPrint) and an
XLSX workbook (openpyxl)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grappe.core.access import Actor, require
from grappe.core.indicators import indicators, split_value
from grappe.engine import selfassessment
from grappe.engine import surveys as survey_math
from grappe.insights import selectors
from grappe.insights.models import Answer, ProposalDecision, Question, RadarRun, Survey

FAMILY_LABELS = {
    "members": gettext_lazy("Membres"),
    "activity": gettext_lazy("Activité"),
    "services": gettext_lazy("Services et économies"),
    "funding": gettext_lazy("Financements obtenus"),
    "interaction": gettext_lazy("Échanges entre membres"),
    "satisfaction": gettext_lazy("Satisfaction"),
}
ASSESSMENT_FAMILIES = {
    "structure": gettext_lazy("Structure"),
    "governance": gettext_lazy("Gouvernance"),
    "financing": gettext_lazy("Financement"),
    "services": gettext_lazy("Services"),
    "interaction": gettext_lazy("Interaction"),
    "recognition": gettext_lazy("Reconnaissance"),
    "eccp": gettext_lazy("Plateforme européenne (ECCP)"),
}
ONE = Decimal("0.1")


@dataclass
class Row:
    key: str
    label: str
    value: Decimal | None
    unit: str
    breakdown: list[tuple[str, Decimal]] = field(default_factory=list)
    monthly: list[Decimal | None] = field(default_factory=list)


@dataclass
class Criterion:
    family: str
    family_label: str
    label: str
    met: bool | None
    evidence: str


@dataclass
class Dossier:
    cluster: object
    year: int
    months: list[dt.date]
    generated_at: dt.datetime
    sections: list[tuple[str, list[Row]]]
    surveys: list[dict]
    satisfaction: list[tuple[str, Decimal | None, int]]
    themes: list[tuple[str, int]]
    theme_count: int
    accepted: int
    accepted_saving_yearly: Decimal
    criteria: list[Criterion]

    @property
    def met_count(self) -> int:
        return sum(1 for c in self.criteria if c.met)


def _months(year: int) -> list[dt.date]:
    today = timezone.localdate()
    last = 12 if year < today.year else today.month
    return [dt.date(year, m, 1) for m in range(1, last + 1)]


def _rollup(rollup: str, values: list[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    if not known:
        return None
    if rollup == "last":
        return known[-1]
    if rollup == "sum":
        return sum(known, Decimal(0))
    return (sum(known, Decimal(0)) / len(known)).quantize(ONE, rounding=ROUND_HALF_UP)


def dossier_build(*, actor: Actor, year: int) -> Dossier:
    """Every registered indicator over the year, computed now, plus surveys, the radar and
    the self-assessment. Managers and funders."""
    require(actor.is_manager or actor.is_observer)
    cluster = actor.cluster
    months = _months(year)
    sections: dict[str, list[Row]] = {}
    values_by_key: dict[str, Decimal | None] = {}
    for ind in indicators():
        monthly, details = [], {}
        for month in months:
            value, month_details = split_value(ind.fn(cluster, month))
            monthly.append(value)
            if month_details:
                details = month_details
        total = _rollup(ind.rollup, monthly)
        values_by_key[ind.key] = total
        sections.setdefault(ind.family, []).append(
            Row(
                key=ind.key,
                label=str(ind.label),
                value=total,
                unit=ind.unit,
                breakdown=selectors.breakdown_rows(details) if details else [],
                monthly=monthly,
            )
        )
    surveys, satisfaction, best_rate = _surveys(cluster, year)
    run = (
        RadarRun.objects.filter(cluster=cluster, status=RadarRun.Status.DONE)
        .order_by("-finished_at", "-id")
        .first()
    )
    themes = (
        list(run.themes.order_by("-members", "rank").values_list("label", "members")) if run else []
    )
    accepted = list(
        ProposalDecision.objects.filter(
            cluster=cluster,
            decision=ProposalDecision.Decision.ACCEPTED,
            created_at__year=year,
        ).prefetch_related("organisations")
    )
    accepted_saving = sum(
        (
            (d.estimated_saving_monthly or Decimal(0)) * 12 * len(d.organisations.all())
            for d in accepted
        ),
        Decimal("0.00"),
    )
    facts = _facts(
        cluster,
        year,
        values_by_key,
        surveys=len(surveys),
        best_rate=best_rate,
        nps=_overall_nps(satisfaction),
        shared_themes=sum(1 for _label, m in themes if m >= 3),
        accepted=len(accepted),
    )
    return Dossier(
        cluster=cluster,
        year=year,
        months=months,
        generated_at=timezone.now(),
        sections=[(str(FAMILY_LABELS[f]), rows) for f, rows in sections.items()],
        surveys=surveys,
        satisfaction=satisfaction,
        themes=themes[:8],
        theme_count=len(themes),
        accepted=len(accepted),
        accepted_saving_yearly=accepted_saving.quantize(Decimal("0.01")),
        criteria=[_criterion(r) for r in selfassessment.assess(facts)],
    )


def _surveys(cluster, year: int):
    rows, best = [], None
    for s in Survey.objects.filter(cluster=cluster, sent_at__year=year).order_by("sent_at"):
        responses = s.responses.count()
        rate = survey_math.rate(responses, len(s.invited_organisation_ids))
        best = rate if rate is not None and (best is None or rate > best) else best
        rows.append(
            {
                "title": s.title,
                "responses": responses,
                "invited": len(s.invited_organisation_ids),
                "rate": rate,
            }
        )
    scores: dict[str, list[int]] = {}
    for service, number in Answer.objects.filter(
        question__survey__cluster=cluster,
        question__kind=Question.Kind.RECOMMEND,
        response__submitted_at__year=year,
        number__isnull=False,
    ).values_list("question__service", "number"):
        scores.setdefault(service, []).append(number)
    satisfaction = [
        (service, survey_math.net_promoter_score(v), len(v))
        for service, v in sorted(scores.items())
    ]
    return rows, satisfaction, best


def _overall_nps(satisfaction) -> Decimal | None:
    return None if not satisfaction else _weighted(satisfaction)


def _weighted(satisfaction) -> Decimal | None:
    total = sum(n for _s, _v, n in satisfaction)
    if not total:
        return None
    return (sum(v * n for _s, v, n in satisfaction if v is not None) / total).quantize(
        ONE, rounding=ROUND_HALF_UP
    )


def _facts(cluster, year, values, *, surveys, best_rate, nps, shared_themes, accepted):
    from grappe.core.models import AuditEntry, ClusterRole
    from grappe.insights.indicators import legal_family
    from grappe.members.models import Membership

    active = Membership.objects.filter(cluster=cluster, status=Membership.Status.ACTIVE)
    types: dict[str, int] = {}
    for lf, rna, siren in active.values_list(
        "organisation__legal_form", "organisation__rna", "organisation__siren"
    ):
        family = legal_family(lf, rna=rna, siren=siren)
        types[family] = types.get(family, 0) + 1
    n_active = active.count()
    paid = active.filter(
        fee_status__in=[Membership.FeeStatus.PAID, Membership.FeeStatus.WAIVED]
    ).count()
    exchanges = int((values.get("members.needs") or 0) + (values.get("members.offers") or 0))

    def registered(*keys):
        for key in keys:
            if key in values:
                return values[key]
        return None

    services = registered("pooling.services")
    return selfassessment.Facts(
        managers=ClusterRole.objects.filter(cluster=cluster, role="manager").count(),
        observers=ClusterRole.objects.filter(cluster=cluster, role="observer").count(),
        has_legal_identity=bool(cluster.legal_name and cluster.siret)
        or bool(cluster.legal_name and cluster.address),
        has_contact=bool(cluster.contact_email),
        communes=cluster.communes.count(),
        sectors=len(cluster.naf_codes or []),
        active_members=n_active,
        member_types=types,
        surveys=surveys,
        best_response_rate=best_rate,
        audit_entries=AuditEntry.objects.filter(cluster=cluster, created_at__year=year)
        .filter(~Q(actor_label="système"))
        .count(),
        fee_paid_share=survey_math.rate(paid, n_active),
        funding_obtained=registered("calls.funding_obtained", "calls.funding"),
        services=None if services is None else int(services),
        accepted_proposals=accepted,
        savings=registered("pooling.savings", "billing.savings"),
        nps=nps,
        exchanges=exchanges,
        shared_themes=shared_themes,
        business_between_members=registered("network.business"),
        is_listed=cluster.is_listed,
        has_website=bool(cluster.website),
        has_description=bool(cluster.description),
    )


def _criterion(r: selfassessment.Result) -> Criterion:
    label, evidence = _describe(r)
    return Criterion(
        family=r.family,
        family_label=str(ASSESSMENT_FAMILIES[r.family]),
        label=label,
        met=r.met,
        evidence=evidence,
    )


def _n(value) -> str:
    """A figure, French style (66,7 ; 12 000)."""
    from django.utils.formats import number_format

    d = Decimal(str(value))
    places = 0 if d == d.to_integral_value() else min(2, -d.normalize().as_tuple().exponent)
    return number_format(d, decimal_pos=places, use_l10n=True, force_grouping=True)


def _euros(value) -> str:
    return _("%(amount)s €") % {"amount": _n(value)}


def _yes(value: bool) -> str:
    return _("oui") if value else _("non")


def _describe(r: selfassessment.Result) -> tuple[str, str]:
    v, t = r.value, r.threshold
    no_data = _("Aucune donnée : l'application qui la fournit n'est pas encore en service.")
    code = r.code
    if code in ("structure.staff", "eccp.staff"):
        return _("Une équipe d'animation identifiée"), _("%(n)s animateur·rice(s)") % {"n": v}
    if code == "structure.legal":
        return _("Une structure porteuse identifiée (raison sociale, SIRET ou adresse)"), _yes(v)
    if code == "structure.scope":
        return _("Un territoire et des secteurs définis"), _(
            "%(communes)s commune(s), %(sectors)s code(s) NAF"
        ) % {"communes": v[0], "sectors": v[1]}
    if code in ("structure.size", "eccp.members"):
        return _("Au moins %(n)s membres engagés") % {"n": t}, _("%(n)s membres actifs") % {"n": v}
    if code == "governance.consultation":
        surveys, rate = v
        return _("Les membres consultés (questionnaire, taux de réponse d'au moins 30 %)"), _(
            "%(n)s questionnaire(s), meilleur taux de réponse : %(rate)s"
        ) % {"n": surveys, "rate": "—" if rate is None else _("%(rate)s %%") % {"rate": _n(rate)}}
    if code == "governance.traceability":
        return _("Les décisions de l'équipe tracées"), _("%(n)s action(s) au journal") % {"n": v}
    if code == "governance.funders":
        return _("Des financeurs associés au suivi"), _("%(n)s financeur(s) observateur(s)") % {
            "n": v
        }
    if code == "financing.fees":
        return _("Les cotisations réglées par la moitié des membres au moins"), (
            no_data if v is None else _("%(rate)s %% des membres à jour") % {"rate": _n(v)}
        )
    if code == "financing.funding":
        return _("Des financements obtenus"), no_data if v is None else _euros(v)
    if code == "services.offer":
        services, accepted = v
        return _("Des services mutualisés en place ou décidés"), _(
            "%(s)s service(s) en place, %(a)s proposition(s) acceptée(s)"
        ) % {"s": "—" if services is None else services, "a": accepted}
    if code == "services.savings":
        return _("Des économies mesurées pour les membres"), no_data if v is None else _euros(v)
    if code == "services.satisfaction":
        return _("La satisfaction mesurée (NPS)"), (
            _("pas de note de recommandation cette année")
            if v is None
            else _("NPS %(nps)s") % {"nps": _n(v)}
        )
    if code == "interaction.exchanges":
        return _("Des échanges entre membres (au moins %(n)s besoins ou offres)") % {"n": t}, _(
            "%(n)s besoins et offres publiés"
        ) % {"n": v}
    if code == "interaction.needs":
        return _("Des besoins communs repérés (thème partagé par trois membres)"), _(
            "%(n)s thème(s)"
        ) % {"n": v}
    if code == "interaction.business":
        return _("Des affaires entre membres"), no_data if v is None else _euros(v)
    if code == "recognition.listed":
        return _("La grappe visible dans l'annuaire public"), _yes(v)
    if code == "recognition.web":
        return _("Une présentation et un site web"), _("présentation : %(d)s, site : %(w)s") % {
            "d": _yes(v[1]),
            "w": _yes(v[0]),
        }
    if code == "eccp.types":
        return _("Au moins %(n)s types de membres") % {"n": t}, _("%(n)s type(s)") % {"n": v}
    if code == "eccp.contact":
        return _("Un contact publié (e-mail)"), _yes(v)
    return code, str(v)


# --- Files --------------------------------------------------------------------------------


def dossier_pdf(data: Dossier, *, request=None) -> bytes:
    """The dossier as a PDF (WeasyPrint; fonts from the system, nothing downloaded)."""
    from weasyprint import HTML

    html = render_to_string("insights/dossier_pdf.html", {"dossier": data})

    def no_fetch(url, *args, **kwargs):
        raise ValueError(f"no external resource in the dossier: {url}")

    return HTML(string=html, url_fetcher=no_fetch).write_pdf()


def dossier_xlsx(data: Dossier) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("Synthèse")[:31]
    bold = Font(bold=True)
    ws.append([_("Dossier financeurs %(year)s") % {"year": data.year}, data.cluster.name])
    ws["A1"].font = bold
    ws.append([_("Généré le"), timezone.localtime(data.generated_at).strftime("%d/%m/%Y %H:%M")])
    for title, rows in data.sections:
        ws.append([])
        ws.append([title])
        ws.cell(row=ws.max_row, column=1).font = bold
        for row in rows:
            ws.append([row.label, row.value, row.unit])
            for label, n in row.breakdown:
                ws.append(["    " + label, n, row.unit])
    ws.append([])
    ws.append([_("Satisfaction par service (NPS)")])
    ws.cell(row=ws.max_row, column=1).font = bold
    for service, nps, n in data.satisfaction:
        ws.append([service, nps, _("%(n)s note(s)") % {"n": n}])
    ws.append([])
    ws.append([_("Besoins communs (radar)")])
    ws.cell(row=ws.max_row, column=1).font = bold
    for label, members in data.themes:
        ws.append([label, members, _("membres")])
    ws.column_dimensions["A"].width = 55
    ws.column_dimensions["B"].width = 16

    monthly = wb.create_sheet(_("Indicateurs mensuels")[:31])
    monthly.append([_("Indicateur"), *[m.strftime("%Y-%m") for m in data.months]])
    for _title, rows in data.sections:
        for row in rows:
            monthly.append([row.label, *row.monthly])
    monthly.column_dimensions["A"].width = 45

    criteria = wb.create_sheet(_("Auto-évaluation")[:31])
    criteria.append([_("Famille"), _("Critère"), _("Atteint"), _("Preuve")])
    for c in data.criteria:
        criteria.append([c.family_label, c.label, _state(c.met), c.evidence])
    for col, width in zip("ABCD", (28, 60, 14, 60), strict=True):
        criteria.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _state(met: bool | None) -> str:
    if met is None:
        return _("sans donnée")
    return _("atteint") if met else _("manquant")
