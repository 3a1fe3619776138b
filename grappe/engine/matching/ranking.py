"""Rank open calls for organisations without scoring every pair, with the exact same result.

A score is ``static + sparse`` (see :mod:`scoring`). *Static* depends on the call and, on
the organisation's side, only on its *class*: kinds, NAF codes and size band. *Sparse* is
non-negative and comes from cosines between the organisation's text vectors (profile, each
need, each past application) and the call's.

The index keeps, per term, the calls holding it, split by *group* = (territory key, audience
signature), so an organisation only reads the postings of calls it may be matched to: its
territory keys (commune, department, region, France, Europe...) and the audiences admitting
its kind. For each organisation:

1. Each vector's terms are split, by impact (weight x the term's largest weight in any call),
   into *non-essential* ones, whose impacts add up to at most ``budget``, and *essential*
   ones, whose postings are read to get partial dot products. A call's cosine is at most its
   partial dot plus the non-essential sum, so every call reached through an essential term
   gets an upper bound on its score; a call reached by none gets ``static + left_out``.
2. Candidates come in decreasing upper bound, merging the reached calls (sorted by their
   bound) with each territory key's calls sorted by static score (computed once per class
   and key); each is scored exactly until the next bound is below the N-th best score found.

Nothing is missed, because every call left has an upper bound below a score already in the
top N. Candidates are scored with the same float operations, in the same order, as
:func:`grappe.engine.matching.scoring.evaluate` (bounds carry a little slack), so the
indexed top N and the brute-force top N are identical; ``bench/bench_matching.py`` checks it.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from datetime import date

from grappe.engine.matching import eligibility, lexicon, scoring
from grappe.engine.matching.features import (
    CallFeatures,
    CorpusStats,
    OrgFeatures,
    analyse_call,
    call_features,
    cosine,
    document_terms,
    org_features,
    static_class,
)
from grappe.engine.matching.profiles import CallProfile, Match, OrgProfile
from grappe.engine.matching.scoring import DEFAULT_WEIGHTS, Weights
from grappe.engine.matching.territory import department_of, region_of

SLACK = 1e-9  # bounds are summed in another order than exact scores: never undercut


class _Postings:
    """term -> the calls holding it, their weights and groups; the term's largest weight.

    Terms with long postings are split by group so that an organisation skips the groups it
    cannot be matched to; rare terms keep one flat list (a group number per posting), which
    avoids hundreds of thousands of tiny lists.
    """

    SPLIT = 48  # postings from which a term is split by group

    def __init__(self) -> None:
        self.flat: dict[str, tuple[list[int], list[float], list[int]]] = {}
        self.split: dict[str, dict[int, tuple[list[int], list[float]]]] = {}
        self.maximum: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def add(self, position: int, groups: list[int], vector: dict[str, float]) -> None:
        for term, weight in vector.items():
            entry = self.flat.get(term)
            if entry is None:
                entry = self.flat[term] = ([], [], [])
            for group in groups:
                entry[0].append(position)
                entry[1].append(weight)
                entry[2].append(group)
            if weight > self.maximum.get(term, 0.0):
                self.maximum[term] = weight

    def freeze(self) -> None:
        """Split the long postings by group, once every call is added."""
        for term, (positions, weights, groups) in list(self.flat.items()):
            self.counts[term] = len(positions)
            if len(positions) >= self.SPLIT:
                by_group: dict[int, tuple[list[int], list[float]]] = {}
                for position, weight, group in zip(positions, weights, groups, strict=True):
                    entry = by_group.get(group)
                    if entry is None:
                        entry = by_group[group] = ([], [])
                    entry[0].append(position)
                    entry[1].append(weight)
                self.split[term] = by_group
                del self.flat[term]

    def essential(
        self, vector: dict[str, float], budget: float, groups: list[int], allowed: set[int]
    ) -> tuple[dict[int, float], float]:
        """Partial dot products through the essential terms for the calls of ``groups``
        (``allowed`` is the same as a set), and the bound on what the non-essential terms
        add to any cosine.

        A term's impact is its weight times its largest weight in any call: a call gains at
        most that from it. Non-essential terms are chosen greedily, those saving the most
        postings per unit of impact first, while their impacts add up to at most ``budget``.
        A call sharing several of the organisation's groups is counted once per group: its
        partial dot is overestimated, which keeps it a bound.
        """
        maximum, counts = self.maximum, self.counts
        ranked = sorted(
            (
                (-counts.get(term, 0) / impact if impact > 0.0 else float("-inf"), term, impact)
                for term, weight in vector.items()
                for impact in (weight * maximum.get(term, 0.0),)
            )
        )
        rest = 0.0
        essential = []
        for _, term, impact in ranked:
            if rest + impact <= budget:
                rest += impact
            else:
                essential.append(term)
        acc: dict[int, float] = {}
        get = acc.get
        for term in essential:
            weight = vector[term]
            by_group = self.split.get(term)
            if by_group is not None:
                for group in groups:
                    entry = by_group.get(group)
                    if entry is not None:
                        for position, other in zip(entry[0], entry[1], strict=True):
                            acc[position] = get(position, 0.0) + weight * other
                continue
            flat = self.flat.get(term)
            if flat is not None:
                for position, other, group in zip(flat[0], flat[1], flat[2], strict=True):
                    if group in allowed:
                        acc[position] = get(position, 0.0) + weight * other
        return acc, rest


def _bucket(key: str) -> str:
    """Postings bucket of a territory key: wide keys have their own, local keys (department,
    commune, EPCI) share one per region, so that small perimeters make no tiny lists."""
    kind, _, code = key.partition(":")
    if kind == "dep":
        return f"local:{region_of(code)}"
    if kind == "com":
        return f"local:{region_of(department_of(code))}"
    if kind == "epci":
        return "local:epci"
    return key


def _best_of(partials: list[tuple[dict[int, float], float]], floor: float) -> dict[int, float]:
    """Per call, the largest (partial dot + non-essential bound) over several vectors."""
    best: dict[int, float] = {}
    for acc, rest in partials:
        for position, value in acc.items():
            value += rest
            if value > best.get(position, floor):
                best[position] = value
    return best


class CallMatcher:
    """An index of the calls open on ``as_of``, to rank them for many organisations.

    ``stats`` default to the document frequencies of all the ``calls`` given (open or not).
    Call ids must be unique. ``budget`` balances reading postings against scoring
    candidates; it changes the speed, never the result.
    """

    def __init__(
        self,
        calls: Iterable[CallProfile],
        *,
        as_of: date,
        stats: CorpusStats | None = None,
        weights: Weights = DEFAULT_WEIGHTS,
        budget: float = 0.05,
    ) -> None:
        self.as_of = as_of
        self.weights = weights
        self.budget = budget
        all_calls = list(calls)
        seen: set[str] = set()
        for call in all_calls:
            if call.id in seen:
                raise ValueError(f"duplicate call id: {call.id!r}")
            seen.add(call.id)
        analyses = [analyse_call(call) for call in all_calls]
        if stats is None:
            stats = CorpusStats.from_term_sets(
                document_terms(call, tf) for call, (tf, _) in zip(all_calls, analyses, strict=True)
            )
        self.stats = stats
        self.calls: list[CallFeatures] = []
        for call, analysis in zip(all_calls, analyses, strict=True):
            features = call_features(call, stats, analysis)
            if features.is_open(as_of) and features.keys:
                self.calls.append(features)
        del analyses
        self.ids = [features.call.id for features in self.calls]
        self.id_rank = [0] * len(self.ids)
        for rank, position in enumerate(sorted(range(len(self.ids)), key=self.ids.__getitem__)):
            self.id_rank[position] = rank
        # Groups: (territory bucket, audience signature) -> number; per bucket, its signatures.
        self._groups: dict[tuple[str, frozenset[str]], int] = {}
        self._signatures: dict[str, list[tuple[frozenset[str], int]]] = {}
        self.by_key: dict[str, list[int]] = {}
        self.text = _Postings()
        self.history = _Postings()
        for position in sorted(range(len(self.calls)), key=self.id_rank.__getitem__):
            features = self.calls[position]
            buckets = sorted({_bucket(key) for key in features.keys})
            groups = [self._group(bucket, features.audiences) for bucket in buckets]
            for key in features.keys:
                self.by_key.setdefault(key, []).append(position)  # in id order
            self.text.add(position, groups, features.vector)
            self.history.add(position, groups, features.history)
        self.text.freeze()
        self.history.freeze()
        self.territory = [scoring.territory_part(f, weights) for f in self.calls]
        self._audience: dict[frozenset[str], list[float | None]] = {}
        self._sector: dict[tuple[str, ...], list[float]] = {}
        self._size: dict[str | None, list[float]] = {}
        self._classes: dict[tuple, tuple[list[float | None], dict[str, list[int]]]] = {}

    def _group(self, bucket: str, audiences: frozenset[str]) -> int:
        group = self._groups.get((bucket, audiences))
        if group is None:
            group = self._groups[(bucket, audiences)] = len(self._groups)
            self._signatures.setdefault(bucket, []).append((audiences, group))
        return group

    def groups_for(self, org: OrgFeatures) -> list[int]:
        """The groups whose calls this organisation may be matched to (a local bucket also
        holds calls of other departments of its region: they are filtered afterwards)."""
        return [
            group
            for bucket in sorted({_bucket(key) for key in org.keys})
            for audiences, group in self._signatures.get(bucket, ())
            if eligibility.admits(audiences, org.kinds) is not False
        ]

    # -- static scores, per class of organisation -------------------------------------------

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

    def _class(self, org: OrgFeatures) -> tuple[list[float | None], dict[str, list[int]]]:
        """Static score of every call for the org's class (None: the audience excludes it)
        and the per-key lists sorted by static score, filled lazily."""
        entry = self._classes.get(org.static_class)
        if entry is None:
            if len(self._classes) >= 16:
                self._classes.clear()
            audience = self._audience_parts(org.kinds)
            sector = self._sector_parts(org.profile)
            size = self._size_parts(org.org.size_band)
            static: list[float | None] = [
                None if a is None else scoring.static_total((t, a, s, z))
                for t, a, s, z in zip(self.territory, audience, sector, size, strict=True)
            ]
            entry = (static, {})
            self._classes[org.static_class] = entry
        return entry

    def _sorted(self, key: str, static: list[float | None], lists: dict[str, list[int]]):
        ordered = lists.get(key)
        if ordered is None:
            # by_key lists are in id order and the sort is stable: ties stay in id order.
            ordered = sorted(
                [p for p in self.by_key.get(key, ()) if static[p] is not None],
                key=static.__getitem__,
                reverse=True,
            )
            lists[key] = ordered
        return ordered

    # -- ranking ---------------------------------------------------------------------------

    def features(self, org: OrgProfile) -> OrgFeatures:
        return org_features(org, self.stats)

    def rank(self, org: OrgProfile | OrgFeatures, *, top: int = 10) -> list[Match]:
        """The ``top`` best open calls for one organisation, best first, with reasons."""
        features = org if isinstance(org, OrgFeatures) else self.features(org)
        if top <= 0:
            return []
        weights, calls, id_rank = self.weights, self.calls, self.id_rank
        static, lists = self._class(features)
        groups = self.groups_for(features)
        allowed = set(groups)
        budget = self.budget
        text_acc, text_rest = self.text.essential(features.vector, budget, groups, allowed)
        needs = [self.text.essential(v, budget, groups, allowed) for v in features.needs]
        history = [self.history.essential(v, budget, groups, allowed) for _, v in features.history]
        need_floor = max((rest for _, rest in needs), default=0.0)
        history_floor = max((rest for _, rest in history), default=0.0)
        # What a call reached by no essential term can add to its static score, at most.
        left_out = SLACK + scoring.sparse_total(
            scoring.sparse_parts(text_rest, need_floor, history_floor, weights)
        )
        need_upper = _best_of(needs, need_floor)
        history_upper = _best_of(history, history_floor)
        reached = set(text_acc)
        reached.update(need_upper)
        reached.update(history_upper)
        w_text, w_need, w_history = weights.text, weights.need, weights.history
        text_scale, need_scale = weights.text_scale, weights.need_scale
        bounded = []
        org_keys = features.keys
        for position in reached:
            part = static[position]
            if part is None or calls[position].keys.isdisjoint(org_keys):
                continue
            text = (text_acc.get(position, 0.0) + text_rest) * text_scale
            need = need_upper.get(position, need_floor) * need_scale
            past = history_upper.get(position, history_floor)
            upper = (
                part
                + w_text * (text if text < 1.0 else 1.0)
                + w_need * (need if need < 1.0 else 1.0)
                + w_history * (past if past < 1.0 else 1.0)
            )
            bounded.append((-(upper + SLACK), id_rank[position], position))
        bounded.sort()

        def walk(key: str) -> Iterator[tuple[float, int, int]]:
            for position in self._sorted(key, static, lists):
                if position not in reached:
                    yield (-(static[position] + left_out), id_rank[position], position)

        heap: list[tuple[float, int, int]] = []  # (total, -id rank, position): worst on top
        done: set[int] = set()
        streams = [iter(bounded), *(walk(key) for key in sorted(features.keys))]
        for negative_bound, _, position in heapq.merge(*streams):
            if len(heap) == top and -negative_bound < heap[0][0]:
                break
            if position in done:
                continue
            done.add(position)
            call = calls[position]
            sparse = scoring.sparse_total(
                scoring.sparse_parts(
                    cosine(features.vector, call.vector),
                    scoring.best_need(call, features)[0],
                    scoring.best_history(call, features)[0],
                    weights,
                )
            )
            item = (static[position] + sparse, -id_rank[position], position)
            if len(heap) < top:
                heapq.heappush(heap, item)
            elif item > heap[0]:
                heapq.heapreplace(heap, item)
        best = sorted(heap, reverse=True)
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
        """``rank`` for every organisation, processed class by class (same kinds, activities
        and size band) so that each class's static lists are built once."""
        members = list(orgs)
        order = sorted(range(len(members)), key=lambda i: (static_class(members[i]), i))
        results: dict[int, list[Match]] = {}
        for index in order:
            results[index] = self.rank(members[index], top=top)
        return {members[i].id: results[i] for i in range(len(members))}

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
    """``rank_calls`` for many organisations sharing one index: {org id: matches, best first}."""
    matcher = CallMatcher(calls, as_of=as_of, stats=stats, weights=weights)
    return matcher.rank_all(orgs, top=top)
