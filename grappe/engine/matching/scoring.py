"""Score one call for one organisation: hard filters, weighted components, French reasons.

Hard filters (the call never appears): closed on the as-of date, perimeter not containing
the organisation's commune, targeted audiences not admitting its kind. The score is the sum
of weighted components, each in [0, 1]:

- *static* components, which depend on the organisation only through its kinds, NAF codes
  and size band: territory closeness, audience specificity, sector fit, size fit;
- *sparse* components, non-zero only when texts share terms: similarity of the call with
  the member's whole profile, with its best stated need, with its past applications.

The split is what lets :mod:`grappe.engine.matching.ranking` rank 50,000 calls for 20,000
organisations without scoring every pair, and get exactly the same result.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date

from grappe.engine.matching import eligibility, lexicon
from grappe.engine.matching.features import (
    CallFeatures,
    CorpusStats,
    OrgFeatures,
    call_features,
    cosine,
    org_features,
    surface_forms,
)
from grappe.engine.matching.profiles import CallProfile, Match, OrgProfile
from grappe.engine.matching.territory import SCALES


@dataclass(frozen=True)
class Weights:
    """Weights of the components (the positive ones add up to 1).

    Tuned on the judged set's tuning split (tests/engine/data/calls_eval, organisations not
    held out) by random search then rounding to a point whose neighbourhood (each weight
    +/- 0.04) scores within 0.01 nDCG@10: the landscape is flat at the top, so a round,
    stable point beats the arg-max.
    """

    text: float = 0.34
    need: float = 0.14
    sector: float = 0.10
    territory: float = 0.12
    audience: float = 0.06
    size: float = 0.08
    history: float = 0.16
    size_penalty: float = 0.3  # subtracted when the size band is outside the call's limit
    text_scale: float = 3.0  # cosine -> component: min(1, cosine x scale)
    need_scale: float = 3.0


DEFAULT_WEIGHTS = Weights()
SECTOR_BEST = 0.7  # share of the sector fit given by the best concept alone

# How close a call is to a member, by the scale of the perimeter that contains it.
CLOSENESS: dict[str, float] = {
    "commune": 1.0,
    "epci": 0.9,
    "department": 0.8,
    "basin": 0.65,
    "adhoc": 0.65,
    "region": 0.6,
    "overseas": 0.4,
    "mainland": 0.4,
    "country": 0.35,
    "continent": 0.2,
}


# --- components ---------------------------------------------------------------------------


def territory_value(call: CallFeatures) -> float:
    return CLOSENESS[call.call.perimeter.scale]


def audience_value(call: CallFeatures, kinds: frozenset[str]) -> float | None:
    """Specificity of the audience for this kind of organisation; None if not admitted."""
    admitted = eligibility.admits(call.audiences, kinds)
    if admitted is None:
        return 0.25
    if not admitted:
        return None
    if not call.audiences:
        return 0.5
    return 0.5 + 0.5 * len(call.audiences & kinds) / len(call.audiences)


def sector_value(profile: lexicon.SectorProfile, call: CallFeatures) -> float:
    """How central the call's concepts are to the activity: led by the best single concept
    (weight x prominence), with a little credit for further ones (noisy-or)."""
    best, miss = 0.0, 1.0
    for concept, strength in call.strengths.items():
        weight = profile.weight(concept)
        if weight:
            value = weight * strength
            best = max(best, value)
            miss *= 1.0 - value
    return SECTOR_BEST * best + (1.0 - SECTOR_BEST) * (1.0 - miss)


def size_value(size_band: str | None, call: CallFeatures) -> tuple[float, bool]:
    """(value, mismatch): 1 fits a stated limit, 0.5 no limit, 0.4 unknown size, 0 outside."""
    fits = eligibility.size_fits(size_band, call.size)
    if fits is None:
        return (0.5 if call.size is None else 0.4), False
    return (1.0, False) if fits else (0.0, True)


def territory_part(call: CallFeatures, weights: Weights) -> float:
    return weights.territory * territory_value(call)


def audience_part(call: CallFeatures, kinds: frozenset[str], weights: Weights) -> float | None:
    value = audience_value(call, kinds)
    return None if value is None else weights.audience * value


def sector_part(profile: lexicon.SectorProfile, call: CallFeatures, weights: Weights) -> float:
    return weights.sector * sector_value(profile, call)


def size_part(size_band: str | None, call: CallFeatures, weights: Weights) -> float:
    value, mismatch = size_value(size_band, call)
    return weights.size * value - (weights.size_penalty if mismatch else 0.0)


def static_parts(
    call: CallFeatures, org: OrgFeatures, weights: Weights
) -> tuple[float, float, float, float] | None:
    """Weighted (territory, audience, sector, size); None when the audience excludes the org."""
    audience = audience_part(call, org.kinds, weights)
    if audience is None:
        return None
    return (
        territory_part(call, weights),
        audience,
        sector_part(org.profile, call, weights),
        size_part(org.org.size_band, call, weights),
    )


def static_total(parts: tuple[float, float, float, float]) -> float:
    territory, audience, sector, size = parts
    return ((territory + audience) + sector) + size


def sparse_parts(
    text_cos: float, need_cos: float, history_cos: float, weights: Weights
) -> tuple[float, float, float]:
    return (
        weights.text * min(1.0, text_cos * weights.text_scale),
        weights.need * min(1.0, need_cos * weights.need_scale),
        weights.history * min(1.0, history_cos),
    )


def sparse_total(parts: tuple[float, float, float]) -> float:
    text, need, history = parts
    return (text + need) + history


def best_need(call: CallFeatures, org: OrgFeatures) -> tuple[float, int]:
    best, index = 0.0, -1
    for position, vector in enumerate(org.needs):
        value = cosine(vector, call.vector)
        if value > best:
            best, index = value, position
    return best, index


def best_history(call: CallFeatures, org: OrgFeatures) -> tuple[float, int]:
    best, index = 0.0, -1
    for position, (_, vector) in enumerate(org.history):
        value = cosine(vector, call.history)
        if value > best:
            best, index = value, position
    return best, index


def is_eligible(call: CallFeatures, org: OrgFeatures, as_of: date) -> bool:
    return (
        call.is_open(as_of)
        and not call.keys.isdisjoint(org.keys)
        and eligibility.admits(call.audiences, org.kinds) is not False
    )


@dataclass(frozen=True)
class Evaluation:
    total: float
    static: tuple[float, float, float, float]
    sparse: tuple[float, float, float]
    text_cos: float
    need: tuple[float, int]
    history: tuple[float, int]


def evaluate(
    call: CallFeatures, org: OrgFeatures, as_of: date, weights: Weights
) -> Evaluation | None:
    """The exact score of an eligible pair (None when a hard filter excludes it)."""
    if not call.is_open(as_of) or call.keys.isdisjoint(org.keys):
        return None
    static = static_parts(call, org, weights)
    if static is None:
        return None
    text_cos = cosine(org.vector, call.vector)
    need = best_need(call, org)
    history = best_history(call, org)
    sparse = sparse_parts(text_cos, need[0], history[0], weights)
    return Evaluation(
        static_total(static) + sparse_total(sparse), static, sparse, text_cos, need, history
    )


# --- reasons ------------------------------------------------------------------------------

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def french_date(day: date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def _territory_reason(call: CallFeatures) -> str:
    perimeter = call.call.perimeter
    scale = perimeter.scale
    if scale in {"commune", "epci", "basin", "adhoc"}:
        return f"Votre commune est dans le territoire de l'appel ({perimeter.name})"
    if scale == "department":
        return f"Appel départemental : vous êtes dans le département ({perimeter.name})"
    if scale == "region":
        return f"Appel régional : vous êtes dans la région ({perimeter.name})"
    if scale in {"mainland", "overseas"}:
        return f"Appel ouvert sur votre territoire ({perimeter.name})"
    if scale == "country":
        return "Appel national, ouvert partout en France"
    return f"Appel européen ({perimeter.name}), ouvert aux structures françaises"


def _audience_reason(call: CallFeatures, org: OrgFeatures) -> str | None:
    form = eligibility.legal_name(org.org.legal_category)
    if not call.audiences:
        return None
    if not org.kinds:
        return (
            f"Vérifiez votre éligibilité : l'appel est ouvert "
            f"{eligibility.audience_phrase(call.audiences)} et votre forme juridique "
            "n'est pas connue"
        )
    admitted = call.audiences & org.kinds
    if call.audiences <= org.kinds:
        return f"Réservé {eligibility.audience_phrase(admitted)} : vous êtes {form}"
    return f"Ouvert {eligibility.audience_phrase(admitted)} : vous êtes {form}"


def _sector_reason(call: CallFeatures, org: OrgFeatures) -> str | None:
    scored = sorted(
        (
            (org.profile.weight(concept) * strength, concept)
            for concept, strength in call.strengths.items()
        ),
        key=lambda item: (-item[0], item[1]),
    )
    shared = [lexicon.concept_label(c) for value, c in scored if value >= 0.5][:2]
    if not shared:
        return None
    activity = org.profile.label
    where = f" ({activity})" if activity else ""
    return f"Dans votre domaine d'activité{where} : {', '.join(shared)}"


def _text_reason(call: CallFeatures, org: OrgFeatures) -> str | None:
    if not org.surface:
        org.surface.update(surface_forms(org.org))
    contributions = sorted(
        (
            (weight * call.vector[term], term)
            for term, weight in org.vector.items()
            if term in call.vector and not term.startswith(lexicon.CONCEPT_PREFIX)
        ),
        key=lambda item: (-item[0], item[1]),
    )
    words = []
    for _, term in contributions:
        word = org.surface.get(term)
        if word and len(word) > 3 and word not in words:
            words.append(word)
        if len(words) == 3:
            break
    if not words:
        return None
    quoted = ", ".join(f"« {w} »" for w in words)
    return f"L'appel parle de ce que vous faites : {quoted}"


def _size_reason(call: CallFeatures, org: OrgFeatures) -> str | None:
    limit = call.size
    band = eligibility.SIZE_BANDS.get(org.org.size_band or "")
    if limit is None or band is None:
        return None
    fits = eligibility.size_fits(org.org.size_band, limit)
    target = f"les structures {limit.phrase()}"
    if fits:
        return f"Taille adaptée : l'appel vise {target}, vous avez {band[2]}"
    return f"L'appel vise {target} : vous avez {band[2]}"


def _deadline_reason(call: CallFeatures, as_of: date) -> str:
    profile = call.call
    deadline = profile.submission_deadline
    if profile.recurrence == "ongoing":
        return "Appel permanent : candidature possible à tout moment"
    if deadline is None:
        return "Pas de date limite annoncée"
    days = (deadline - as_of).days
    if days == 0:
        return f"Date limite aujourd'hui ({french_date(deadline)})"
    if days <= 21:
        return f"Date limite le {french_date(deadline)}, dans {days} jour" + (
            "s" if days > 1 else ""
        )
    return f"Date limite le {french_date(deadline)}"


def reasons(call: CallFeatures, org: OrgFeatures, evaluation: Evaluation, as_of: date) -> list[str]:
    """Plain French reasons of a score, most persuasive first."""
    out: list[str] = []
    need_cos, need_index = evaluation.need
    if need_index >= 0 and need_cos >= 0.2:
        out.append(f"Répond à un besoin que vous avez exprimé : « {org.org.needs[need_index]} »")
    sector = _sector_reason(call, org)
    if sector:
        out.append(sector)
    if evaluation.text_cos >= 0.08:
        text = _text_reason(call, org)
        if text:
            out.append(text)
    history_cos, history_index = evaluation.history
    if history_index >= 0 and history_cos >= 0.3:
        past = org.history[history_index][0]
        if past.obtained:
            out.append(f"Proche d'un appel que vous avez obtenu : « {past.title} »")
        else:
            out.append(f"Proche d'un appel auquel vous avez déjà candidaté : « {past.title} »")
    out.append(_territory_reason(call))
    audience = _audience_reason(call, org)
    if audience:
        out.append(audience)
    size = _size_reason(call, org)
    if size:
        out.append(size)
    start = call.call.start_date
    if start is not None and start > as_of:
        out.append(f"Ouverture des candidatures le {french_date(start)}")
    out.append(_deadline_reason(call, as_of))
    return out


COMPONENT_NAMES = ("territory", "audience", "sector", "size", "text", "need", "history")


def build_match(call: CallFeatures, org: OrgFeatures, evaluation: Evaluation, as_of: date) -> Match:
    components = tuple(
        (name, round(value, 4))
        for name, value in zip(
            COMPONENT_NAMES, (*evaluation.static, *evaluation.sparse), strict=True
        )
    )
    return Match(
        call_id=call.call.id,
        org_id=org.org.id,
        score=round(min(1.0, max(0.0, evaluation.total)), 4),
        reasons=tuple(sys.intern(r) for r in reasons(call, org, evaluation, as_of)),
        components=components,
    )


# --- public API ---------------------------------------------------------------------------


def score_call(
    call: CallProfile,
    org: OrgProfile,
    *,
    as_of: date,
    stats: CorpusStats | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> Match | None:
    """Score one call for one organisation, or None when a hard filter excludes it.

    ``stats`` are the document frequencies of the calls corpus the score is relative to
    (``CorpusStats.from_calls(calls)``); without them every term weighs the same. With the
    same stats, the score equals the one :func:`rank_calls` gives.
    """
    stats = stats or CorpusStats()
    call_f = call_features(call, stats)
    org_f = org_features(org, stats)
    evaluation = evaluate(call_f, org_f, as_of, weights)
    if evaluation is None:
        return None
    return build_match(call_f, org_f, evaluation, as_of)


def explain_exclusion(call: CallProfile, org: OrgProfile, *, as_of: date) -> tuple[str, ...]:
    """Why a call is never shown to an organisation, in French; empty when it is eligible."""
    call_f = call_features(call, CorpusStats())
    org_f = org_features(org, CorpusStats())
    out: list[str] = []
    if not call_f.is_open(as_of):
        deadline = call.submission_deadline
        out.append(f"Appel clos : la date limite était le {french_date(deadline)}")
    perimeter = call.perimeter
    if not perimeter.resolved:
        name = f" ({perimeter.name})" if perimeter.name else ""
        out.append(
            f"Territoire de l'appel non reconnu{name} : impossible de vérifier que vous y êtes"
        )
    elif call_f.keys.isdisjoint(org_f.keys):
        scale = SCALES[perimeter.scale][1].lower()
        out.append(f"Hors de votre territoire : l'appel couvre {perimeter.name} ({scale})")
    if eligibility.admits(call_f.audiences, org_f.kinds) is False:
        form = eligibility.legal_name(org.legal_category)
        out.append(f"Réservé {eligibility.audience_phrase(call_f.audiences)} : vous êtes {form}")
    return tuple(out)
