"""The common-needs radar: themes shared across members' free texts.

1. Each text is reduced to keys (lemmas, accents and small typos forgiven).
2. The taxonomy of pooled needs claims the texts it clearly matches.
3. The rest is clustered by average linkage on a sparse neighbour graph of word
   overlaps (optionally blended with a sentence encoder's similarities), then
   clusters with close word profiles are merged: themes outside the taxonomy emerge
   there, labelled by their most shared words.
4. A text left alone by both stays unassigned; a theme needs two texts.
5. Each theme gets its members, its monthly trend and, for a taxonomy theme, a
   proposal of pooled service with an estimated saving per member.

No step is random: the same texts give the same themes, in whatever order they come.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ._text import TypoMap, analyse, root, strip_accents
from .clustering import average_linkage, idf_weights, neighbour_graph, tfidf
from .encoder import Embedder, centred, dense_neighbour_graph
from .model import Proposal, RadarResult, TextItem, Theme
from .taxonomy import Entry, Taxonomy, default_taxonomy


@dataclass(frozen=True, slots=True)
class Settings:
    """The radar's thresholds, tuned on the train corpus only."""

    min_theme_size: int = 2
    cluster_threshold: float = 0.1
    """Average-linkage similarity under which residual clusters stop merging."""
    neighbour_min_sim: float = 0.1
    neighbours: int = 15
    max_df_share: float = 0.2
    """Terms in more than this share of residual texts don't seed neighbour search."""
    centroid_threshold: float = 0.15
    """Cosine of two clusters' word profiles above which they merge (second pass)."""
    centroid_rounds: int = 3
    encoder_weight: float = 0.7
    """Share of the encoder in the blended similarity of two residual texts."""
    encoder_min_sim: float = 0.0
    blend_threshold: float = 0.1
    """Average-linkage threshold when the encoder is on (blended similarities)."""
    typo_min_df: int = 2
    """A rare word is corrected to a word one edit away seen at least this often."""
    label_terms: int = 2


DEFAULT_SETTINGS = Settings()
_CENT = Decimal("0.01")


