"""Sparse text vectors and average-linkage clustering on a neighbour graph.

Short texts share few words, so two texts are compared only when they share a
term (an inverted index finds those pairs); a full distance matrix is never built.
Clusters are merged by average linkage — the mean similarity over all pairs of
their texts, pairs without a shared term counting zero — until no two clusters
are closer than a threshold. The number of clusters is what the threshold leaves.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Sequence

Vector = dict[str, float]


def idf_weights(docs: Sequence[Sequence[str]]) -> dict[str, float]:
    """Smoothed inverse document frequency of each term."""
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(set(doc))
    n = len(docs)
    return {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items()}


def tfidf(doc: Sequence[str], idf: dict[str, float]) -> Vector:
    """L2-normalised TF-IDF vector of one document (binary term frequency)."""
    vec = {t: idf.get(t, 0.0) for t in set(doc)}
    norm = math.sqrt(sum(w * w for w in vec.values()))
    return {t: w / norm for t, w in vec.items()} if norm else {}


def neighbour_graph(
    vectors: Sequence[Vector], *, min_sim: float, k: int, max_df: int
) -> dict[int, dict[int, float]]:
    """Symmetric graph of each vector's k most similar others with similarity ≥ min_sim.

    Terms found in more than max_df vectors are not used to find candidates (they
    still count in the similarity), which bounds the work per vector.
    """
    postings: dict[str, list[int]] = defaultdict(list)
    for i, vec in enumerate(vectors):
        for t in vec:
            postings[t].append(i)
    graph: dict[int, dict[int, float]] = defaultdict(dict)
    for i, vec in enumerate(vectors):
        sims: dict[int, float] = defaultdict(float)
        for t, w in vec.items():
            plist = postings[t]
            if len(plist) > max_df:
                continue
            for j in plist:
                if j != i:
                    sims[j] += w * vectors[j][t]
        # add the frequent terms' share for the candidates found
        frequent = [(t, w) for t, w in vec.items() if len(postings[t]) > max_df]
        if frequent:
            for j in sims:
                other = vectors[j]
                sims[j] += sum(w * other.get(t, 0.0) for t, w in frequent)
        best = sorted(
            ((s, j) for j, s in sims.items() if s >= min_sim), key=lambda sj: (-sj[0], sj[1])
        )[:k]
        for s, j in best:
            graph[i][j] = s
            graph[j][i] = s
    return graph


def average_linkage(
    n: int,
    graph: dict[int, dict[int, float]],
    *,
    threshold: float,
    sizes: Sequence[int] | None = None,
) -> list[list[int]]:
    """Clusters of 0..n-1 by average linkage over the graph's edges, stopping at threshold.

    ``sizes`` gives each item's weight (the number of identical texts it stands for).
    Deterministic: ties are broken by the smallest member index of each cluster.
    Returns clusters as sorted index lists, ordered by their first index.
    """
    size = list(sizes) if sizes is not None else [1] * n
    alive = [True] * n
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    # links[a][b] = sum of similarities over the pairs of texts of clusters a and b
    links: dict[int, dict[int, float]] = {
        i: {j: s * size[i] * size[j] for j, s in graph.get(i, {}).items()} for i in range(n)
    }
    heap: list[tuple[float, int, int]] = []
    for a in range(n):
        for b, s in links[a].items():
            if a < b:
                heap.append((-s / (size[a] * size[b]), a, b))
    heapq.heapify(heap)
    while heap:
        neg, a, b = heapq.heappop(heap)
        if not (alive[a] and alive[b]):
            continue
        current = links[a].get(b, 0.0) / (size[a] * size[b])
        if abs(current + neg) > 1e-12:
            continue  # stale entry; a fresh one was pushed when the link changed
        if current < threshold:
            break
        # merge b into a
        alive[b] = False
        members[a].extend(members.pop(b))
        size[a] += size[b]
        for c, s in links.pop(b).items():
            if c == a:
                continue
            links[c].pop(b, None)
            links[a][c] = links[a].get(c, 0.0) + s
            links[c][a] = links[a][c]
        links[a].pop(b, None)
        for c, s in links[a].items():
            lo, hi = (a, c) if a < c else (c, a)
            heapq.heappush(heap, (-(s / (size[a] * size[c])), lo, hi))
    clusters = [sorted(members[i]) for i in range(n) if alive[i]]
    clusters.sort(key=lambda c: c[0])
    return clusters
