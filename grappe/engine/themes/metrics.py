"""Agreement between two partitions of the same texts: adjusted Rand index and NMI.

Pure Python, so that tests and benchmarks need no scikit-learn; the formulas are
scikit-learn's (NMI with the arithmetic mean of the entropies).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence


def _comb2(n: int) -> int:
    return n * (n - 1) // 2


def adjusted_rand_index(truth: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    if len(truth) != len(pred):
        raise ValueError("partitions of different lengths")
    n = len(truth)
    if n < 2:
        return 1.0
    pairs = Counter(zip(truth, pred, strict=True))
    index = sum(_comb2(c) for c in pairs.values())
    sum_a = sum(_comb2(c) for c in Counter(truth).values())
    sum_b = sum(_comb2(c) for c in Counter(pred).values())
    expected = sum_a * sum_b / _comb2(n)
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def _entropy(counts: Counter, n: int) -> float:
    return -sum(c / n * math.log(c / n) for c in counts.values() if c)


def normalized_mutual_info(truth: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    if len(truth) != len(pred):
        raise ValueError("partitions of different lengths")
    n = len(truth)
    if n == 0:
        return 1.0
    ct, cp = Counter(truth), Counter(pred)
    pairs = Counter(zip(truth, pred, strict=True))
    mi = sum(c / n * math.log(c * n / (ct[a] * cp[b])) for (a, b), c in pairs.items())
    ht, hp = _entropy(ct, n), _entropy(cp, n)
    if ht == 0 and hp == 0:
        return 1.0
    denom = (ht + hp) / 2
    return max(0.0, min(1.0, mi / denom)) if denom else 0.0


def as_partition(assignments: dict[str, str | None], ids: Sequence[str]) -> list[str]:
    """Theme per id, an unassigned text counting as a theme of its own."""
    return [assignments[i] if assignments[i] is not None else f"\0{i}" for i in ids]
