"""Indicators insights registers in core's registry: the members ones (read from the
members app, never written) and the surveys' satisfaction.

Each is ``fn(cluster, month) -> number | dict`` (see ``grappe.core.indicators``); a
breakdown's labels are categories (a commune, a type of member), never a firm."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grappe.core.indicators import register_indicator
from grappe.core.months import bounds, month_end, previous_month

PERCENT = Decimal("0.1")


def legal_family(legal_form: str, *, rna: str = "", siren: str = "") -> str:
    """A member's type from its INSEE legal category (first digit)."""
    if (legal_form or "").startswith("92") or (rna and not siren):
        return str(_("Associations"))
    first = (legal_form or "")[:1]
    if first == "1":
        return str(_("Entrepreneurs individuels"))
    if first in ("5", "6"):
        return str(_("Sociétés"))
    if first in ("4", "7"):
        return str(_("Organismes publics"))
    if first == "9":
        return str(_("Autres organismes privés"))
    return str(_("Type non renseigné"))


def _members_on(cluster, day: dt.date):
    """Memberships that counted the cluster's members on that day (active or lapsed)."""
    from grappe.members.models import Membership

    return Membership.objects.filter(cluster=cluster).filter(
        (Q(joined_on__lte=day) | Q(joined_on__isnull=True, created_at__date__lte=day))
        & (
            Q(status__in=[Membership.Status.ACTIVE, Membership.Status.LAPSED])
            | Q(status=Membership.Status.LEFT, left_on__gt=day)
        )
    )


def members_count(cluster, month: dt.date) -> int:
    return _members_on(cluster, month_end(month)).count()


def members_by_type(cluster, month: dt.date) -> dict:
    rows = _members_on(cluster, month_end(month)).values_list(
        "organisation__legal_form", "organisation__rna", "organisation__siren"
    )
    return dict(sorted(Counter(legal_family(lf, rna=r, siren=s) for lf, r, s in rows).items()))


def members_by_commune(cluster, month: dt.date) -> dict:
    rows = _members_on(cluster, month_end(month)).values_list(
        "organisation__commune__name", flat=True
    )
    return dict(sorted(Counter(name or str(_("Commune non renseignée")) for name in rows).items()))


def members_joined(cluster, month: dt.date) -> int:
    from grappe.members.models import Membership

    return (
        Membership.objects.filter(cluster=cluster, joined_on__gte=month)
        .filter(joined_on__lte=month_end(month))
        .exclude(status=Membership.Status.APPLICANT)
        .count()
    )


def members_left(cluster, month: dt.date) -> int:
    from grappe.members.models import Membership

    return Membership.objects.filter(
        cluster=cluster, left_on__gte=month, left_on__lte=month_end(month)
    ).count()


def _rate(count: int, base: int) -> Decimal:
    if not base:
        return Decimal("0.0")
    return (Decimal(100) * count / base).quantize(PERCENT, rounding=ROUND_HALF_UP)


def join_rate(cluster, month: dt.date) -> Decimal:
    """Joins in the month, per hundred members at the end of the month before."""
    return _rate(members_joined(cluster, month), members_count(cluster, previous_month(month)))


def leave_rate(cluster, month: dt.date) -> Decimal:
    return _rate(members_left(cluster, month), members_count(cluster, previous_month(month)))


def sector_coverage(cluster, month: dt.date) -> Decimal:
    """Members among the sector's establishments of the territory (registry, today's list)."""
    from grappe.members.models import Prospect

    members = members_count(cluster, month)
    others = (
        Prospect.objects.filter(cluster=cluster, is_current=True)
        .exclude(status=Prospect.Status.MEMBER)
        .count()
    )
    return _rate(members, members + others)


def _posts(cluster, month: dt.date, kind: str) -> int:
    from grappe.core.access import Actor
    from grappe.members import selectors

    start, end = bounds(month)
    return (
        selectors.post_list(actor=Actor.system(cluster), kind=kind, include_closed=True)
        .filter(created_at__gte=start, created_at__lt=end)
        .count()
    )


def needs_posted(cluster, month: dt.date) -> int:
    return _posts(cluster, month, "need")


def offers_posted(cluster, month: dt.date) -> int:
    return _posts(cluster, month, "offer")


def survey_responses(cluster, month: dt.date) -> int:
    from grappe.insights.models import SurveyResponse

    start, end = bounds(month)
    return SurveyResponse.objects.filter(
        survey__cluster=cluster, submitted_at__gte=start, submitted_at__lt=end
    ).count()


def satisfaction(cluster, month: dt.date) -> dict:
    """Net promoter score of the answers given in the month, overall and per service."""
    from grappe.engine.surveys import net_promoter_score
    from grappe.insights.models import Answer, Question

    start, end = bounds(month)
    rows = Answer.objects.filter(
        question__survey__cluster=cluster,
        question__kind=Question.Kind.RECOMMEND,
        response__submitted_at__gte=start,
        response__submitted_at__lt=end,
        number__isnull=False,
    ).values_list("question__service", "number")
    scores: dict[str, list[int]] = {}
    for service, number in rows:
        scores.setdefault(service, []).append(number)
    overall = net_promoter_score([n for values in scores.values() for n in values])
    return {
        "value": overall,
        "services": {s: str(net_promoter_score(v)) for s, v in sorted(scores.items())},
        "answers": sum(len(v) for v in scores.values()),
    }


def register_all() -> None:
    for key, label, fn, options in (
        ("members.count", _("Membres"), members_count, {"rollup": "last", "order": 10}),
        (
            "members.by_type",
            _("Membres par type"),
            members_by_type,
            {"rollup": "last", "order": 20},
        ),
        (
            "members.by_commune",
            _("Membres par commune"),
            members_by_commune,
            {"rollup": "last", "order": 30},
        ),
        ("members.joined", _("Adhésions"), members_joined, {"order": 40}),
        ("members.left", _("Départs"), members_left, {"order": 50}),
        (
            "members.join_rate",
            _("Taux d'adhésion"),
            join_rate,
            {"rollup": "mean", "unit": "%", "order": 60},
        ),
        (
            "members.leave_rate",
            _("Taux de départ"),
            leave_rate,
            {"rollup": "mean", "unit": "%", "order": 70},
        ),
        (
            "members.coverage",
            _("Couverture du secteur dans le territoire"),
            sector_coverage,
            {"rollup": "last", "unit": "%", "order": 80},
        ),
        (
            "members.needs",
            _("Besoins publiés"),
            needs_posted,
            {"family": "interaction", "order": 10},
        ),
        (
            "members.offers",
            _("Offres publiées"),
            offers_posted,
            {"family": "interaction", "order": 20},
        ),
        (
            "insights.survey_responses",
            _("Réponses aux questionnaires"),
            survey_responses,
            {"family": "satisfaction", "order": 10},
        ),
        (
            "insights.nps",
            _("Satisfaction (NPS)"),
            satisfaction,
            {"family": "satisfaction", "rollup": "mean", "order": 20},
        ),
    ):
        register_indicator(key, label, fn, **{"family": "members", **options})
