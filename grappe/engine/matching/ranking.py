"""Rank open calls for organisations without scoring every pair, with the exact same result.

A score is ``static + sparse`` (see :mod:`scoring`). *Static* depends on the call and, on
the organisation's side, only on its kinds, NAF codes and size band — its *class*; *sparse*
is non-negative and non-zero only for calls sharing a term with the organisation's profile,
needs or past applications. So the top N of an organisation is found among:

1. the calls its text vectors reach through an inverted index (term -> calls), and
2. for each territory key it holds (its commune, department, region, France, Europe...), the
   N calls of that key with the best static score for its class — computed once per
   (key, class) and shared by every organisation of that class there.

Why nothing is missed: a call with no shared term scores its static part only; if it is
not among the N best static calls of a key containing it, those N calls all score at least
as much (sparse >= 0) and come before it in the (score desc, id asc) order, so it is not in
the top N either. Every candidate is then scored with the same float operations, in the same
order, as :func:`grappe.engine.matching.scoring.evaluate`, so the indexed top N and the
brute-force top N are identical (``bench/bench_matching.py`` checks it).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from datetime import date

from grappe.engine.matching import lexicon, scoring
from grappe.engine.matching.features import (
    CallFeatures,
    CorpusStats,
    OrgFeatures,
    call_features,
    call_term_frequencies,
    document_terms,
    org_features,
)
from grappe.engine.matching.profiles import CallProfile, Match, OrgProfile
from grappe.engine.matching.scoring import DEFAULT_WEIGHTS, Weights


class _Postings:
    """term -> parallel lists of call positions and weights."""

    def __init__(self) -> None:
        self.calls: dict[str, list[int]] = {}
        self.weights: dict[str, list[float]] = {}

    def add(self, position: int, vector: dict[str, float]) -> None:
        for term, weight in vector.items():
            self.calls.setdefault(term, []).append(position)
            self.weights.setdefault(term, []).append(weight)

    def dot(self, vector: dict[str, float]) -> dict[int, float]:
        """Dot products of ``vector`` with every call sharing a term, summed in its order."""
        acc: dict[int, float] = {}
        get = acc.get
        for term, weight in vector.items():
            positions = self.calls.get(term)
            if positions is None:
                continue
            for position, other in zip(positions, self.weights[term], strict=True):
                acc[position] = get(position, 0.0) + weight * other
        return acc


def _best(accumulators: Iterable[dict[int, float]]) -> dict[int, float]:
    best: dict[int, float] = {}
    for acc in accumulators:
        for position, value in acc.items():
            if value > best.get(position, 0.0):
                best[position] = value
    return best


class CallMatcher:
    """An index of the calls open on ``as_of``, to rank them for many organisations.

    ``stats`` default to the document frequencies of all the ``calls`` given (open or not).
    Call ids must be unique.
    """

    def __init__(
        self,
        calls: Iterable[CallProfile],
        *,
        as_of: date,
        stats: CorpusStats | None = None,
        weights: Weights = DEFAULT_WEIGHTS,
    ) -> None:
        self.as_of = as_of
        self.weights = weights
        all_calls = list(calls)
        seen: set[str] = set()
        for call in all_calls:
            if call.id in seen:
                raise ValueError(f"duplicate call id: {call.id!r}")
            seen.add(call.id)
        frequencies = [call_term_frequencies(call) for call in all_calls]
        if stats is None:
            stats = CorpusStats.from_term_sets(
                document_terms(call, tf) for call, tf in zip(all_calls, frequencies, strict=True)
            )
        self.stats = stats
        self.calls: list[CallFeatures] = []
        for call, tf in zip(all_calls, frequencies, strict=True):
            features = call_features(call, stats, tf)
            if features.is_open(as_of) and features.keys:
                self.calls.append(features)
        del frequencies
        self.ids = [features.call.id for features in self.calls]
        self.by_key: dict[str, list[int]] = {}
        self.text = _Postings()
        self.history = _Postings()
        for position, features in enumerate(self.calls):
            for key in features.keys:
                self.by_key.setdefault(key, []).append(position)
            self.text.add(position, features.vector)
            self.history.add(position, features.history)
        self.territory = [
            weights.territory * scoring.territory_value(features) for features in self.calls
        ]
        self._audience: dict[frozenset[str], list[float | None]] = {}
        self._sector: dict[tuple[str, ...], list[float]] = {}
        self._size: dict[str | None, list[float]] = {}
        self._top: dict[tuple, list[int]] = {}

    # -- static parts, one list per distinct kinds / activities / size band -----------------

    def _audience_parts(self, kinds: frozenset[str]) -> list[float | None]:
        parts = self._audience.get(kinds)
        if parts is None:
            parts = [scoring.audience_part(f, kinds, self.weights) for f in self.calls]
            self._audience[kinds] = parts
        return parts

    def _sector_parts(self, profile: lexicon.SectorProfile) -> list[float]:
        parts = self._sector.get(profile.naf_codes)
        if parts is None:
            parts = [scoring.sector_part(profile, f, self.weights) for f in self.calls]
            self._sector[profile.naf_codes] = parts
        return parts

    def _size_parts(self, size_band: str | None) -> list[float]:
        parts = self._size.get(size_band)
        if parts is None:
            parts = [scoring.size_part(size_band, f, self.weights) for f in self.calls]
            self._size[size_band] = parts
        return parts

    def _statics(self, org: OrgFeatures):
        return (
            self._audience_parts(org.kinds),
            self._sector_parts(org.profile),
            self._size_parts(org.org.size_band),
        )

    def _top_static(self, key: str, org: OrgFeatures, count: int) -> list[int]:
        cache_key = (key, org.static_class, count)
        top = self._top.get(cache_key)
        if top is None:
            audience, sector, size = self._statics(org)
            territory, ids = self.territory, self.ids
            scored = []
            for position in self.by_key.get(key, ()):
                part = audience[position]
                if part is not None:
                    static = ((territory[position] + part) + sector[position]) + size[position]
                    scored.append((-static, ids[position], position))
            top = [position for _, _, position in heapq.nsmallest(count, scored)]
            self._top[cache_key] = top
        return top

    # -- ranking ---------------------------------------------------------------------------

    def features(self, org: OrgProfile) -> OrgFeatures:
        return org_features(org, self.stats)

    def rank(self, org: OrgProfile | OrgFeatures, *, top: int = 10) -> list[Match]:
        """The ``top`` best open calls for one organisation, best first, with reasons."""
        features = org if isinstance(org, OrgFeatures) else self.features(org)
        if top <= 0:
            return []
        weights = self.weights
        audience, sector, size = self._statics(features)
        text = self.text.dot(features.vector)
        needs = _best(self.text.dot(vector) for vector in features.needs)
        history = _best(self.history.dot(vector) for _, vector in features.history)
        candidates = set(text) | set(needs) | set(history)
        for key in features.keys:
            candidates.update(self._top_static(key, features, top))
        territory, ids, calls, org_keys = self.territory, self.ids, self.calls, features.keys
        ranked = []
        for position in candidates:
            part = audience[position]
            if part is None or calls[position].keys.isdisjoint(org_keys):
                continue
            static = ((territory[position] + part) + sector[position]) + size[position]
            sparse = scoring.sparse_total(
                scoring.sparse_parts(
                    text.get(position, 0.0),
                    needs.get(position, 0.0),
                    history.get(position, 0.0),
                    weights,
                )
            )
            ranked.append((-(static + sparse), ids[position], position))
        best = heapq.nsmallest(top, ranked)
        return [self._match(calls[position], features) for _, _, position in best]

    def rank_brute_force(self, org: OrgProfile | OrgFeatures, *, top: int = 10) -> list[Match]:
        """The same ranking by scoring every open call (for checks and benchmarks)."""
        features = org if isinstance(org, OrgFeatures) else self.features(org)
        ranked = []
        for position, call in enumerate(self.calls):
            evaluation = scoring.evaluate(call, features, self.as_of, self.weights)
            if evaluation is not None:
                ranked.append((-evaluation.total, self.ids[position], position))
        best = heapq.nsmallest(top, ranked)
        return [self._match(self.calls[position], features) for _, _, position in best]

    def rank_all(self, orgs: Iterable[OrgProfile], *, top: int = 10) -> dict[str, list[Match]]:
        return {org.id: self.rank(org, top=top) for org in orgs}

    def _match(self, call: CallFeatures, org: OrgFeatures) -> Match:
        evaluation = scoring.evaluate(call, org, self.as_of, self.weights)
        if evaluation is None:  # pragma: no cover - candidates are eligible by construction
            raise AssertionError("an ineligible call reached the ranking")
        return scoring.build_match(call, org, evaluation, self.as_of)


def rank_calls(
    calls: Iterable[CallProfile],
    org: OrgProfile,
    *,
    as_of: date,
    top: int = 10,
    stats: CorpusStats | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> list[Match]:
    """The ``top`` best calls open on ``as_of`` for one organisation, best first."""
    return CallMatcher(calls, as_of=as_of, stats=stats, weights=weights).rank(org, top=top)


def rank_for_all(
    calls: Iterable[CallProfile],
    orgs: Iterable[OrgProfile],
    *,
    as_of: date,
    top: int = 10,
    stats: CorpusStats | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> dict[str, list[Match]]:
    """``rank_calls`` for many organisations at once, sharing one index: {org id: matches}."""
    matcher = CallMatcher(calls, as_of=as_of, stats=stats, weights=weights)
    return matcher.rank_all(orgs, top=top)
