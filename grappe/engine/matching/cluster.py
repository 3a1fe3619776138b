"""Calls where the cluster applying for several members beats any member applying alone.

A joint application is stronger when the call asks for it (consortium, grouping, pooling,
collective actions, a minimum number of partners; a mere "partenariat" with a school or a
"filière" in passing does not count) and when several members fit. The joint
score blends the best member's score with the mean of the best ``k`` members (``k`` = the
partners required, at least 3) and adds a bonus for the call's collective nature times the
breadth of relevant members. A call is returned only when this beats the best single score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from grappe.engine.matching import scoring
from grappe.engine.matching.features import CorpusStats, call_features, org_features
from grappe.engine.matching.profiles import CallProfile, ClusterMatch, OrgProfile
from grappe.engine.matching.ranking import CallMatcher
from grappe.engine.matching.scoring import DEFAULT_WEIGHTS, Weights
from grappe.engine.text import strip_accents

COLLECTIVE_BONUS = 0.3
RELEVANT_SHARE = 0.5  # a member counts as concerned above this share of the best score

_STRONG = (
    ("mutualisation", r"\bmutualis\w*"),
    ("consortium", r"\bconsortium\w*"),
    ("groupement", r"\bgroupements?\b"),
    ("projet collectif", r"\b(?:projets?|actions?|stands?|candidatures?|demarches?) collecti\w*"),
    ("coopération", r"\bcooperation\w*"),
    ("cluster", r"\bclusters?\b"),
    ("grappe", r"\bgrappes?\b"),
    ("temps partagé", r"\btemps partage\w*"),
)
_WORD_NUMBERS = {"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "dix": 10}
_PARTNERS = re.compile(
    r"\bau moins (\d+|deux|trois|quatre|cinq|six|dix) "
    r"(?:entreprises|structures|organisations|partenaires|membres|organismes|acteurs)"
    r"(?P<rest>[^.;]{0,60})"
)


@dataclass(frozen=True)
class CollectiveSignal:
    strength: float  # 0 none, 0.8 in the text or a number of partners, 1.0 in the title
    markers: tuple[str, ...]
    min_partners: int | None
    other_countries: bool


def _flat(text: str) -> str:
    return " ".join(strip_accents((text or "").lower().replace("\u2019", "'")).split())


def collective_signal(call: CallProfile) -> CollectiveSignal:
    """How much a call asks for a joint application, and how many partners it requires."""
    title = _flat(call.title)
    body = _flat(" ".join((call.description, call.eligibility)))
    markers: list[str] = []
    strength = 0.0
    for label, pattern in _STRONG:
        if re.search(pattern, title):
            strength = max(strength, 1.0)
            markers.append(label)
        elif re.search(pattern, body):
            strength = max(strength, 0.8)
            markers.append(label)
    minimum, countries = None, False
    match = _PARTNERS.search(f"{title} {body}")
    if match:
        raw = match.group(1)
        minimum = int(raw) if raw.isdigit() else _WORD_NUMBERS[raw]
        countries = "pays" in match.group("rest")
        strength = max(strength, 0.8)
    return CollectiveSignal(strength, tuple(markers), minimum, countries)


def _decimal(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _joint(
    call: CallProfile, scored: Sequence[tuple[float, OrgProfile]], signal: CollectiveSignal
) -> ClusterMatch | None:
    if signal.strength == 0.0 or not scored:
        return None
    needed = max(signal.min_partners or 0, 3)
    if signal.other_countries:
        # Partners abroad complete the consortium: the cluster brings its own members.
        needed = min(needed, len(scored))
    elif signal.min_partners and len(scored) < signal.min_partners:
        return None
    best_single = scored[0][0]
    top = [score for score, _ in scored[:needed]]
    mean_top = sum(top) / needed
    concerned = [org for score, org in scored if score >= RELEVANT_SHARE * best_single]
    breadth = min(1.0, len(concerned) / needed)
    joint = min(
        1.0, 0.5 * best_single + 0.5 * mean_top + COLLECTIVE_BONUS * signal.strength * breadth
    )
    if joint <= best_single:
        return None
    reasons = []
    if signal.markers:
        quoted = ", ".join(f"« {m} »" for m in signal.markers[:3])
        reasons.append(f"L'appel s'adresse aux démarches collectives : {quoted}")
    if signal.min_partners:
        reasons.append(
            f"Il faut au moins {signal.min_partners} partenaires : "
            f"{len(scored)} de vos membres sont éligibles"
        )
    if signal.other_countries:
        reasons.append("Des partenaires d'autres pays sont exigés : à trouver hors de la grappe")
    names = ", ".join(f"{org.name} ({_decimal(score)})" for score, org in scored[:3])
    reasons.append(f"Membres les plus concernés : {names}")
    reasons.append(
        f"Candidature commune : {_decimal(joint)}, contre {_decimal(best_single)} "
        "pour la meilleure candidature seule"
    )
    return ClusterMatch(
        call_id=call.id,
        score=round(joint, 4),
        best_single_score=round(min(1.0, max(0.0, best_single)), 4),
        members=tuple(org.id for org in concerned),
        reasons=tuple(reasons),
    )


def _sorted(scored: list[tuple[float, OrgProfile]]) -> list[tuple[float, OrgProfile]]:
    return sorted(scored, key=lambda item: (-item[0], item[1].id))


def score_call_for_cluster(
    call: CallProfile,
    orgs: Iterable[OrgProfile],
    *,
    as_of: date,
    stats: CorpusStats | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> ClusterMatch | None:
    """The joint-application score of one call for a cluster's members, or None.

    None when the call does not ask for anything collective, when fewer members are
    eligible than the partners it requires, or when the joint score does not beat the best
    member's own score.
    """
    stats = stats or CorpusStats()
    features = call_features(call, stats)
    scored = []
    for org in orgs:
        evaluation = scoring.evaluate(features, org_features(org, stats), as_of, weights)
        if evaluation is not None:
            scored.append((max(0.0, evaluation.total), org))
    return _joint(call, _sorted(scored), collective_signal(call))


def rank_calls_for_cluster(
    calls: Iterable[CallProfile],
    orgs: Iterable[OrgProfile],
    *,
    as_of: date,
    top: int = 10,
    stats: CorpusStats | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> list[ClusterMatch]:
    """Open calls where a joint application is strongest, best first."""
    matcher = CallMatcher(calls, as_of=as_of, stats=stats, weights=weights)
    members = [matcher.features(org) for org in orgs]
    found = []
    for call in matcher.calls:
        signal = collective_signal(call.call)
        if signal.strength == 0.0:
            continue
        scored = []
        for org in members:
            evaluation = scoring.evaluate(call, org, as_of, weights)
            if evaluation is not None:
                scored.append((max(0.0, evaluation.total), org.org))
        joint = _joint(call.call, _sorted(scored), signal)
        if joint is not None:
            found.append(joint)
    found.sort(key=lambda match: (-match.score, match.call_id))
    return found[:top]
