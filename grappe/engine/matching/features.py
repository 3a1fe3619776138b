"""What the scorer computes once per call and once per organisation.

Texts become sparse vectors of French stems (``grappe.engine.text.terms``) plus concept
pseudo-terms, weighted by field, sub-linear term frequency and inverse document frequency
over the calls corpus (:class:`CorpusStats`), cut to their strongest terms and normalised,
so that a cosine is one short loop. Everything here is deterministic: vectors are ordered by
weight then term, and cosines sum shared terms in sorted order, which keeps the indexed
ranking and the pair-by-pair scoring bit-for-bit equal.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from grappe.engine.matching import eligibility, lexicon
from grappe.engine.matching.profiles import CallProfile, OrgProfile, PastApplication
from grappe.engine.matching.territory import territory_keys
from grappe.engine.text import strip_accents, terms

CALL_TERMS = 40  # strongest terms kept in a call vector
ORG_TERMS = 40
NEED_TERMS = 16
HISTORY_TERMS = 16
CONCEPT_WEIGHT = 1.0

Vector = dict[str, float]


def _weighted_terms(fields: Iterable[tuple[str, float]], *, categories=()) -> dict[str, float]:
    """Field-weighted term frequencies of some texts, concept pseudo-terms included."""
    tf: dict[str, float] = {}
    for text, weight in fields:
        _add_terms(tf, terms(text), weight)
    _add_categories(tf, categories)
    return tf


def _add_terms(tf: dict[str, float], sequence: list[str], weight: float) -> dict[str, int]:
    for term in sequence:
        tf[term] = tf.get(term, 0.0) + weight
    found = lexicon.concepts_in(sequence)
    for concept, count in found.items():
        key = lexicon.CONCEPT_PREFIX + concept
        tf[key] = tf.get(key, 0.0) + weight * count * CONCEPT_WEIGHT
    return found


def _add_categories(tf: dict[str, float], categories: Iterable[tuple[str, float]]) -> None:
    for category, weight in categories:
        for concept in lexicon.CATEGORY_CONCEPTS.get(lexicon.category_key(category), ()):
            key = lexicon.CONCEPT_PREFIX + concept
            tf[key] = tf.get(key, 0.0) + weight * CONCEPT_WEIGHT


def analyse_call(call: CallProfile) -> tuple[dict[str, float], dict[str, float]]:
    """One pass over a call's texts: weighted term frequencies (title 3, categories 2,
    texts and programs 1, funders 0.5, concepts included) and concept prominence
    (title or category 1, description or programs 0.7, eligibility 0.4)."""
    tf: dict[str, float] = {}
    strengths: dict[str, float] = {}
    fields = (
        (call.title, 3.0, 1.0),
        (" ".join(c.rpartition("|")[2] for c in call.categories), 2.0, None),
        (call.description, 1.0, 0.7),
        (call.eligibility, 1.0, 0.4),
        (" ".join(call.programs), 1.0, 0.7),
        (" ".join(call.financers), 0.5, None),
    )
    found_by_strength: list[tuple[float, dict[str, int]]] = []
    for text, weight, strength in fields:
        found = _add_terms(tf, terms(text), weight)
        if strength is not None:
            found_by_strength.append((strength, found))
    _add_categories(tf, [(c, 2.0) for c in call.categories])
    for strength, found in sorted(found_by_strength, key=lambda item: -item[0]):
        for concept in found:
            strengths.setdefault(concept, strength)
    for category in call.categories:
        for concept in lexicon.CATEGORY_CONCEPTS.get(lexicon.category_key(category), ()):
            strengths[concept] = 1.0
    return tf, dict(sorted(strengths.items()))


def call_term_frequencies(call: CallProfile) -> dict[str, float]:
    """Weighted term frequencies of a call (see :func:`analyse_call`)."""
    return analyse_call(call)[0]


def _token(prefix: str, text: str) -> str:
    flat = strip_accents(text.replace("\u2019", "'")).lower()
    return prefix + " ".join(re.sub(r"[^0-9a-z']+", " ", flat).split())


def history_term_frequencies(
    title: str, categories: Iterable[str], financers: Iterable[str], programs: Iterable[str]
) -> dict[str, float]:
    """What identifies a call across its sessions: title words, categories, funders, programs."""
    tf = dict.fromkeys(terms(title), 1.0)
    for category in categories:
        tf[_token("cat:", lexicon.category_key(category))] = 1.0
    for financer in financers:
        tf[_token("fin:", financer)] = 2.0
    for program in programs:
        tf[_token("prog:", program)] = 2.0
    return tf


@dataclass(frozen=True, eq=False)
class CorpusStats:
    """Document frequencies over a calls corpus; ``idf`` of an unseen term is the highest."""

    documents: int = 0
    df: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_calls(cls, calls: Iterable[CallProfile]) -> CorpusStats:
        df: dict[str, int] = {}
        documents = 0
        for call in calls:
            documents += 1
            for term in document_terms(call):
                df[term] = df.get(term, 0) + 1
        return cls(documents, df)

    @classmethod
    def from_term_sets(cls, term_sets: Iterable[Iterable[str]]) -> CorpusStats:
        df: dict[str, int] = {}
        documents = 0
        for unique in term_sets:
            documents += 1
            for term in unique:
                df[term] = df.get(term, 0) + 1
        return cls(documents, df)

    def idf(self, term: str) -> float:
        return math.log(1.0 + (self.documents + 1) / (self.df.get(term, 0) + 1))


def document_terms(call: CallProfile, tf: Mapping[str, float] | None = None) -> set[str]:
    text = set(tf if tf is not None else call_term_frequencies(call))
    history = history_term_frequencies(call.title, call.categories, call.financers, call.programs)
    return text | set(history)


def vectorise(tf: Mapping[str, float], stats: CorpusStats, limit: int) -> Vector:
    """Sub-linear tf x idf, strongest ``limit`` terms, unit length, ordered by weight."""
    weights = []
    for term, frequency in tf.items():
        scaled = 1.0 + math.log(frequency) if frequency >= 1.0 else frequency
        weights.append((term, scaled * stats.idf(term)))
    weights.sort(key=lambda item: (-item[1], item[0]))
    kept = weights[:limit]
    norm = math.sqrt(sum(w * w for _, w in kept))
    if norm == 0.0:
        return {}
    return {term: w / norm for term, w in kept}


def cosine(a: Vector, b: Vector) -> float:
    """Dot product of unit vectors over their shared terms, summed in sorted term order.

    One fixed order wherever a cosine is taken keeps the indexed ranking and the
    pair-by-pair scoring bit-for-bit equal.
    """
    shared = a.keys() & b.keys()
    if not shared:
        return 0.0
    return sum([a[term] * b[term] for term in sorted(shared)])


# --- calls --------------------------------------------------------------------------------


@dataclass(eq=False)
class CallFeatures:
    call: CallProfile
    keys: frozenset[str]
    audiences: frozenset[str]
    size: eligibility.SizeLimit | None
    strengths: dict[str, float]  # concept -> 0.4 (eligibility) .. 1.0 (title or category)
    vector: Vector
    history: Vector

    def is_open(self, as_of: date) -> bool:
        call = self.call
        if call.recurrence == "ongoing":
            return True
        return call.submission_deadline is None or call.submission_deadline >= as_of


def concept_strengths(call: CallProfile) -> dict[str, float]:
    """How prominently a call mentions each concept: title/categories 1, description 0.7..."""
    return analyse_call(call)[1]


def call_features(
    call: CallProfile,
    stats: CorpusStats,
    analysis: tuple[dict[str, float], dict[str, float]] | None = None,
) -> CallFeatures:
    tf, strengths = analysis if analysis is not None else analyse_call(call)
    history = history_term_frequencies(call.title, call.categories, call.financers, call.programs)
    text = " ".join((call.title, call.eligibility, call.description))
    return CallFeatures(
        call=call,
        keys=call.perimeter.keys,
        audiences=frozenset(call.targeted_audiences),
        size=eligibility.size_limit(text),
        strengths=strengths,
        vector=vectorise(tf, stats, CALL_TERMS),
        history=vectorise(history, stats, HISTORY_TERMS),
    )


# --- organisations ------------------------------------------------------------------------


@dataclass(eq=False)
class OrgFeatures:
    org: OrgProfile
    keys: frozenset[str]
    kinds: frozenset[str]
    profile: lexicon.SectorProfile
    vector: Vector
    needs: tuple[Vector, ...]
    history: tuple[tuple[PastApplication, Vector], ...]
    surface: dict[str, str] = field(default_factory=dict)

    @property
    def static_class(self) -> tuple[tuple[str, ...], tuple[str, ...], str]:
        return static_class(self.org)


def static_class(org: OrgProfile) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """What the static part of a score depends on: kinds, activities, size band."""
    kinds = tuple(sorted(eligibility.org_kinds(org.legal_category)))
    return (kinds, tuple(org.naf_codes), org.size_band or "")


def org_features(org: OrgProfile, stats: CorpusStats) -> OrgFeatures:
    fields = [
        (org.name, 0.5),
        (org.description, 1.0),
        (" ".join(org.tags), 2.0),
        (" ".join(org.needs), 1.5),
    ]
    needs = tuple(
        vectorise(_weighted_terms([(need, 1.0)]), stats, NEED_TERMS) for need in org.needs
    )
    history = tuple(
        (
            past,
            vectorise(
                history_term_frequencies(
                    past.title, past.categories, past.financers, past.programs
                ),
                stats,
                HISTORY_TERMS,
            ),
        )
        for past in org.past_applications
    )
    return OrgFeatures(
        org=org,
        keys=territory_keys(org.commune, epci=org.epci),
        kinds=eligibility.org_kinds(org.legal_category),
        profile=lexicon.sector_profile(tuple(org.naf_codes)),
        vector=vectorise(_weighted_terms(fields), stats, ORG_TERMS),
        needs=needs,
        history=history,
    )


_SURFACE_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def surface_forms(org: OrgProfile) -> dict[str, str]:
    """Stem -> the word as the member wrote it (accents kept), for reasons."""
    forms: dict[str, str] = {}
    for text in (*org.tags, *org.needs, org.description):
        for word in _SURFACE_RE.findall(text or ""):
            word_terms = terms(word)
            if len(word_terms) == 1:
                forms.setdefault(word_terms[0], word.lower())
    return forms