def discover_themes(
    items: list[TextItem],
    *,
    seed: int = 0,
    taxonomy: Taxonomy | None = None,
    embedder: Embedder | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> RadarResult:
    """Themes shared across the texts, ranked by the number of members who share them.

    ``seed`` is accepted so that callers can pin any future random step; no step of the
    current method is random, so the result does not depend on it.

    ``embedder`` (e.g. ``encoder.default_embedder()``, the packaged e5 model) adds a
    sentence encoder to the clustering of texts outside the taxonomy. It is off by
    default: on the held-out corpus it did not improve the result (bench/bench_themes.py)
    and it costs about 17 ms per clustered text on a 2-core CPU.
    """
    del seed  # deterministic by construction (see module docstring)
    taxonomy = taxonomy or default_taxonomy()
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        dup = next(i for i, c in Counter(ids).items() if c > 1)
        raise ValueError(f"duplicate text id {dup!r}")
    # canonical order: by id, so that the input order never changes the result
    order = sorted(range(len(items)), key=lambda i: items[i].id)
    items = [items[i] for i in order]

    analysed = [analyse(item.text) for item in items]
    keys = [taxonomy.normalise(a.keys) for a in analysed]
    matched = [taxonomy.match(k)[0] for k in keys]

    # terms for clustering: filler-free, typos of taxonomy words fixed, derivations
    # reduced, then rare words one edit from a frequent one taken as its typos
    def pre(k: str) -> str:
        return root(taxonomy.typos(k))

    fix = _corpus_typos([tuple(pre(k) for k in a.terms) for a in analysed], settings.typo_min_df)

    def canon(k: str) -> str:
        return fix.get(pre(k), pre(k))

    terms = [tuple(canon(k) for k in a.terms) for a in analysed]
    surfaces = [tuple((canon(k), lem) for k, lem in a.surface) for a in analysed]

    groups: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(matched):
        if key is not None:
            groups[key].append(i)

    residual = [i for i, key in enumerate(matched) if key is None]
    # word weights from every text: words common across the whole corpus ("salle",
    # "lieu") say little about what sets a residual text apart
    idf = idf_weights(terms)
    clusters = _cluster(residual, terms, idf, [it.text for it in items], embedder, settings)

    themes: list[Theme] = []
    month_range = _month_range(items)
    for key, idx in groups.items():
        if len(idx) < settings.min_theme_size:
            continue
        entry = taxonomy.by_key(key)
        themes.append(_theme(key, entry.label, idx, items, month_range, entry))
    used_ids = {t.id for t in themes}
    for idx in clusters:
        if len(idx) < settings.min_theme_size or not _shares_a_word(idx, terms):
            continue  # a theme that no shared word can name is left unassigned
        label, slug = _label(idx, terms, surfaces, idf, settings.label_terms)
        theme_id = _unique(f"emergent-{slug}", used_ids)
        used_ids.add(theme_id)
        themes.append(_theme(theme_id, label, idx, items, month_range, None))

    themes.sort(key=lambda t: (-t.members, -t.size, t.id))
    assignments: dict[str, str | None] = {item.id: None for item in items}
    for theme in themes:
        for tid in theme.text_ids:
            assignments[tid] = theme.id
    # keep the caller's order in the assignments mapping
    return RadarResult(
        assignments={i: assignments[i] for i in ids},
        themes=themes,
    )


def _corpus_typos(terms: list[tuple[str, ...]], min_df: int) -> dict[str, str]:
    """Rare word → a frequent word one edit away ("stokage" → "stockage"), long words only."""
    df: Counter[str] = Counter()
    for doc in terms:
        df.update(set(doc))
    frequent = {t for t, c in df.items() if c >= min_df}
    typos = TypoMap(frequent, min_len=7)
    fix = {}
    for t in sorted(df):
        if df[t] < min_df:
            hit = typos(t)
            if hit != t:
                fix[t] = hit
    return fix


def _cluster(
    residual: list[int],
    terms: list[tuple[str, ...]],
    idf: dict[str, float],
    texts: list[str],
    embedder: Embedder | None,
    settings: Settings,
) -> list[list[int]]:
    if not residual:
        return []
    # texts with the same words (the same text, with the encoder on) are one node
    # weighing their number: repeated texts cost nothing more to cluster
    nodes: dict[object, list[int]] = {}
    for i in residual:
        words = frozenset(terms[i])
        if not words:
            nodes[("empty", i)] = [i]
        else:
            nodes.setdefault((words, texts[i] if embedder else None), []).append(i)
    members = list(nodes.values())
    weights = [len(m) for m in members]
    vectors = [tfidf(terms[m[0]], idf) for m in members]
    max_df = max(3, int(settings.max_df_share * len(members)))
    graph = neighbour_graph(
        vectors, min_sim=settings.neighbour_min_sim, k=settings.neighbours, max_df=max_df
    )
    threshold = settings.cluster_threshold
    if embedder is not None and len(members) > 1:
        graph = _blend(graph, vectors, [texts[m[0]] for m in members], embedder, settings)
        threshold = settings.blend_threshold
    local = average_linkage(len(members), graph, threshold=threshold, sizes=weights)
    # then merge clusters whose word profiles (centroids) are close: "accessibilité" and
    # "handicap" texts meet through the one text that says both
    for _ in range(settings.centroid_rounds):
        centroids = [_centroid([(vectors[j], weights[j]) for j in cluster]) for cluster in local]
        cgraph = neighbour_graph(
            centroids, min_sim=settings.centroid_threshold, k=settings.neighbours, max_df=max_df
        )
        merged = average_linkage(len(local), cgraph, threshold=settings.centroid_threshold)
        if len(merged) == len(local):
            break
        local = [sorted(j for c in group for j in local[c]) for group in merged]
        local.sort(key=lambda c: c[0])
    return [sorted(i for j in cluster for i in members[j]) for cluster in local]


def _blend(
    lexical: dict[int, dict[int, float]],
    vectors: list[dict[str, float]],
    texts: list[str],
    embedder: Embedder,
    settings: Settings,
) -> dict[int, dict[int, float]]:
    """One graph from the lexical and the encoder neighbours, similarities blended.

    An edge found by either side gets w·encoder + (1 − w)·lexical similarity.
    """
    # embed each distinct text once
    distinct = sorted(set(texts))
    row = {t: r for r, t in enumerate(distinct)}
    x = centred(embedder(distinct))[[row[t] for t in texts]]
    dense = dense_neighbour_graph(x, k=settings.neighbours, min_sim=settings.encoder_min_sim)
    w = settings.encoder_weight
    out: dict[int, dict[int, float]] = defaultdict(dict)
    for i in sorted(set(lexical) | set(dense)):
        for j in sorted(set(lexical.get(i, {})) | set(dense.get(i, {}))):
            if j < i:
                continue
            enc = float(x[i] @ x[j])
            lex = sum(v * vectors[j].get(t, 0.0) for t, v in vectors[i].items())
            s = round(w * enc + (1 - w) * lex, 6)
            if s > 0:
                out[i][j] = s
                out[j][i] = s
    return out


def _centroid(weighted: list[tuple[dict[str, float], int]]) -> dict[str, float]:
    total: dict[str, float] = defaultdict(float)
    for vec, weight in weighted:
        for t, w in vec.items():
            total[t] += w * weight
    norm = sum(w * w for w in total.values()) ** 0.5
    return {t: w / norm for t, w in total.items()} if norm else {}


def _shares_a_word(idx: list[int], terms: list[tuple[str, ...]]) -> bool:
    seen: set[str] = set()
    for i in idx:
        doc = set(terms[i])
        if doc & seen:
            return True
        seen |= doc
    return False


def _label(
    idx: list[int],
    terms: list[tuple[str, ...]],
    surfaces: list[tuple[tuple[str, str], ...]],
    idf: dict[str, float],
    n_terms: int,
) -> tuple[str, str]:
    """A French label from the words the cluster's texts share most, and an id slug."""
    coverage: Counter[str] = Counter()
    for i in idx:
        coverage.update(set(terms[i]))
    ranked = sorted(coverage, key=lambda t: (-coverage[t] * idf.get(t, 1.0), t))
    shared = [t for t in ranked if coverage[t] >= 2] or ranked[:1]
    top = shared[:n_terms]
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for i in idx:
        for k, lem in surfaces[i]:
            if k in top:
                forms[k][lem] += 1
    words = []
    for t in top:
        counts = forms.get(t)
        words.append(min(counts, key=lambda w: (-counts[w], w)) if counts else t)
    label = " et ".join(words) if len(words) == 2 else ", ".join(words)
    label = label[:1].upper() + label[1:]
    slug = re.sub(r"[^a-z0-9]+", "-", strip_accents(" ".join(words).lower())).strip("-")
    return label, slug or "theme"


def _unique(theme_id: str, used: set[str]) -> str:
    if theme_id not in used:
        return theme_id
    n = 2
    while f"{theme_id}-{n}" in used:
        n += 1
    return f"{theme_id}-{n}"


def _month_range(items: Sequence[TextItem]) -> list[str]:
    dates = [item.date for item in items if item.date is not None]
    if not dates:
        return []
    first, last = min(dates), max(dates)
    months = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _theme(
    theme_id: str,
    label: str,
    idx: list[int],
    items: list[TextItem],
    month_range: list[str],
    entry: Entry | None,
) -> Theme:
    texts = [items[i] for i in idx]
    orgs = sorted({t.org for t in texts if t.org})
    # a text without an organisation counts as one member of its own
    members = len(orgs) + sum(1 for t in texts if not t.org)
    trend = dict.fromkeys(month_range, 0)
    for t in texts:
        if t.date is not None:
            trend[f"{t.date.year:04d}-{t.date.month:02d}"] += 1
    proposal = _proposal(entry, orgs, members) if entry is not None else None
    return Theme(
        id=theme_id,
        label=label,
        text_ids=tuple(t.id for t in texts),
        members=members,
        size=len(texts),
        trend=trend,
        taxonomy_key=entry.key if entry else None,
        proposal=proposal,
    )


def _proposal(entry: Entry, orgs: list[str], members: int) -> Proposal | None:
    """The pooled service for a taxonomy theme, if at least two members would share it.

    Proposed even when the group is still too small to save anything (saving 0): the
    manager sees from ``break_even_members`` how many more members it takes.
    """
    if members < 2:
        return None
    pooled = (entry.pooled_fixed_monthly / members + entry.pooled_per_member_monthly).quantize(
        _CENT, rounding=ROUND_HALF_UP
    )
    alone = entry.alone_monthly.quantize(_CENT)
    saving = max(alone - pooled, Decimal("0.00"))
    # fixed / n + per_member < alone  ⇔  n > fixed / (alone − per_member)
    margin = entry.alone_monthly - entry.pooled_per_member_monthly
    break_even = int(entry.pooled_fixed_monthly // margin) + 1 if margin > 0 else None
    return Proposal(
        kind=entry.kind,
        title=entry.service,
        members=tuple(orgs),
        alone_monthly=alone,
        pooled_monthly=pooled,
        saving_monthly=saving,
        break_even_members=break_even,
        cost_note=entry.cost_note,
    )
