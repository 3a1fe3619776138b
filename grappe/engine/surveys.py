"""Survey arithmetic: net promoter score, score distributions, response rate. Pure Python."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

ONE_DECIMAL = Decimal("0.1")


def net_promoter_score(scores: Iterable[int]) -> Decimal | None:
    """Share of promoters (9–10) minus share of detractors (0–6), in points from −100 to
    100, one decimal; None without any score."""
    values = list(scores)
    if not values:
        return None
    for v in values:
        if not 0 <= v <= 10:
            raise ValueError(f"a score is from 0 to 10, not {v}")
    promoters = sum(1 for v in values if v >= 9)
    detractors = sum(1 for v in values if v <= 6)
    return (Decimal(100) * (promoters - detractors) / len(values)).quantize(
        ONE_DECIMAL, rounding=ROUND_HALF_UP
    )


def nps_groups(scores: Iterable[int]) -> dict[str, int]:
    values = list(scores)
    return {
        "promoters": sum(1 for v in values if v >= 9),
        "passives": sum(1 for v in values if 7 <= v <= 8),
        "detractors": sum(1 for v in values if v <= 6),
    }


def distribution(scores: Iterable[int]) -> list[int]:
    """How many of each score 0…10."""
    counts = [0] * 11
    for v in scores:
        counts[v] += 1
    return counts


def mean(scores: Iterable[int]) -> Decimal | None:
    values = list(scores)
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def rate(part: int, whole: int) -> Decimal | None:
    """part / whole in percent, one decimal; None when whole is 0."""
    if whole <= 0:
        return None
    return (Decimal(100) * part / whole).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
